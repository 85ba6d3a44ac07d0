"""Quarterly guidance visits: rounds drawn by 两随机, each township's visit with its findings
and rebounds, the township's follow-ups, and what nobody has looked at.

Reviewers run the rounds and record findings; city-level users read everything; township
staff read their own township's visits and close its findings; anyone else gets a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from utilities.views import form_page, submit
from villages.access import is_city_level, is_reviewer, user_town, visible_towns
from villages.decorators import city_reads_reviewer_writes, reviewer_required, town_or_city_required

from ..forms.visits import FindingCloseForm, FindingForm, ReboundForm, VisitForm, VisitRoundForm
from ..selectors import visits as selectors
from ..services import visits as services


def _town(request):
    """The staffer's township; None for city-level users (behind town_or_city_required)."""
    return None if is_city_level(request.user) else user_town(request.user)


def _year(request) -> int:
    """The year asked for, else the latest round's (the page then opens on data)."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return selectors.latest_round_year()
    return year if 2000 <= year <= 2100 else selectors.latest_round_year()


@town_or_city_required
def visit_rounds(request):
    """Reviewers: every round and the year's coverage; staff: their township's visits."""
    town = _town(request)
    year = _year(request)
    if town is not None:
        return render(
            request,
            "supervision/visits/rounds.html",
            {"town": town, "visits": list(selectors.town_visits(town=town)), "year": year},
        )
    return render(
        request,
        "supervision/visits/rounds.html",
        {
            "rounds": list(selectors.rounds()),
            "coverage": selectors.coverage(year=year),
            "year": year,
            "can_create": is_reviewer(request.user),
        },
    )


@reviewer_required
def visit_round_create(request):
    """Draw a quarter's round; 预览抽取结果 shows the draw before anything is saved."""
    form = VisitRoundForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_fields()
        if "preview" in request.POST:
            preview = services.round_draw(
                year=data["year"],
                seed=data["seed"],
                villages_per_town=data["villages_per_town"],
                inspectors_per_visit=data["inspectors_per_visit"],
            )
        else:
            response = submit(
                request,
                form,
                lambda: services.visit_round_create(user=request.user, **data),
                success_url=lambda visit_round: reverse("visit_round", args=[visit_round.pk]),
                already_url=reverse("visit_rounds"),
                message=lambda visit_round: (
                    _("%(round)s drawn and saved.") % {"round": visit_round}
                ),
            )
            if response:
                return response
    return render(request, "supervision/visits/round_form.html", {"form": form, "preview": preview})


@town_or_city_required
def visit_round(request, pk):
    """A round, township by township: date, inspectors, villages, findings and rebounds."""
    town = _town(request)
    visit_round = get_object_or_404(selectors.visible_rounds(town=town), pk=pk)
    visits = list(
        selectors.round_visits(visit_round=visit_round, towns=None if town is None else [town])
    )
    return render(
        request,
        "supervision/visits/round.html",
        {"round": visit_round, "visits": visits, "town": town},
    )


@login_required
def visit_detail(request, pk):
    """One township's visit: each village with its findings and rebounds."""
    visit = get_object_or_404(selectors.visible_visits(request.user), pk=pk)
    staff_town = user_town(request.user)
    return render(
        request,
        "supervision/visits/visit.html",
        {
            "visit": visit,
            "inspectors": list(visit.inspectors.order_by("username")),
            "visit_villages": list(selectors.visit_villages(visit=visit)),
            "can_record": is_reviewer(request.user),
            "can_close": staff_town is not None and staff_town.pk == visit.town_id,
        },
    )


@city_reads_reviewer_writes
def visit_edit(request, pk):
    """Correct a township's visit (its real date, who went, a note): reviewers."""
    visit = get_object_or_404(selectors.visible_visits(request.user), pk=pk)
    visit_url = reverse("visit_detail", args=[visit.pk])
    form = VisitForm(
        request.POST or None,
        inspectors=selectors.inspector_choices(visit=visit),
        initial={
            "visited_on": visit.visited_on,
            "note": visit.note,
            "inspectors": list(visit.inspectors.all()),
        },
    )
    return form_page(
        request,
        form,
        lambda: services.visit_update(visit=visit, user=request.user, **form.cleaned_fields()),
        success_url=visit_url,
        message=_("Visit saved."),
        template="supervision/visits/visit_form.html",
        context={"visit": visit, "can_record": is_reviewer(request.user)},
    )


