"""Forms for the field pages: few fields, sensible defaults, phone camera for photos."""

import datetime as dt

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villages.form_tokens import FormTokenMixin

from .choices import DEFAULT_REMOVAL_REASON, RemovalReason, SignKind
from .models import ApprovedItem, Signboard
from .selectors import item_kind_order

CAMERA = {"accept": "image/*", "capture": "environment"}


def _today():
    return timezone.localdate()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class BootstrapMixin:
    """Bootstrap classes on every widget, so templates stay plain."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


class RemovalFieldsMixin(FormTokenMixin, BootstrapMixin, forms.Form):
    removed_on = forms.DateField(label=_("removed on"), initial=_today, widget=DateInput())
    reason = forms.ChoiceField(
        label=_("reason"), choices=RemovalReason.choices, initial=DEFAULT_REMOVAL_REASON
    )
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RemovalForm(RemovalFieldsMixin):
    """One sign: date and reason filled in; the photo comes from the phone's camera."""

    photo = forms.FileField(
        label=_("photo after removal"), required=False, widget=forms.ClearableFileInput(CAMERA)
    )
    photo_before = forms.FileField(
        label=_("photo before removal (optional)"),
        required=False,
        widget=forms.ClearableFileInput(CAMERA),
    )


class BulkRemovalForm(RemovalFieldsMixin):
    """Several ticked signs of one village, one date, one reason."""

    signboards = forms.ModelMultipleChoiceField(
        queryset=Signboard.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, signboards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signboards"].queryset = signboards
        self.fields["signboards"].error_messages["required"] = _("Tick at least one sign.")


class SignboardForm(FormTokenMixin, BootstrapMixin, forms.ModelForm):
    """Add a sign; the standard's titles and the village's rooms are offered as suggestions."""

    class Meta:
        model = Signboard
        fields = ["title", "kind", "location", "approved_item", "inventoried_on"]
        widgets = {
            "title": forms.TextInput(attrs={"list": "standard-titles", "autocomplete": "off"}),
            "location": forms.TextInput(attrs={"list": "rooms", "autocomplete": "off"}),
            "inventoried_on": DateInput(),
        }

    def __init__(self, *args, standard=None, **kwargs):
        super().__init__(*args, **kwargs)
        items = ApprovedItem.objects.none() if standard is None else standard.items.all()
        self.fields["approved_item"].queryset = items.order_by(item_kind_order(), "number")
        self.fields["approved_item"].help_text = _(
            "Only if the standard keeps this sign. Leave empty for a sign to remove."
        )
        self.fields["kind"].initial = SignKind.PLAQUE
        self.fields["inventoried_on"].initial = _today


class RevokeForm(FormTokenMixin, BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("reason for revoking"), widget=forms.Textarea(attrs={"rows": 2})
    )


class PasswordChangeForm(BootstrapMixin, auth_forms.PasswordChangeForm):
    """Django's password change, styled like the other forms."""


class AsOfForm(BootstrapMixin, forms.Form):
    """The date figures are shown at (截至) and the year "this year" means; both optional."""

    as_of = forms.DateField(label=_("As of"), required=False, widget=DateInput())
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)

    def clean_as_of(self):
        as_of = self.cleaned_data["as_of"]
        if as_of and as_of > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return as_of

    def values(self) -> tuple[dt.date, int]:
        """(as_of, year), today and its year where the input is missing or invalid."""
        data = self.cleaned_data if self.is_valid() else {}
        as_of = data.get("as_of") or timezone.localdate()
        return as_of, data.get("year") or as_of.year
