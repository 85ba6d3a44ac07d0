"""Forms of the annual assessment: the year shown, the weights, a township's remarks."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from utilities.form_tokens import FormTokenMixin
from utilities.forms import BootstrapMixin, show_values

from ..choices import Indicator
from ..services.assessment import FIRST_YEAR


class AssessmentYearForm(BootstrapMixin, forms.Form):
    """The year assessed; see `value` for the year when the input is missing or invalid."""

    year = forms.IntegerField(label=_("Year"), required=False, min_value=FIRST_YEAR)

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year and year > timezone.localdate().year:
            raise forms.ValidationError(_("The year cannot be after this year."))
        return year

    def value(self, *, default_year=None) -> int:
        """The year typed, else `default_year()` (the latest year with data), else this year;
        shown in the field."""
        data = self.cleaned_data if self.is_valid() else {}
        year = data.get("year") or (default_year and default_year()) or timezone.localdate().year
        show_values(self, year=year)
        return year


class WeightsForm(FormTokenMixin, BootstrapMixin, forms.Form):
    """One whole number per indicator; the service checks that they add up to 100."""

    def __init__(self, *args, weights: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        for indicator in Indicator:
            self.fields[indicator.value] = forms.IntegerField(
                label=indicator.label,
                min_value=0,
                max_value=100,
                initial=weights.get(indicator.value, 0),
                widget=forms.NumberInput(
                    attrs={
                        "class": "form-control",
                        "inputmode": "numeric",
                        "data-testid": f"weight-{indicator.value}",
                    }
                ),
            )

    def weights(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in Indicator.values}


class RemarkForm(FormTokenMixin, BootstrapMixin, forms.Form):
    remarks = forms.CharField(
        label=_("Remarks"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
