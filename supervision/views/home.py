"""The supervision's front page: what waits for whom, one card per workflow."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from villages.access import is_reviewer, user_town, visible_villages

from ..selectors import review as review_selectors
from ..selectors import visits as visit_selectors
from ..selectors import worklists as worklist_selectors


@login_required
def supervision_home(request):
    """Reviewers: the queue, the lists, the rounds, the assessment. Staff: their township's
    returned removals, open work-list items and open findings."""
    year = visit_selectors.latest_round_year()
    if is_reviewer(request.user):
        context = {
            "pending": review_selectors.pending_removals().count(),
            "latest_list": worklist_selectors.work_lists().first(),
            "coverage": visit_selectors.coverage(year=year),
        }
    else:
        town = user_town(request.user)
        if town is None:
            raise Http404
        villages = visible_villages(request.user).filter(town=town)
        context = {
            "town": town,
            "returned": review_selectors.returned_removals(villages=villages).count(),
            "open_items": worklist_selectors.open_items(request.user).count(),
            "open_findings": visit_selectors.open_findings(towns=[town]).count(),
            "closed": review_selectors.closed_village_counts(
                as_of=timezone.localdate(), villages=villages
            ).get(town.pk, 0),
            "villages": villages.count(),
        }
    return render(request, "supervision/home.html", {"year": year, **context})


urlpatterns = [path("supervision/", supervision_home, name="supervision")]
