"""What the field pages share: scoping a village to the user, the one-time form token around a
service call, and showing a service's errors on a form."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from villages.access import editable_villages, visible_villages
from villages.form_tokens import submitted_once


def village_for(request, code, *, edit=False):
    scope = editable_villages(request.user) if edit else visible_villages(request.user)
    return get_object_or_404(scope, code=code)


def once(form, request):
    """The service call and the spending of the form's one-time token, in one transaction."""
    return submitted_once(token=form.cleaned_data["form_token"], user=request.user)


def already_submitted(request, url: str):
    messages.info(request, _("This form was already saved; it was not saved twice."))
    return redirect(url)


def add_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, on its field where the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
