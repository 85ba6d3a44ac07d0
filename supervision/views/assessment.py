"""The annual assessment (年度考核评议): the ranked table, its 台账, the weights, the remarks.

Reviewers see every township and write the weights and remarks; township staff see their own
township's line (ranked among all); anyone else gets a 404.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from signs import selectors as signs_selectors
from utilities.views import form_page, submit
from villages.access import is_city_level, is_reviewer, user_town, visible_towns
from villages.decorators import (
    city_reads_reviewer_writes,
    reviewer_required,
    town_or_city_required,
)

from .. import exports
from ..choices import Indicator
from ..forms.assessment import AssessmentYearForm, RemarkForm, WeightsForm
from ..selectors import assessment as selectors
from ..services import assessment as services
from ..services.assessment import FIRST_YEAR

# The indicators in a word each, for the phone's one-line summary of a township.
SHORT_LABELS = {
    Indicator.PROGRESS: gettext_lazy("Progress"),
    Indicator.MEETING: gettext_lazy("Meets"),
    Indicator.NO_REBOUND: gettext_lazy("Rebound-free"),
    Indicator.WORK_ON_TIME: gettext_lazy("Done on time"),
    Indicator.FINDINGS_CLOSED: gettext_lazy("Fixed"),
}


def _latest_year() -> int | None:
    """The campaign's latest year with removals: where the assessment opens."""
    return signs_selectors.latest_removal_year(as_of=timezone.localdate())


def _assessment_url(year: int) -> str:
    return f"{reverse('assessment')}?year={year}"


def _weights_shown(weights: dict[str, int]) -> list[tuple[str, int]]:
    return [(indicator.label, weights[indicator.value]) for indicator in Indicator]


@town_or_city_required
def assessment(request):
    """Every township ranked for reviewers; a township's staff see their own line."""
    form = AssessmentYearForm(request.GET or None)
    year = form.value(default_year=_latest_year)
    town = None if is_city_level(request.user) else user_town(request.user)
    rows = selectors.assessment(year=year)
    ranked = len(rows)
    if town is not None:  # ranked among all, shown alone
        rows = [row for row in rows if row.town.pk == town.pk]
    weights = selectors.weights()
    as_of = selectors.as_of_for(year)
    if request.GET.get("_export") == "xlsx":
        return exports.assessment(rows=rows, weights=weights, year=year, as_of=as_of)
    return render(
        request,
        "supervision/assessment/assessment.html",
        {
            "form": form,
            "year": year,
            "as_of": as_of,
            "is_current_year": as_of == timezone.localdate(),
            "rows": rows,
            "lines": [
                (
                    row,
                    [(SHORT_LABELS[name], value) for name, value in row.shown_values().items()],
                )
                for row in rows
            ],
            "ranked": ranked,
            "weights": _weights_shown(weights),
            "own_town": town,
            "can_review": is_reviewer(request.user),
        },
    )


@reviewer_required
def assessment_weights(request):
    """The reviewers set how much each indicator counts; the five add up to 100."""
    year = AssessmentYearForm(request.GET or None).value(default_year=_latest_year)
    back = _assessment_url(year)
    form = WeightsForm(request.POST or None, weights=selectors.weights())
    return form_page(
        request,
        form,
        lambda: services.weights_update(user=request.user, weights=form.weights()),
        success_url=back,
        message=_("The weights were saved; the scores use them now."),
        template="supervision/assessment/weights.html",
        context={"year": year, "back": back},
    )


@city_reads_reviewer_writes
def assessment_remarks(request, year, code):
    """A township's line of the year and the reviewers' remarks on it.

    City-level users may read it; only reviewers write (anyone else: 404).
    """
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise Http404
    town = get_object_or_404(visible_towns(request.user), code=code)
    can_write = is_reviewer(request.user)
    rows = selectors.assessment(year=year)
    row = next(row for row in rows if row.town.pk == town.pk)
    back = _assessment_url(year)
    form = None
    if can_write:
        form = RemarkForm(request.POST or None, initial={"remarks": row.remarks})
    if form is not None and form.is_bound and form.is_valid():
        response = submit(
            request,
            form,
            lambda: services.remark_save(
                user=request.user, town=town, year=year, remarks=form.cleaned_data["remarks"]
            ),
            success_url=back,
            message=_("Remarks on %(town)s saved.") % {"town": town.name},
        )
        if response:
            return response
    return render(
        request,
        "supervision/assessment/remarks.html",
        {
            "form": form,
            "town": town,
            "year": year,
            "row": row,
            "ranked": len(rows),
            "weights": _weights_shown(selectors.weights()),
            "back": back,
        },
    )


urlpatterns = [
    path("assessment/", assessment, name="assessment"),
    path("assessment/weights/", assessment_weights, name="assessment_weights"),
    path(
        "assessment/<int:year>/<str:code>/remarks/",
        assessment_remarks,
        name="assessment_remarks",
    ),
]
