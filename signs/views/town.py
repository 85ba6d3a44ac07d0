"""A township's page: its villages with their progress, and where a user lands."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from utilities.forms import AsOfForm
from utilities.job_views import export_or_job
from utilities.offline import offline_page
from villages.access import (
    is_city_level,
    user_town,
    visible_towns,
    visible_villages,
)

from .. import exports, selectors
from ..filtersets import VillageFilterSet
from ..tables import VillageTable

FLAGGED_SHOWN = 20


@login_required
def home(request):
    """Township staff go to their township, city-level users to the dashboard."""
    town = user_town(request.user)
    city_level = is_city_level(request.user)
    if town is not None and not city_level:
        return redirect("town", code=town.code)
    if city_level:
        return redirect("dashboard")  # reports sits above signs: linked by URL name only
    return render(request, "signs/home.html", {"town": town})


class TownView(SingleTableMixin, FilterView):
    """A township's villages: search, filter by meeting the standard, sort, page."""

    table_class = VillageTable
    filterset_class = VillageFilterSet
    template_name = "signs/town.html"
    table_pagination = {"per_page": 30}

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission(request)
        self.town = get_object_or_404(visible_towns(request.user), code=kwargs["code"])
        self.as_of, _year = AsOfForm(request.GET).values()
        return super().dispatch(request, *args, **kwargs)

    def handle_no_permission(self, request):
        return redirect_to_login(request.get_full_path())

    def get_queryset(self):
        villages = visible_villages(self.request.user).filter(town=self.town)
        return selectors.village_progress(as_of=self.as_of, villages=villages)

    def get_table_kwargs(self):
        return {"as_of": self.as_of}

    def render_to_response(self, context, **kwargs):
        if self.request.GET.get("_export") == "xlsx":
            return export_or_job(
                self.request,
                rows=len(context["table"].rows),
                respond=lambda: exports.town_progress(
                    context["table"], town=self.town, as_of=self.as_of
                ),
                title=_("%(town)s's villages as Excel") % {"town": self.town.name},
            )
        return super().render_to_response(context, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["town"] = self.town
        context["is_today"] = self.as_of == timezone.localdate()
        context["as_of"] = self.as_of
        context["totals"] = selectors.city_progress(as_of=self.as_of, towns=[self.town])
        villages = visible_villages(self.request.user).filter(town=self.town)
        context["flagged"] = list(selectors.flagged_removals(villages=villages)[:FLAGGED_SHOWN])
        return context


urlpatterns = [
    path("", home, name="home"),
    path("t/<str:code>/", offline_page(TownView.as_view()), name="town"),
]
