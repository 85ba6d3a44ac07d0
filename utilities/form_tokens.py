"""One-time form tokens: a double tap or a resent POST writes once.

Every write form carries a fresh UUID from its own page load (`FormTokenField`); the view wraps
its service call in `submitted_once`, which inserts the token in the same transaction. The
unique constraint makes the second insert fail, even when both requests arrive at once.

The token is the idempotency key of a write, so it must name one write only: the row keeps a
digest of what was sent (`content_digest`). The same user resending the same content (a retry
after a lost answer) is told it was saved already, and nothing is written; the token coming
back with other content, or from another user, is refused (`TokenReused`), never merged.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from .models import SubmittedForm


class AlreadySubmitted(Exception):
    """This form (its token) has already been saved once, with this content, by this user;
    `result_url` is where its answer sent them."""

    def __init__(self, result_url: str = ""):
        super().__init__(result_url)
        self.result_url = result_url


class TokenReused(ValidationError):
    """The token was spent on another write: other content, or another user's. A refusal like
    a service's, so the form shows it."""


ALREADY_SAVED = _("This form was already saved; it was not saved twice.")
TOKEN_REUSED = _(
    "This form was already saved with other content, or by another user; nothing was saved. "
    "Reload the page and enter it again."
)


# Fields that travel with every form and are not its content.
NOT_CONTENT = frozenset({"csrfmiddlewaretoken", "form_token"})


def content_digest(request) -> str:
    """SHA-256 of what a form sends: the path, its fields (without the tokens) and its files'
    bytes. A resend of the same form gives the same digest."""
    digest = hashlib.sha256(request.path.encode())
    for key in sorted(set(request.POST) - NOT_CONTENT):
        for value in request.POST.getlist(key):
            digest.update(b"\0" + key.encode() + b"=" + value.encode())
    for key in sorted(request.FILES):
        for upload in request.FILES.getlist(key):
            digest.update(b"\0" + key.encode() + b":")
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


class FormTokenField(forms.UUIDField):
    """A hidden UUID, new at every page load."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("initial", uuid.uuid4)
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("This form has expired. Please reload the page and try again."),
                "invalid": _("This form has expired. Please reload the page and try again."),
            },
        )
        super().__init__(**kwargs)


class FormTokenMixin(forms.Form):
    """Adds `form_token`; `cleaned_fields()` gives the other cleaned values for the service."""

    form_token = FormTokenField()

    def cleaned_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "form_token"}


@contextmanager
def submitted_once(*, token: uuid.UUID, user, digest: str = "") -> Iterator[SubmittedForm]:
    """Run the block in a transaction that also spends `token` on `digest`; the block gets the
    row, to record its `result_url`. Spent already: AlreadySubmitted for the same user and
    content, TokenReused otherwise."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                spent = SubmittedForm.objects.create(token=token, user=user, digest=digest)
        except IntegrityError as exc:
            first = SubmittedForm.objects.filter(token=token).first()
            if _same_write(first, user, digest):
                raise AlreadySubmitted(first.result_url) from exc
            raise TokenReused(TOKEN_REUSED) from exc
        yield spent


def _same_write(first: SubmittedForm | None, user, digest: str) -> bool:
    return first is not None and first.user_id == user.pk and first.digest == digest


def replayed(request) -> str | None:
    """The first answer's address when this POST resends a form its user saved already, with
    the same content (a retry after a lost answer, an outbox sent again); else None. Checked
    before the view, whose own checks (the sign is removed now) would answer otherwise."""
    if request.method != "POST" or not request.user.is_authenticated:
        return None
    try:
        token = uuid.UUID(request.POST.get("form_token", ""))
    except ValueError:
        return None
    first = SubmittedForm.objects.filter(token=token).first()
    if first is None or not first.result_url:
        return None  # not spent, or spent by a write still running: the view decides
    if _same_write(first, request.user, content_digest(request)):
        return first.result_url
    return None  # spent on another write: the view's write refuses it, with its message


class ReplayMiddleware:
    """Answers a replayed form as its first save did: "already saved", and its address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (url := replayed(request)) is not None:
            messages.info(request, ALREADY_SAVED)
            return redirect(url)
        return self.get_response(request)
