"""Role gates, so that a view's first line says who may use it.

Each gate signs in the anonymous (the login page) and answers a 404 to a signed-in user whose
role does not fit: a page one may not use does not exist for one. Scope (which township's
objects) stays with the querysets of `villages.access`, where every view starts.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from .access import (
    editable_villages,
    is_city_level,
    is_reviewer,
    user_town,
    visible_villages,
)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _gate(allowed):
    """A decorator that lets a signed-in request through when `allowed(request)` holds."""

    def decorator(view):
        @wraps(view)
        def gated(request, *args, **kwargs):
            if not allowed(request):
                raise Http404
            return view(request, *args, **kwargs)

        return login_required(gated)

    return decorator


# Reviewers and administrators: the city's pages.
city_level_required = _gate(lambda request: is_city_level(request.user))
# Reviewers only: the supervision's decisions.
reviewer_required = _gate(lambda request: is_reviewer(request.user))
# City-level users may open the page; only reviewers may send it (as on the review page).
city_reads_reviewer_writes = _gate(
    lambda request: (
        is_reviewer(request.user)
        if request.method not in SAFE_METHODS
        else is_city_level(request.user)
    )
)
# Anyone with a place in the campaign: the city, or the staff of a township.
town_or_city_required = _gate(
    lambda request: is_city_level(request.user) or user_town(request.user) is not None
)
# The staff of a township (a city-level user has no township of their own).
town_staff_required = _gate(lambda request: user_town(request.user) is not None)


def village_for(request, code, *, edit=False):
    """The village of `code` if the user may see it (or, with edit, change it), else a 404."""
    scope = editable_villages(request.user) if edit else visible_villages(request.user)
    return get_object_or_404(scope, code=code)


def _village_gate(*, edit: bool):
    def decorator(view):
        @wraps(view)
        def gated(request, code, *args, **kwargs):
            return view(request, village_for(request, code, edit=edit), *args, **kwargs)

        return login_required(gated)

    return decorator


# The view receives the village of the URL's `code` instead of the code: one the user may see,
village_visible = _village_gate(edit=False)
# or one whose inventory and removals the user may change (its own township's staff).
village_editable = _village_gate(edit=True)
