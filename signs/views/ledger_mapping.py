"""The import's mapping step, between upload and preview, for a ledger in a township's own
layout: which column holds what (once per layout), then what its unknown words mean (once per
word). Both are saved for the township; the next file of that layout goes straight through."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from .. import imports, services
from ..forms.ledgers import ColumnMappingForm, WordMappingForm
from . import imports as import_views


@login_required
def sign_import_mapping(request, code, token):
    town = import_views.import_town(request, code)
    token = str(token)
    upload_url = reverse("sign_import", args=[town.code])
    loaded = import_views.load_pending(request, town_code=town.code, token=token)
    if loaded is None:
        messages.warning(request, _("That upload has expired or was already imported."))
        return redirect(upload_url)
    entry, data = loaded
    context = {"town": town, "entry": entry, "upload_url": upload_url}
    try:
        sheet = imports.read_sign_sheet(data, town=town)
    except imports.NeedsMapping as exc:
        imports.guess_columns(exc.layout, town)
        form = ColumnMappingForm(request.POST or None, layout=exc.layout)
        if request.method == "POST" and form.is_valid():
            services.ledger_layout_save(
                town=town, user=request.user, fingerprint=exc.layout.fingerprint,
                headers=exc.layout.headers, columns=form.mapping,
            )  # fmt: skip
            return redirect(request.path)
        context.update(step="columns", form=form, layout=exc.layout)
        return render(request, "signs/import_mapping.html", context)
    except imports.ImportFileError as exc:
        return import_views.refuse_pending(request, token, context, exc.messages)
    plan = imports.plan_sign_import(town=town, sheet=sheet)
    if not plan.unknown_words:
        return redirect("sign_import_preview", town.code, token)
    words = list(plan.unknown_words.values())
    for word in words:
        word.guess = imports.closest_value(word.field, word.word)
    form = WordMappingForm(request.POST or None, words=words)
    if request.method == "POST" and form.is_valid():
        services.ledger_words_save(town=town, user=request.user, words=form.mapped())
        return redirect(request.path)
    context.update(step="words", form=form)
    return render(request, "signs/import_mapping.html", context)


urlpatterns = [
    path(
        "t/<str:code>/import/<uuid:token>/columns/",
        sign_import_mapping,
        name="sign_import_mapping",
    ),
]