@city_reads_reviewer_writes
def finding_create(request, pk):
    """Record a problem seen in a visited village and the follow-up the township owes."""
    visit_village = get_object_or_404(selectors.visible_visit_villages(request.user), pk=pk)
    visit_url = reverse("visit_detail", args=[visit_village.visit_id])
    form = FindingForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: services.finding_record(
            visit_village=visit_village, user=request.user, **form.cleaned_fields()
        ),
        success_url=visit_url,
        message=_("Finding recorded."),
        template="supervision/visits/finding_form.html",
        context={"vv": visit_village, "can_record": is_reviewer(request.user)},
    )


@city_reads_reviewer_writes
def rebound_create(request, pk):
    """A removed sign found hung again: the sign goes back on the village's wall."""
    visit_village = get_object_or_404(selectors.visible_visit_villages(request.user), pk=pk)
    visit_url = reverse("visit_detail", args=[visit_village.visit_id])
    removals = selectors.removals_to_rebound(village=visit_village.village)
    form = ReboundForm(
        request.POST or None, removals=removals, found_on=visit_village.visit.visited_on
    )
    return form_page(
        request,
        form,
        lambda: services.rebound_record(
            visit_village=visit_village, user=request.user, **form.cleaned_fields()
        ),
        success_url=visit_url,
        message=lambda rebound: (
            _("Rebound of “%(sign)s” recorded: %(village)s no longer meets the standard.")
            % {"sign": rebound.signboard.title, "village": visit_village.village.name}
        ),
        level=messages.WARNING,
        template="supervision/visits/rebound_form.html",
        context={
            "vv": visit_village,
            "has_removals": removals.exists(),
            "can_record": is_reviewer(request.user),
        },
    )


@login_required
def finding_close(request, pk):
    """The township's staff say how the problem was put right."""
    finding = get_object_or_404(selectors.closable_findings(request.user), pk=pk)
    visit = finding.visit_village.visit
    back = (
        reverse("followups", args=[visit.town.code])
        if request.GET.get("back") == "followups"
        else reverse("visit_detail", args=[visit.pk])
    )
    if finding.closed_at is not None:
        messages.info(request, _("This finding has already been closed."))
        return redirect(back)
    form = FindingCloseForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: services.finding_close(
            finding=finding, user=request.user, note=form.cleaned_data["note"]
        ),
        success_url=back,
        message=_("Finding closed."),
        template="supervision/visits/finding_close.html",
        context={"finding": finding, "visit": visit, "back": back},
    )


@login_required
def followups(request, code):
    """A township's open findings, the most urgent first, and the latest closed."""
    town = get_object_or_404(visible_towns(request.user), code=code)
    staff_town = user_town(request.user)
    return render(
        request,
        "supervision/visits/followups.html",
        {
            "town": town,
            "open": list(selectors.open_findings(towns=[town])),
            "closed": selectors.closed_findings(towns=[town]),
            "can_close": staff_town is not None and staff_town.pk == town.pk,
            "today": timezone.localdate(),
        },
    )


@town_or_city_required
def not_looked_at(request):
    """Villages never visited or not visited this year, and removals awaiting verification;
    township staff see their own township's part."""
    town = _town(request)
    year = _year(request)
    report = selectors.not_looked_at(year=year, towns=None if town is None else [town])
    return render(
        request,
        "supervision/visits/not_looked_at.html",
        {"report": report, "year": year, "town": town},
    )


urlpatterns = [
    path("visits/", visit_rounds, name="visit_rounds"),
    path("visits/new/", visit_round_create, name="visit_round_create"),
    path("visits/not-looked-at/", not_looked_at, name="not_looked_at"),
    path("visits/<int:pk>/", visit_round, name="visit_round"),
    path("visits/visit/<int:pk>/", visit_detail, name="visit_detail"),
    path("visits/visit/<int:pk>/edit/", visit_edit, name="visit_edit"),
    path("visits/village/<int:pk>/findings/new/", finding_create, name="finding_create"),
    path("visits/village/<int:pk>/rebounds/new/", rebound_create, name="rebound_create"),
    path("findings/<int:pk>/close/", finding_close, name="finding_close"),
    path("t/<str:code>/followups/", followups, name="followups"),
]
