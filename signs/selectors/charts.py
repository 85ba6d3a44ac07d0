"""The dashboard's charts: removals by kind and by month, money in 万元."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import (
    Count,
    Max,
    QuerySet,
)

from ..choices import SignKind
from ..models import Removal, VillageTally
from ..models import in_effect_on as removal_in_effect_on
from .figures import Progress, _scoped_villages, town_progress


def removed_by_kind(
    *, as_of: dt.date, towns=None, rows: list[Progress] | None = None
) -> dict[str, int]:
    """Signs with a removal in effect at `as_of`, per kind of sign (every kind present).

    The sum of the township rows' kinds; pass the rows of `town_progress` when you have them.
    """
    rows = town_progress(as_of=as_of, towns=towns) if rows is None else rows
    return {
        kind.value: sum(row.removed_kinds.get(kind.value, 0) for row in rows) for kind in SignKind
    }


def month_ends(*, year: int, as_of: dt.date) -> list[dt.date]:
    """The last day of each month of `year` up to `as_of` (the last one is `as_of` itself)."""
    ends = []
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        if first > as_of:
            break
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        ends.append(min(following - dt.timedelta(days=1), as_of))
    return ends


@dataclass
class MonthlyRemoved:
    """Cumulative removed signs at each month end of a year, for the city and per township."""

    ends: list[dt.date]
    city: list[int]
    by_town: dict[int, list[int]]
    before_year: int  # the city's figure on 31 December of the year before

    @property
    def in_year(self) -> int:
        """Net signs removed during the year up to the last month end (removals less revokes)."""
        return self.city[-1] - self.before_year if self.city else 0


def _removed_at(day: dt.date) -> Count:
    """The Definitions' "removed" at `day`, as an aggregate over Removal rows."""
    return Count(
        "signboard",
        distinct=True,
        filter=removal_in_effect_on(day),
    )


def data_version() -> str:
    """Changes whenever signs or removals change: every write refreshes a village's tally."""
    latest = VillageTally.objects.aggregate(latest=Max("refreshed_at"))["latest"]
    return latest.isoformat() if latest else "-"


def removed_by_month(*, as_of: dt.date, year: int, towns=None) -> MonthlyRemoved:
    """Removed signs at each month end of `year` up to `as_of`, per township.

    Each point is the "removed" figure at that date, so a revoked removal counts until the
    day it was revoked. The city's series is the sum of the townships'. One query over every
    removal (0.2 s at 50× Hengzhou), so the result is cached until the next write changes
    `data_version`: two queries when cached, three when not.
    """
    scope = "all" if towns is None else ",".join(map(str, sorted(_town_pks(towns))))
    key = f"removed_by_month:{data_version()}:{as_of}:{year}:{scope}"
    result = cache.get(key)
    if result is None:
        result = _removed_by_month(as_of=as_of, year=year, towns=towns)
        cache.set(key, result, timeout=24 * 60 * 60)
    return result


def _town_pks(towns) -> list[int]:
    if isinstance(towns, QuerySet):
        return list(towns.values_list("pk", flat=True))
    return [getattr(town, "pk", town) for town in towns]


def _removed_by_month(*, as_of: dt.date, year: int, towns=None) -> MonthlyRemoved:
    ends = month_ends(year=year, as_of=as_of)
    points = {f"m{i}": _removed_at(end) for i, end in enumerate(ends)}
    points["base"] = _removed_at(dt.date(year - 1, 12, 31))
    rows = list(
        Removal.objects.filter(signboard__village__in=_scoped_villages(towns))
        .order_by()
        .values("signboard__village__town")
        .annotate(**points)
    )
    by_town = {
        row["signboard__village__town"]: [row[f"m{i}"] for i in range(len(ends))] for row in rows
    }
    city = [sum(series[i] for series in by_town.values()) for i in range(len(ends))]
    return MonthlyRemoved(
        ends=ends, city=city, by_town=by_town, before_year=sum(row["base"] for row in rows)
    )


def yuan_to_wan(amount: Decimal) -> Decimal:
    """Money is stored in yuan and shown in 万元 with two decimals."""
    return (Decimal(amount) / Decimal(10000)).quantize(Decimal("0.01"))
