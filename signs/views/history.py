"""Who did what, and when: a sign's and a village's history, a township's activity log."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.decorators import method_decorator
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from villages.access import (
    visible_towns,
)
from villages.decorators import city_level_required, village_visible

from .. import history, selectors
from ..filtersets import AuditEntryFilterSet
from ..tables import AuditEntryTable

HISTORY_PER_PAGE = 50


@login_required
def signboard_history(request, pk):
    """Who did what to a sign, and when, with each change before → after."""
    sign = get_object_or_404(selectors.visible_signboards(request.user), pk=pk)
    removals = sign.removals.select_related("recorded_by", "revoked_by").order_by("recorded_at")
    return render(
        request,
        "signs/signboard_history.html",
        {
            "sign": sign,
            "removals": removals,
            "rows": history.describe_entries(selectors.signboard_history(signboard=sign)),
        },
    )


@village_visible
def village_history(request, village):
    """Every change to a village, its signs and their removals, newest first, 50 a page."""
    paginator = Paginator(selectors.village_history(village=village), HISTORY_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "signs/village_history.html",
        {"village": village, "page": page, "rows": history.describe_entries(page.object_list)},
    )


class TownActivityView(SingleTableMixin, FilterView):
    """A township's activity log for the city's reviewers: by user, action and local dates."""

    table_class = AuditEntryTable
    filterset_class = AuditEntryFilterSet
    template_name = "signs/town_activity.html"
    table_pagination = {"per_page": HISTORY_PER_PAGE}

    # Reviewers oversee the townships; a township's own staff have their village pages.
    @method_decorator(city_level_required)
    def dispatch(self, request, *args, **kwargs):
        self.town = get_object_or_404(visible_towns(request.user), code=kwargs["code"])
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.town_activity(town=self.town)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "town": self.town}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "town": self.town}


urlpatterns = [
    path("t/<str:code>/activity/", TownActivityView.as_view(), name="town_activity"),
    path("v/<str:code>/history/", village_history, name="village_history"),
    path("s/<int:pk>/", signboard_history, name="signboard_history"),
]
