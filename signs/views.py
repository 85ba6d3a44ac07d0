from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from villages.access import is_city_level, user_town

from . import selectors


@login_required
def home(request):
    """Landing page: who is signed in, for which township, and where things stand today."""
    town = user_town(request.user)
    city_level = is_city_level(request.user)
    as_of = timezone.localdate()
    towns = None if city_level else ([town] if town else [])
    totals = selectors.city_progress(as_of=as_of, towns=towns) if (city_level or town) else None
    return render(
        request,
        "signs/home.html",
        {"town": town, "city_level": city_level, "totals": totals, "as_of": as_of},
    )
