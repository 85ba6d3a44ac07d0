"""Keeping VillageTally current: every write to signs or removals refreshes its village.

Call `refresh_village_tallies` inside the transaction of the write. It locks the villages'
rows first (FOR NO KEY UPDATE, in id order), so two writes to one village refresh one after
the other and the second sees the first's rows; on SQLite writers are serialised anyway.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from villages.models import Village

from . import selectors
from .models import VillageTally

FIGURES = [
    field.name
    for field in VillageTally._meta.concrete_fields
    if field.name not in ("village", "refreshed_at")
]
BATCH = 2000


def _tallies(figures: dict[int, dict], village_ids: Iterable[int]) -> list[VillageTally]:
    return [VillageTally(village_id=pk, **figures.get(pk, {})) for pk in village_ids]


def _save(tallies: list[VillageTally]) -> None:
    VillageTally.objects.bulk_create(
        tallies,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["village"],
        update_fields=[*FIGURES, "refreshed_at"],
    )


@transaction.atomic
def refresh_village_tallies(village_ids: Iterable[int]) -> None:
    """Recompute today's figures of these villages from the base tables."""
    ids = list(
        Village.objects.select_for_update(no_key=True)
        .filter(pk__in=set(village_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return
    figures = selectors.village_figures(as_of=timezone.localdate(), village_ids=ids)
    _save(_tallies(figures, ids))


@transaction.atomic
def rebuild_all_tallies() -> int:
    """Recompute every village's tally (after a bulk load, or to repair); returns the count.

    One pass over all signs; the villages are locked as a write would lock them.
    """
    ids = list(
        Village.objects.select_for_update(no_key=True).order_by("pk").values_list("pk", flat=True)
    )
    figures = selectors.village_figures(as_of=timezone.localdate())
    _save(_tallies(figures, ids))
    return len(ids)
