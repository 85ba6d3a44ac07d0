"""Forms of the monthly work lists: issue a list, add an item, mark an item done."""

from __future__ import annotations

import calendar
import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from utilities.form_tokens import FormTokenMixin
from utilities.forms import BootstrapMixin, DateInput
from villages.models import Town

MONTHS = [(m, m) for m in range(1, 13)]


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


class WorkListForm(FormTokenMixin, BootstrapMixin, forms.Form):
    """This month by default, due at its end; one task per line; items from the figures."""

    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(label=_("month"), choices=MONTHS, coerce=int)
    title = forms.CharField(
        label=_("title"),
        max_length=200,
        required=False,
        help_text=_("Left empty: “Work list for the month” with its year and month."),
    )
    due_on = forms.DateField(label=_("due on"), widget=DateInput())
    notes = forms.CharField(
        label=_("instructions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    tasks = forms.CharField(
        label=_("Tasks for every township (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    generate = forms.BooleanField(
        label=_("Generate items from the figures: villages still behind and returned removals"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["month"].initial = today.month
        self.fields["due_on"].initial = month_end(today)
        self.fields["year"].widget.attrs["class"] += " year-field"

    def clean(self):
        data = super().clean()
        if not data.get("title") and data.get("year") and data.get("month"):
            data["title"] = gettext("%(year)s-%(month)s work list") % {
                "year": data["year"],
                "month": data["month"],
            }
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_fields()
        data["tasks"] = data["tasks"].splitlines()
        return data


class TownChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class WorkItemForm(FormTokenMixin, BootstrapMixin, forms.Form):
    """A free-text item for one township, or for every one."""

    text = forms.CharField(label=_("item"), widget=forms.Textarea(attrs={"rows": 3}))
    town = TownChoiceField(
        label=_("township"),
        queryset=Town.objects.order_by("code"),
        required=False,
        empty_label=_("Every township"),
    )


class WorkItemDoneForm(FormTokenMixin, BootstrapMixin, forms.Form):
    note = forms.CharField(
        label=_("how it was done"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please say how the item was done.")},
    )
