"""Form plumbing every app shares: Bootstrap classes on widgets, date and camera inputs, the
as-of form of the figures pages, and the password form styled like the rest."""

import datetime as dt

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A phone opens its back camera for a photo field with these attributes.
CAMERA = {"accept": "image/*", "capture": "environment"}


def today():
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
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


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

    def values(self, *, default_year=None) -> tuple[dt.date, int]:
        """(as_of, year): today where the date is missing or invalid; for the year,
        `default_year(as_of)` (e.g. the latest year with data) or else as_of's year.

        The values in effect are then shown in the fields, so that a year is never blank on
        screen while the page shows one; what the user typed wrong stays as typed."""
        data = self.cleaned_data if self.is_valid() else {}
        as_of = data.get("as_of") or timezone.localdate()
        year = data.get("year") or (default_year and default_year(as_of)) or as_of.year
        show_values(self, as_of=as_of, year=year)
        return as_of, year


def show_values(form: forms.Form, **values) -> None:
    """Fill the fields left blank with the values in effect (a bound form keeps any input)."""
    if not form.is_bound:
        form.initial.update(values)
        return
    data = form.data.copy()
    for name, value in values.items():
        if not data.get(name):
            data[name] = value
    form.data = data
