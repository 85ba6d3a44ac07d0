"""The annual assessment (年度考核评议): the ranked table, its 台账, the weights, the remarks.

Reviewers see every township and write the weights and remarks; township staff see their own
township's line (ranked among all); anyone else gets a 404.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from signs import selectors as signs_selectors
from signs.excel import XLSX_CONTENT_TYPE, content_disposition
from signs.view_helpers import add_errors, already_submitted, once
from villages.access import is_city_level, is_reviewer, user_town, visible_towns
from villages.form_tokens import AlreadySubmitted

from ..choices import Indicator
from ..forms.assessment import AssessmentYearForm, RemarkForm, WeightsForm
from ..selectors import assessment as selectors
from ..services import assessment as services
from ..services.assessment import FIRST_YEAR
from ..tables import assessment as sheet

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


@login_required
def assessment(request):
    """Every township ranked for reviewers; a township's staff see their own line."""
    form = AssessmentYearForm(request.GET or None)
    year = form.value(default_year=_latest_year)
    city_level = is_city_level(request.user)
    town = None if city_level else user_town(request.user)
    if not city_level and town is None:
        raise Http404
    rows = selectors.assessment(year=year)
    ranked = len(rows)
    if town is not None:  # ranked among all, shown alone
        rows = [row for row in rows if row.town.pk == town.pk]
    weights = selectors.weights()
    as_of = selectors.as_of_for(year)
    if request.GET.get("_export") == "xlsx":
        response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
        sheet.write_sheet(
            response, rows=rows, weights=weights, year=year, as_of=as_of,
            unit=settings.SITE_UNIT_NAME,
        )  # fmt: skip
        response["Content-Disposition"] = content_disposition(
            sheet.filename(year), ascii_name=f"hengzhou-assessment-{year}.xlsx"
        )
        return response
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


@login_required
def assessment_weights(request):
    """The reviewers set how much each indicator counts; the five add up to 100."""
    if not is_reviewer(request.user):
        raise Http404
    year = AssessmentYearForm(request.GET or None).value(default_year=_latest_year)
    back = _assessment_url(year)
    form = WeightsForm(request.POST or None, weights=selectors.weights())
    if request.method == "POST" and form.is_valid():
        try:
            with once(form, request):
                services.weights_update(user=request.user, weights=form.weights())
        except AlreadySubmitted:
            return already_submitted(request, back)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The weights were saved; the scores use them now."))
            return redirect(back)
    return render(
        request,
        "supervision/assessment/weights.html",
        {"form": form, "year": year, "back": back},
    )


@login_required
def assessment_remarks(request, year, code):
    """A township's line of the year and the reviewers' remarks on it.

    City-level users may read it; only reviewers write (anyone else: 404).
    """
    if not is_city_level(request.user):
        raise Http404
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise Http404
    town = get_object_or_404(visible_towns(request.user), code=code)
    can_write = is_reviewer(request.user)
    if request.method == "POST" and not can_write:
        raise Http404
    rows = selectors.assessment(year=year)
    row = next(row for row in rows if row.town.pk == town.pk)
    back = _assessment_url(year)
    form = None
    if can_write:
        form = RemarkForm(request.POST or None, initial={"remarks": row.remarks})
    if form is not None and form.is_bound and form.is_valid():
        try:
            with once(form, request):
                services.remark_save(
                    user=request.user, town=town, year=year, remarks=form.cleaned_data["remarks"]
                )
        except AlreadySubmitted:
            return already_submitted(request, back)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Remarks on %(town)s saved.") % {"town": town.name})
            return redirect(back)
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
