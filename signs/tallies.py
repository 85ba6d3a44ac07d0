"""Keeping the tallies current: every write to signs or removals refreshes its village.

Call `refresh_village_tallies` inside the transaction of the write. It locks the villages'
rows first (FOR NO KEY UPDATE, in id order), so two writes to one village refresh one after
the other and the second sees the first's rows; on SQLite writers are serialised anyway.

Two tables: `VillageTally`, today's figures, and `VillageDayTally`, the figures as of each day
they changed. A village's figures change only on the days a sign was inventoried, a removal
took effect (its removed_on) or one was revoked (the day of revoked_at): between two such
days they stay as they are, so the figures at any date are the row of the latest change day
on or before it. A write that changes the past (a backdated removal, a sign inventoried last
year) passes `since`, its date: the village's rows from that day on are computed again.

Each removal also carries copies of its sign's village and requesting department
(`sign_village`, `sign_requested_by`), for the department report: set when it is created, and
by `copy_sign_fields` when a sign's village or department changes (never touching another
sign's removals, which a concurrent write may hold); `rebuild_all_tallies` repairs them all.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from villages.models import Village

from . import selectors
from .models import Removal, Signboard, VillageDayTally, VillageTally

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


def _lock(village_ids) -> list[int]:
    qs = Village.objects.select_for_update(no_key=True).order_by("pk")
    if village_ids is not None:
        qs = qs.filter(pk__in=set(village_ids))
    return list(qs.values_list("pk", flat=True))


@transaction.atomic
def refresh_village_tallies(village_ids: Iterable[int], *, since: dt.date | None = None) -> None:
    """Recompute these villages' figures: today's, and their days' from `since` on (all their
    days when None). A write dated today passes nothing else to compute than today's row."""
    ids = _lock(village_ids)
    if not ids:
        return
    today = timezone.localdate()
    figures = selectors.village_figures(as_of=today, village_ids=ids)
    _save(_tallies(figures, ids))
    if not settings.DAY_TALLIES:
        return
    if since is not None and since >= today:
        _replace_days(ids, since=today, rows=_day_rows(figures, ids, today))
    else:
        _rebuild_days(ids, since=since, today=today)


@transaction.atomic
def rebuild_all_tallies(*, days: bool = True) -> int:
    """Recompute every village's tallies, today's and (with `days`) by day, after a bulk load
    or to repair; returns the count of villages. The villages are locked as a write would
    lock them; one pass over the signs of the villages that change, per change day."""
    ids = _lock(None)
    _repair_sign_copies()
    today = timezone.localdate()
    figures = selectors.village_figures(as_of=today)
    _save(_tallies(figures, ids))
    if days:
        _rebuild_days(ids, since=None, today=today)
    return len(ids)


def copy_sign_fields(signboard: Signboard) -> None:
    """After a write to a sign's village or department, in its transaction: its removals'
    copies follow (a new removal is created with them)."""
    Removal.objects.filter(signboard=signboard).update(
        sign_village_id=signboard.village_id, sign_requested_by_id=signboard.requested_by_id
    )


def _repair_sign_copies() -> None:
    """Every removal's copies made equal to its sign's (after a bulk load, or writes behind
    the services' back). One query when nothing differs."""
    rows = Removal.objects.order_by().values_list(
        "pk", "signboard__village_id", "signboard__requested_by_id", "sign_village_id",
        "sign_requested_by_id",
    )  # fmt: skip
    stale = [
        Removal(pk=pk, sign_village_id=village, sign_requested_by_id=department)
        for pk, village, department, *copies in rows
        if copies != [village, department]
    ]
    Removal.objects.bulk_update(stale, ["sign_village", "sign_requested_by"], batch_size=BATCH)


def change_days(village_ids: list[int], *, since: dt.date | None, today: dt.date):
    """{village id: the sorted days, from `since` (itself included) to today, on which its
    figures may change}."""
    days: dict[int, set[dt.date]] = defaultdict(set)
    signs = Signboard.objects.filter(village_id__in=village_ids)
    removals = Removal.objects.filter(signboard__village_id__in=village_ids)
    if since is not None:
        signs = signs.filter(inventoried_on__gte=since)
    for village_id, day in signs.values_list("village_id", "inventoried_on").distinct():
        days[village_id].add(day)
    for village_id, day, revoked_at in removals.values_list(
        "signboard__village_id", "removed_on", "revoked_at"
    ):
        days[village_id].add(day)
        if revoked_at is not None:
            days[village_id].add(timezone.localdate(revoked_at))
    result = {}
    for village_id in village_ids:
        wanted = {d for d in days.get(village_id, ()) if d <= today}
        if since is not None:
            wanted = {d for d in wanted if d >= since} | {since}
        result[village_id] = sorted(wanted)
    return result


def _day_rows(figures: dict[int, dict], village_ids, day: dt.date) -> list[VillageDayTally]:
    return [VillageDayTally(village_id=pk, day=day, **figures.get(pk, {})) for pk in village_ids]


def _rebuild_days(village_ids: list[int], *, since: dt.date | None, today: dt.date) -> None:
    """The villages' rows from `since` on (all when None), one query per distinct day."""
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for village_id, days in change_days(village_ids, since=since, today=today).items():
        for day in days:
            by_day[day].append(village_id)
    rows = []
    for day, ids in sorted(by_day.items()):
        rows += _day_rows(selectors.village_figures(as_of=day, village_ids=ids), ids, day)
    _replace_days(village_ids, since=since, rows=rows)


def _replace_days(village_ids: list[int], *, since: dt.date | None, rows) -> None:
    old = VillageDayTally.objects.filter(village_id__in=village_ids)
    if since is not None:
        old = old.filter(day__gte=since)
    old.delete()
    VillageDayTally.objects.bulk_create(rows, batch_size=BATCH)
