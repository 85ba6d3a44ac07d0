"""Forms of the guidance visits: a round's draw, a finding, a rebound, closing a finding."""

import secrets

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from utilities.form_tokens import FormTokenMixin
from utilities.forms import BootstrapMixin, DateInput

from ..choices import Severity

SEED_MAX = 999_999


def _random_seed() -> int:
    return secrets.randbelow(SEED_MAX) + 1


def _this_year() -> int:
    return timezone.localdate().year


def _this_quarter() -> int:
    return (timezone.localdate().month - 1) // 3 + 1


def _today():
    return timezone.localdate()


class VisitRoundForm(FormTokenMixin, BootstrapMixin, forms.Form):
    """A quarter's round: the seed is filled in at random and may be typed to redo a draw."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, initial=_this_year)
    quarter = forms.TypedChoiceField(
        label=_("quarter"),
        coerce=int,
        choices=[(q, _("Q%(q)s") % {"q": q}) for q in range(1, 5)],
        initial=_this_quarter,
    )
    seed = forms.IntegerField(
        label=_("random seed"),
        min_value=0,
        max_value=2_147_483_647,
        initial=_random_seed,
        help_text=_("The same seed over the same villages and reviewers gives the same draw."),
    )
    villages_per_town = forms.IntegerField(
        label=_("villages per township"), min_value=1, max_value=50, initial=2
    )
    inspectors_per_visit = forms.IntegerField(
        label=_("inspectors per visit"), min_value=1, max_value=10, initial=2
    )
    visited_on = forms.DateField(label=_("visited on"), initial=_today, widget=DateInput())


class VisitForm(FormTokenMixin, BootstrapMixin, forms.Form):
    """Correct a township's visit: the day it took place, who went, what was noted."""

    visited_on = forms.DateField(label=_("visited on"), widget=DateInput())
    inspectors = forms.ModelMultipleChoiceField(
        label=_("inspectors"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, inspectors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].queryset = inspectors
        self.fields["inspectors"].label_from_instance = lambda u: u.get_full_name() or u.username


class FindingForm(FormTokenMixin, BootstrapMixin, forms.Form):
    problem = forms.CharField(label=_("problem"), widget=forms.Textarea(attrs={"rows": 2}))
    severity = forms.ChoiceField(
        label=_("severity"), choices=Severity.choices, initial=Severity.MINOR
    )
    action = forms.CharField(label=_("follow-up action"), widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=_("due on"), required=False, widget=DateInput())


class ReboundForm(FormTokenMixin, BootstrapMixin, forms.Form):
    """Which removed sign is back on the wall: one of the village's removals in effect."""

    removal = forms.ModelChoiceField(label=_("sign found hung again"), queryset=None)
    found_on = forms.DateField(label=_("found on"), widget=DateInput())
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, removals, found_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["removal"].queryset = removals
        self.fields["removal"].label_from_instance = self.removal_label
        self.fields["found_on"].initial = found_on or _today()

    @staticmethod
    def removal_label(removal) -> str:
        sign = removal.signboard
        where = f" · {sign.location}" if sign.location else ""
        return f"{sign.title}{where} · {removal.removed_on:%Y-%m-%d}"


class FindingCloseForm(FormTokenMixin, BootstrapMixin, forms.Form):
    note = forms.CharField(
        label=_("how it was put right"), widget=forms.Textarea(attrs={"rows": 3})
    )
