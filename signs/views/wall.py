"""拍照识牌: photograph a wall, tick the plaques read, add them to the inventory at once.

Step one uploads the photos of one room; each is checked, downscaled and read (outside any
transaction) and waits on the server (signs.pending) with what was read. Step two shows one
proposed entry per plaque — text, guessed kind, matching approved item, already inventoried —
and adds the ticked ones, with the photos as evidence, in one transaction.
"""

from __future__ import annotations

import io
import zipfile

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from utilities.views import submit
from villages.decorators import village_editable

from .. import ocr, readings, selectors, services
from ..forms import WallConfirmForm, WallEntryFormSet, WallPhotoForm
from ..pending import PendingUploads

PENDING_WALLS = PendingUploads(session_key="pending_wall_readings", suffix=".zip")


def _scope(village) -> dict:
    return {"village": village.code}


def _bundle(photos: list[bytes]) -> bytes:
    """The photos of one reading as one file (a stored, uncompressed zip: JPEGs don't shrink)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as bundle:
        for index, data in enumerate(photos):
            bundle.writestr(f"{index}.jpg", data)
    return buffer.getvalue()


def _unbundle(data: bytes) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        return [bundle.read(f"{index}.jpg") for index in range(len(bundle.namelist()))]


@village_editable
def wall_read(request, village):
    """Step one: the room and its photos; each photo is read before the next step."""
    context = {"village": village, "available": ocr.available()}
    if not context["available"]:
        return render(request, "signs/wall_read.html", context)
    form = WallPhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            read = [readings.read_photo(upload) for upload in form.cleaned_data["photos"]]
        except ValidationError as exc:
            form.add_error("photos", exc.messages)
        else:
            token = PENDING_WALLS.store(
                request,
                scope=_scope(village),
                data=_bundle([data for data, _lines in read]),
                lines=[readings.lines_to_data(lines) for _data, lines in read],
                room=form.cleaned_data["location"],
            )
            return redirect("wall_review", code=village.code, token=token)
    context |= {"form": form, "rooms": selectors.room_suggestions(village=village)}
    return render(request, "signs/wall_read.html", context)


@village_editable
def wall_photo(request, village, token, index):
    """A photo of a pending reading, for its own user to compare with what was read."""
    loaded = PENDING_WALLS.load(request, str(token), scope=_scope(village))
    photos = _unbundle(loaded[1]) if loaded else []
    if index >= len(photos):
        raise Http404
    response = HttpResponse(photos[index], content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=600"
    return response


@village_editable
def wall_review(request, village, token):
    """Step two: one proposed entry per plaque read; the ticked ones are added at once."""
    loaded = PENDING_WALLS.load(request, str(token), scope=_scope(village))
    if loaded is None:
        messages.warning(request, _("Those photos are no longer kept; please take them again."))
        return redirect("wall_read", code=village.code)
    entry, bundle = loaded
    photos_lines = [readings.lines_from_data(lines) for lines in entry["lines"]]
    room = entry["room"]
    proposals = readings.proposals(photos_lines, village=village, location=room)
    items = selectors.standard_items()
    confirm = WallConfirmForm(request.POST or None, initial={"location": room})
    formset = WallEntryFormSet(
        request.POST or None,
        initial=[
            {
                "selected": p.selected,
                "title": p.text,
                "kind": p.kind,
                "approved_item": p.match.item.pk if p.match else None,
                "photo": p.photo,
            }
            for p in proposals
        ],
        form_kwargs={"items": items},
    )
    if request.method == "POST" and confirm.is_valid() and formset.is_valid():
        entries = [
            services.WallEntry(
                title=f.cleaned_data["title"],
                kind=f.cleaned_data["kind"],
                approved_item=f.cleaned_data["approved_item"],
                photo=f.cleaned_data["photo"],
            )
            for f in formset
            if f.cleaned_data.get("selected") and f.cleaned_data["photo"] < len(photos_lines)
        ]
        wall_photos = [
            services.WallPhoto(data=data, texts=lines)
            for data, lines in zip(_unbundle(bundle), entry["lines"], strict=True)
        ]
        village_url = reverse("village", args=[village.code])
        response = submit(
            request,
            confirm,
            lambda: services.signboards_create_from_photos(
                village=village,
                user=request.user,
                location=confirm.cleaned_data["location"],
                photos=wall_photos,
                entries=entries,
            ),
            success_url=village_url,
            message=lambda signs: (
                ngettext("%(n)d sign added.", "%(n)d signs added.", len(signs)) % {"n": len(signs)}
            ),
            then=lambda _signs: PENDING_WALLS.discard(request, str(token)),
        )
        if response:
            return response
    rows = list(zip(formset.forms, proposals, strict=False))
    return render(
        request,
        "signs/wall_review.html",
        {
            "village": village,
            "confirm": confirm,
            "formset": formset,
            "rows": rows,
            "photo_count": len(photos_lines),
            "photo_indexes": range(len(photos_lines)),
            "token": token,
            "rooms": selectors.room_suggestions(village=village),
        },
    )


urlpatterns = [
    path("v/<str:code>/read/", wall_read, name="wall_read"),
    path("v/<str:code>/read/<uuid:token>/", wall_review, name="wall_review"),
    path("v/<str:code>/read/<uuid:token>/<int:index>.jpg", wall_photo, name="wall_photo"),
]
