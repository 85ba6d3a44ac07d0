"""One-time form tokens: a double tap or a resent POST writes once.

Every write form carries a fresh UUID from its own page load (`FormTokenField`); the view wraps
its service call in `submitted_once`, which inserts the token in the same transaction. The
unique constraint makes the second insert fail, even when both requests arrive at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from .models import SubmittedForm


class AlreadySubmitted(Exception):
    """This form (its token) has already been saved once."""


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
def submitted_once(*, token: uuid.UUID, user) -> Iterator[None]:
    """Run the block in a transaction that also spends `token`; AlreadySubmitted if spent."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                SubmittedForm.objects.create(token=token, user=user)
        except IntegrityError as exc:
            raise AlreadySubmitted from exc
        yield
