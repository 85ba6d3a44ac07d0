"""Recording a removal (one sign or several) and revoking one."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from utilities.form_tokens import FormTokenMixin
from utilities.forms import CAMERA, BootstrapMixin, DateInput, today

from ..choices import DEFAULT_REMOVAL_REASON, RemovalReason
from ..models import Department, Signboard

TAKEN_AT_SLACK = dt.timedelta(minutes=10)  # a phone's clock a little ahead of the server's


class RemovalFieldsMixin(FormTokenMixin, BootstrapMixin, forms.Form):
    removed_on = forms.DateField(label=_("removed on"), initial=today, widget=DateInput())
    reason = forms.ChoiceField(
        label=_("reason"), choices=RemovalReason.choices, initial=DEFAULT_REMOVAL_REASON
    )
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RemovalForm(RemovalFieldsMixin):
    """One sign: date and reason filled in; the photo comes from the phone's camera.

    When 拍照识牌 still reads the sign in the photo, the form comes back with a warning, the
    photos kept on the server (the pending_* tokens) and `save_anyway` to tick.
    """

    photo = forms.FileField(
        label=_("photo after removal"),
        required=False,
        widget=forms.ClearableFileInput({**CAMERA, "data-shrink-photo": "photo_taken_at"}),
    )
    photo_before = forms.FileField(
        label=_("photo before removal (optional)"),
        required=False,
        widget=forms.ClearableFileInput({**CAMERA, "data-shrink-photo": "photo_before_taken_at"}),
    )
    # When each photo was taken, as the phone read it (static/js/photo-shrink.js): the photo
    # it sends is made small in the browser, which drops the camera's EXIF.
    photo_taken_at = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    photo_before_taken_at = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    requested_by = forms.ModelChoiceField(
        label=_("department that asked for it"),
        queryset=Department.objects.all(),
        required=False,
        help_text=_("Optional: the city department whose request had the sign hung."),
    )
    pending_photo = forms.UUIDField(required=False, widget=forms.HiddenInput)
    pending_photo_before = forms.UUIDField(required=False, widget=forms.HiddenInput)
    save_anyway = forms.BooleanField(
        label=_("Save anyway: the reviewer will be asked to check this photo"), required=False
    )

    def __init__(self, *args, warned: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not warned:
            self.fields["save_anyway"].widget = forms.HiddenInput()
        for field in ("photo", "photo_before"):
            if self[f"pending_{field}"].value():
                self.fields[field].help_text = _(
                    "The photo you took is kept; choose another only to replace it."
                )

    def _clean_taken_at(self, name: str):
        """A time the phone gave: kept when plausible (since 2000, not in the future), else
        dropped, and the server's own time stamps the photo as before."""
        try:
            value = parse_datetime(self.cleaned_data.get(name) or "")
        except ValueError:
            value = None
        if value is None:
            return None  # not given, or not a time: no error to show for a hidden field
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        if value.year < 2000 or value > timezone.now() + TAKEN_AT_SLACK:
            return None
        return value

    def clean_photo_taken_at(self):
        return self._clean_taken_at("photo_taken_at")

    def clean_photo_before_taken_at(self):
        return self._clean_taken_at("photo_before_taken_at")

    def cleaned_fields(self) -> dict:
        """The values the service takes (photos are the view's business)."""
        skip = ("pending_photo", "pending_photo_before", "save_anyway", "photo", "photo_before")
        return {k: v for k, v in super().cleaned_fields().items() if k not in skip}


class BulkRemovalForm(RemovalFieldsMixin):
    """Several ticked signs of one village, one date, one reason."""

    signboards = forms.ModelMultipleChoiceField(
        queryset=Signboard.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, signboards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signboards"].queryset = signboards
        self.fields["signboards"].error_messages["required"] = _("Tick at least one sign.")


class RevokeForm(FormTokenMixin, BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("reason for revoking"), widget=forms.Textarea(attrs={"rows": 2})
    )
