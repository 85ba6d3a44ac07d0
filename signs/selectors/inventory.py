"""Which signs a user may see and change, and a village's inventory as it stands."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Prefetch,
    QuerySet,
)

from villages.access import editable_villages, visible_villages
from villages.models import Village

from ..models import Removal, Signboard
from .figures import removals_in_effect, signboards_at


def visible_signboards(user) -> QuerySet[Signboard]:
    return Signboard.objects.filter(village__in=visible_villages(user)).select_related(
        "village__town", "approved_item"
    )


def editable_signboards(user) -> QuerySet[Signboard]:
    return Signboard.objects.filter(village__in=editable_villages(user)).select_related(
        "village__town", "approved_item"
    )


def is_removed(signboard: Signboard) -> bool:
    """Whether the sign has a removal in effect (so it cannot be removed again)."""
    return signboard.removals.in_effect().exists()


def editable_removals(user) -> QuerySet[Removal]:
    return Removal.objects.filter(signboard__village__in=editable_villages(user)).select_related(
        "signboard__village__town"
    )


def village_signs(*, village: Village, as_of: dt.date) -> QuerySet[Signboard]:
    """A village's inventory at `as_of`, by room, with status and the removal in effect.

    `active_removal` is a list of at most one Removal (prefetched: one extra query).
    """
    in_effect = removals_in_effect(as_of=as_of).select_related("recorded_by")
    return (
        signboards_at(as_of=as_of, signboards=Signboard.objects.filter(village=village))
        .select_related("approved_item")
        .prefetch_related(Prefetch("removals", queryset=in_effect, to_attr="active_removal"))
        .order_by("location", "kind", "title", "pk")
    )


def room_suggestions(*, village: Village) -> list[str]:
    """Rooms already used in the village, so nobody retypes them."""
    rooms = village.signboards.exclude(location="").order_by("location").distinct()
    return list(rooms.values_list("location", flat=True))
