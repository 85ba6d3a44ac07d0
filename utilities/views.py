"""What every write view shares: the one way to run a service from a form, and the media view.

`submit` is the only place that spends a form's one-time token, catches AlreadySubmitted and
puts a service's Chinese errors onto the form; a view's POST branch is then one call:

    if request.method == "POST" and form.is_valid():
        response = submit(
            request, form, lambda: services.finding_record(...),
            success_url=visit_url, message=_("Finding recorded."),
        )
        if response:
            return response
    return render(...)   # the form again, with the service's errors on it
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.static import serve

from .form_tokens import ALREADY_SAVED, AlreadySubmitted, content_digest, submitted_once

# A value given either as it is or as a function of the service's result.
Outcome = Any | Callable[[Any], Any]


def _resolve(value: Outcome, result):
    return value(result) if callable(value) else value


def submit(
    request,
    form,
    service: Callable[[], Any],
    *,
    success_url: Outcome,
    message: Outcome = None,
    level: int = messages.SUCCESS,
    already_url: str | None = None,
    on_refused: Callable[[ValidationError], HttpResponse | None] | None = None,
    then: Callable[[Any], None] | None = None,
) -> HttpResponse | None:
    """Run `service()` in the transaction that spends the form's one-time token.

    Saved: `message` (text, or a function of the service's result) and a redirect to
    `success_url` (likewise). Already saved once (a double tap, a resent POST): a note and a
    redirect to `already_url` (default: `success_url`, which must then be text). Refused by the
    service, or the token spent on another write (utilities.form_tokens): `on_refused(exc)` if
    given and it answers, else the errors go onto the form and None comes back, for the view to
    show the form again. `then(result)` runs after a save (more to say, files to tidy), before
    the redirect.
    """
    if already_url is None and callable(success_url):
        raise TypeError("submit: give already_url when success_url depends on the result")
    token, digest = form.cleaned_data["form_token"], content_digest(request)
    try:
        with submitted_once(token=token, user=request.user, digest=digest) as spent:
            result = service()
            spent.result_url = _resolve(success_url, result)
            spent.save(update_fields=["result_url"])
    except AlreadySubmitted as done:  # the same form at once: the first one's answer
        messages.info(request, ALREADY_SAVED)
        return redirect(done.result_url or already_url or success_url)
    except ValidationError as exc:  # the service's refusal, or the token spent on another write
        if on_refused is not None and (response := on_refused(exc)) is not None:
            return response
        add_errors(form, exc)
        return None
    if message is not None:
        messages.add_message(request, level, _resolve(message, result))
    if then is not None:
        then(result)
    return redirect(spent.result_url)


def form_page(
    request, form, service: Callable[[], Any], *, template: str, context: dict, **outcome
) -> HttpResponse:
    """A page with one write form: shown on GET; on a valid POST, `submit(service, **outcome)`;
    an invalid or refused form comes back with its errors. `context` goes to `template` beside
    the form."""
    posted = request.method == "POST" and form.is_valid()
    if posted and (response := submit(request, form, service, **outcome)):
        return response
    return render(request, template, {"form": form, **context})


def refused_with_message(request, url: str, text: str) -> Callable[[ValidationError], HttpResponse]:
    """An `on_refused` for a form posted from a list (bulk actions): the refusal as a message
    ("Nothing was saved. …" and the like, `text` with %(error)s) and back to the list."""

    def answer(exc: ValidationError) -> HttpResponse:
        messages.error(request, text % {"error": " ".join(exc.messages)})
        return redirect(url)

    return answer


def form_errors_text(form) -> str:
    """All of an invalid form's errors in one line, for a page that shows no form."""
    return " ".join(e for field in form.errors.values() for e in field)


def add_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, on its field where the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def media(request, path):
    """Uploaded photos are evidence about a township's premises: signed-in users only.

    A busy site can hand this path to the web server (X-Accel-Redirect) instead.
    """
    return serve(request, path, document_root=settings.MEDIA_ROOT)
