"""Who may see what: every view starts from these querysets, so scope is never forgotten."""

from __future__ import annotations

from django.db.models import QuerySet

from . import roles
from .models import Town, TownStaff, Village


def user_town(user) -> Town | None:
    """The township a user works for, or None for city-level users (cached on the user)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_town_cache"):
        staff = TownStaff.objects.select_related("town").filter(user=user).first()
        user._town_cache = staff.town if staff else None
    return user._town_cache


def is_city_level(user) -> bool:
    """Reviewers and administrators see every township (cached on the user)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return bool(_group_names(user) & {roles.REVIEWER, roles.SYSTEM_ADMIN})


def _group_names(user) -> frozenset[str]:
    """The names of the user's groups, read once per request (cached on the user)."""
    if not hasattr(user, "_group_names_cache"):
        user._group_names_cache = frozenset(user.groups.values_list("name", flat=True))
    return user._group_names_cache


def visible_towns(user) -> QuerySet[Town]:
    if is_city_level(user):
        return Town.objects.all()
    town = user_town(user)
    if town is None:
        return Town.objects.none()
    return Town.objects.filter(pk=town.pk)


def visible_villages(user) -> QuerySet[Village]:
    return Village.objects.filter(town__in=visible_towns(user)).select_related("town")


def editable_villages(user) -> QuerySet[Village]:
    """Villages whose inventory and removals the user may change: staff, own township only."""
    town = user_town(user)
    if town is None:
        return Village.objects.none()
    return Village.objects.filter(town=town).select_related("town")


def can_edit_village(user, village: Village) -> bool:
    town = user_town(user)
    return town is not None and village.town_id == town.pk


def is_reviewer(user) -> bool:
    """Reviewers run the supervision (review, work lists, visits, assessment); cached."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return roles.REVIEWER in _group_names(user)


def is_system_admin(user) -> bool:
    """The system administrator (三员分立: accounts and the territory); superusers too; cached."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return roles.SYSTEM_ADMIN in _group_names(user)
