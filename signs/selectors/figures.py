"""The Definitions' figures: signs and removals at a date, per village, per township and for
the city (the per-village tally today, one-pass SQL for a past date)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from villages.models import DemonstrationSite, Town, Village

from .. import selectors as package
from ..choices import SignKind, SignStatus
from ..models import (
    ApprovedItem,
    Department,
    Removal,
    Signboard,
    Standard,
    VillageDayTally,
    VillageTally,
    end_of_day,
)
from .standard import current_standard, item_kind_order


def progress_percent(removed: int, still_to_remove: int) -> Decimal:
    """Removals in effect ÷ (removals in effect + still to remove), as a percentage.

    Nothing removed and nothing to remove is a finished job: 100%.
    """
    total = removed + still_to_remove
    if total == 0:
        return Decimal("100.0")
    return (Decimal(removed) * 100 / total).quantize(Decimal("0.1"))


def flagged_removals(*, villages: QuerySet[Village]) -> QuerySet[Removal]:
    """Removals in effect whose photo still showed the sign (拍照识牌 read its title) and were
    saved anyway: for the reviewer to look at, newest first."""
    return (
        Removal.objects.in_effect()
        .filter(title_in_photo=True, signboard__village__in=villages)
        .select_related("signboard__village")
        .order_by("-recorded_at", "-pk")
    )


def removals_in_effect(*, as_of: dt.date) -> QuerySet[Removal]:
    """Removals dated on or before `as_of` and not revoked by the end of that day."""
    return Removal.objects.in_effect_on(as_of)


def latest_removal_year(*, as_of: dt.date, towns=None) -> int | None:
    """The year of the latest removal in effect at `as_of` (in `towns`), None without any:
    the year a page opens on, so that a campaign's figures show after its year has ended."""
    removals = removals_in_effect(as_of=as_of)
    if towns is not None:
        removals = removals.filter(signboard__village__town__in=towns)
    latest = removals.aggregate(latest=Max("removed_on"))["latest"]
    return latest.year if latest else None


def _earlier_match_exists() -> Exists:
    """True for a sign matched to an item that an earlier sign in its village already holds."""
    earlier = Signboard.objects.filter(
        village=OuterRef("village"), approved_item=OuterRef("approved_item")
    ).filter(
        Q(inventoried_on__lt=OuterRef("inventoried_on"))
        | Q(inventoried_on=OuterRef("inventoried_on"), pk__lt=OuterRef("pk"))
    )
    return Exists(earlier)


def _removed_exists(as_of: dt.date) -> Exists:
    return Exists(removals_in_effect(as_of=as_of).filter(signboard=OuterRef("pk")))


def signboards_at(*, as_of: dt.date, signboards: QuerySet[Signboard] | None = None):
    """Signs inventoried on or before `as_of`, each with its `status` at that date."""
    qs = Signboard.objects.all() if signboards is None else signboards
    return (
        qs.filter(inventoried_on__lte=as_of)
        .annotate(is_duplicate=_earlier_match_exists(), is_removed=_removed_exists(as_of))
        .annotate(
            status=Case(
                When(is_removed=True, then=Value(SignStatus.REMOVED.value)),
                When(approved_item__isnull=True, then=Value(SignStatus.TO_REMOVE.value)),
                When(is_duplicate=True, then=Value(SignStatus.DUPLICATE.value)),
                default=Value(SignStatus.RETAINED.value),
                output_field=CharField(),
            )
        )
    )


def still_to_remove(*, as_of: dt.date, signboards: QuerySet[Signboard] | None = None):
    """Signs up at `as_of` that the standard does not keep (unmatched or duplicates)."""
    return signboards_at(as_of=as_of, signboards=signboards).filter(
        status__in=[SignStatus.TO_REMOVE, SignStatus.DUPLICATE]
    )


STILL_UP = [SignStatus.TO_REMOVE, SignStatus.DUPLICATE]


def _sign_counts() -> dict:
    """Conditional counts over `signboards_at` rows: the one place each figure is defined.

    "Removed" counts signs with a removal in effect, so a sign whose revoked and new removal
    both cover the date is counted once.
    """
    return {
        "on_wall": Count("pk", filter=Q(is_removed=False)),
        "retained": Count("pk", filter=Q(status=SignStatus.RETAINED)),
        "still_to_remove": Count("pk", filter=Q(status__in=STILL_UP)),
        "removed": Count("pk", filter=Q(is_removed=True)),
        "removed_rule": Count("pk", filter=Q(is_removed=True, kind=SignKind.RULE)),
    }


def _last_removed_on(as_of: dt.date, **outer) -> Subquery:
    removals = removals_in_effect(as_of=as_of).filter(**outer).order_by()
    group = next(iter(outer))
    return Subquery(removals.values(group).annotate(d=Max("removed_on")).values("d"))


def village_progress(*, as_of: dt.date, villages: QuerySet[Village] | None = None):
    """Villages annotated with the figures of the Definitions at `as_of`.

    on_wall, retained, still_to_remove, removed, removed_rule, removed_guidance,
    last_removed_on, meets_standard — one query, however many villages; meant for a
    township's villages or a page of them (the city's totals come from `town_progress`).
    """
    qs = Village.objects.all() if villages is None else villages
    signs = (
        signboards_at(as_of=as_of, signboards=Signboard.objects.filter(village=OuterRef("pk")))
        .order_by()
        .values("village")
    )
    figures = {
        name: Coalesce(
            Subquery(signs.annotate(n=count).values("n"), output_field=IntegerField()), 0
        )
        for name, count in _sign_counts().items()
    }
    return qs.annotate(
        **figures, last_removed_on=_last_removed_on(as_of, signboard__village=OuterRef("pk"))
    ).annotate(
        removed_guidance=F("removed") - F("removed_rule"),
        meets_standard=ExpressionWrapper(Q(still_to_remove=0), output_field=BooleanField()),
    )


def village_figures(*, as_of: dt.date, village_ids: list[int] | None = None):
    """{village id: the VillageTally figures at `as_of`} for villages that have signs.

    One query, one pass over the villages' signs (all villages when None): what
    signs.tallies stores for today, on every write and in a rebuild.
    """
    filters, params = _status_params(as_of, village_ids)
    ops = connection.ops
    params += [ops.adapt_datefield_value(as_of), ops.adapt_datetimefield_value(end_of_day(as_of))]
    params += village_ids or []
    kinds = [f"removed_{kind.value}" for kind in SignKind]
    sql = _TALLY_SQL.format(
        **_tables(),
        **filters,
        kinds=", ".join(
            f"SUM(CASE WHEN s.removed = 1 AND s.kind = '{kind.value}' THEN 1 ELSE 0 END)"
            for kind in SignKind
        ),
    )
    names = [*TALLIED, *kinds]
    figures = {}
    with connection.cursor() as cursor:
        if village_ids and len(village_ids) <= 2 and connection.vendor == "postgresql":
            _execute_prepared(cursor, f"signs_village_figures_{len(village_ids)}", sql, params)
        else:
            cursor.execute(sql, params)
        for village_id, *numbers, last in cursor.fetchall():
            figures[village_id] = dict(zip(names, map(int, numbers), strict=True))
            if isinstance(last, str):  # SQLite hands back the column as text
                last = dt.date.fromisoformat(last)
            figures[village_id]["last_removed_on"] = last
    return figures


def _execute_prepared(cursor, name: str, sql: str, params: list) -> None:
    """Run `sql` as a PostgreSQL prepared statement, planned once per connection.

    The tally refresh after every write planned its query in 2–6 ms and ran it in 0.3 ms;
    with persistent connections (CONN_MAX_AGE) the plan is made once per connection. Call it
    inside a transaction (SET LOCAL). A pooler in transaction mode (pgbouncer) would need
    this switched off.
    """
    cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [name])
    if cursor.fetchone() is None:
        numbered = iter(range(1, len(params) + 1))
        body = re.sub(r"%s", lambda _m: f"${next(numbered)}", sql)
        cursor.execute(f"PREPARE {name} AS {body}")
    # The plan suits every village: skip the five custom plans PostgreSQL would try first.
    cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
    cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(params))})", params)


def village_checklist(*, village: Village, as_of: dt.date, standard: Standard | None = None):
    """The standard's items, each with `present`: a retained sign of it is up at `as_of`."""
    standard = standard or current_standard()
    if standard is None:
        return ApprovedItem.objects.none()
    up = signboards_at(as_of=as_of, signboards=Signboard.objects.filter(village=village)).filter(
        status=SignStatus.RETAINED, approved_item=OuterRef("pk")
    )
    return standard.items.annotate(present=Exists(up)).order_by(item_kind_order(), "number")


@dataclass
class Progress:
    """Figures for a township or for the whole city at one date."""

    as_of: dt.date
    villages: int = 0
    villages_meeting: int = 0
    on_wall: int = 0
    retained: int = 0
    still_to_remove: int = 0
    removed: int = 0
    removed_rule: int = 0
    last_removed_on: dt.date | None = None
    town: Town | None = None
    towns: int = 0
    towns_fully_covered: int = 0
    demonstration_sites: int = 0
    investment: Decimal = field(default_factory=Decimal)
    # Signs with a removal in effect per kind ({SignKind value: n}).
    removed_kinds: dict[str, int] = field(default_factory=dict)

    @property
    def removed_guidance(self) -> int:
        """The article's 功能性指引牌子: every kind but rule boards."""
        return self.removed - self.removed_rule

    @property
    def progress(self) -> Decimal:
        return progress_percent(self.removed, self.still_to_remove)

    @property
    def villages_meeting_percent(self) -> Decimal:
        if not self.villages:
            return Decimal("0.0")
        return (Decimal(self.villages_meeting) * 100 / self.villages).quantize(Decimal("0.1"))

    @property
    def fully_covered(self) -> bool:
        """Every village of the township meets the standard (and it has villages)."""
        return self.villages > 0 and self.villages_meeting == self.villages


def _scoped_villages(towns) -> QuerySet[Village]:
    qs = Village.objects.all()
    return qs if towns is None else qs.filter(town__in=towns)


def uses_tallies(as_of: dt.date) -> bool:
    """Today's figures are read from VillageTally (kept current on write); past dates are
    derived from the base tables."""
    return as_of == timezone.localdate()


def uses_dated_tallies(as_of: dt.date) -> bool:
    """A past date's figures are read from VillageDayTally (kept current on write): the row
    of each village's latest change day on or before the date (unless settings.DAY_TALLIES
    is off, for measuring what they cost)."""
    return settings.DAY_TALLIES and as_of < timezone.localdate()


TALLIED = ["on_wall", "retained", "still_to_remove", "removed"]


def town_progress(*, as_of: dt.date, towns=None) -> list[Progress]:
    """One row per township (all, or those in `towns`), in code order.

    Four queries whatever the number of villages. For today they sum the villages' tallies;
    for a past date each sign's status is computed once, in one pass grouped by township.
    """
    town_qs = Town.objects.all() if towns is None else Town.objects.filter(pk__in=_ids(towns))
    villages = _scoped_villages(towns)
    village_counts = dict(
        villages.order_by().values("town").annotate(n=Count("pk")).values_list("town", "n")
    )
    # Looked up on the package when called, like supervision's selectors do, so that one
    # switch decides for every figure of the day (the tests compare both sources with it).
    if package.uses_tallies(as_of):
        by_town, last = _town_figures_from_tallies(villages)
    elif package.uses_dated_tallies(as_of):
        by_town, last = _town_figures_from_dated_tallies(as_of, villages, towns)
    else:
        by_town, last = _town_figures_from_signs(as_of, villages, towns)
    rows = []
    for town in town_qs:
        figures = by_town.get(town.pk, {})
        behind = figures.pop("villages_behind", 0)
        n = village_counts.get(town.pk, 0)
        rows.append(
            Progress(
                as_of=as_of,
                town=town,
                villages=n,
                villages_meeting=n - behind,
                last_removed_on=last.get(town.pk),
                **figures,
            )
        )
    return rows


def _town_figures_from_tallies(villages: QuerySet[Village]) -> tuple[dict, dict]:
    rows = (
        VillageTally.objects.filter(village__in=villages)
        .order_by()
        .values("village__town")
        .annotate(
            # Prefixed: an annotation named like the field would shadow it in the filter below.
            **{f"sum_{name}": Sum(name) for name in TALLIED},
            **{f"sum_removed_{kind.value}": Sum(f"removed_{kind.value}") for kind in SignKind},
            villages_behind=Count("pk", filter=Q(still_to_remove__gt=0)),
            last=Max("last_removed_on"),
        )
    )
    by_town, last = {}, {}
    for row in rows:
        town = row["village__town"]
        last[town] = row["last"]
        by_town[town] = {name: row[f"sum_{name}"] for name in TALLIED}
        by_town[town]["villages_behind"] = row["villages_behind"]
        by_town[town]["removed_kinds"] = {
            kind.value: row[f"sum_removed_{kind.value}"] for kind in SignKind
        }
        by_town[town]["removed_rule"] = row[f"sum_removed_{SignKind.RULE.value}"]
    return by_town, last


_DATED_SQL = """
SELECT v.town_id, SUM(t.on_wall), SUM(t.retained), SUM(t.still_to_remove), SUM(t.removed),
       SUM(CASE WHEN t.still_to_remove > 0 THEN 1 ELSE 0 END), MAX(t.last_removed_on),
       {kinds}
FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY village_id ORDER BY day DESC) AS latest
      FROM {day_tally} WHERE day <= %s {scope}) t
JOIN {village} v ON v.id = t.village_id
WHERE t.latest = 1
GROUP BY v.town_id
"""


def _town_figures_from_dated_tallies(as_of: dt.date, villages, towns) -> tuple[dict, dict]:
    """As _town_figures_from_tallies, from each village's row of its latest change day on or
    before `as_of`: one query, one row per village summed."""
    params = [connection.ops.adapt_datefield_value(as_of)]
    scope = ""
    if towns is not None:
        ids = list(villages.values_list("pk", flat=True))
        scope = f"AND village_id IN ({', '.join(['%s'] * len(ids))})" if ids else "AND 1 = 0"
        params += ids
    kinds = [f"removed_{kind.value}" for kind in SignKind]
    sql = _DATED_SQL.format(
        day_tally=connection.ops.quote_name(VillageDayTally._meta.db_table),
        village=_tables()["village"],
        scope=scope,
        kinds=", ".join(f"SUM(t.{name})" for name in kinds),
    )
    by_town, last = {}, {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for town, *numbers in cursor.fetchall():
            *sums, behind, latest = numbers[:6]
            by_town[town] = {name: int(n) for name, n in zip(TALLIED, sums, strict=True)}
            by_town[town]["villages_behind"] = int(behind)
            by_town[town]["removed_kinds"] = {
                kind.value: int(n) for kind, n in zip(SignKind, numbers[6:], strict=True)
            }
            by_town[town]["removed_rule"] = by_town[town]["removed_kinds"][SignKind.RULE.value]
            if isinstance(latest, str):  # SQLite hands back the column as text
                latest = dt.date.fromisoformat(latest)
            last[town] = latest
    return by_town, last


# Each sign's status at a date, computed once per sign in one pass: a removal in effect is a
# join to the distinct signs that have one; a duplicate is a matched sign whose rank among the
# signs of its village holding the same item (by inventory date, then id) is above 1. It is
# `signboards_at` in plain SQL for the whole-city figures and ledgers — the ORM cannot
# aggregate over a window function — and the tests hold both to the same figures.
_SIGN_STATUS_CTE = """
in_effect AS {materialized} (
    SELECT DISTINCT signboard_id FROM {removal}
    WHERE removed_on <= %s AND (revoked_at IS NULL OR revoked_at >= %s) {removals_in_villages}
),
s AS {materialized} (
    SELECT sb.id, sb.village_id, sb.kind, sb.approved_item_id,
           CASE WHEN e.signboard_id IS NULL THEN 0 ELSE 1 END AS removed,
           ROW_NUMBER() OVER (PARTITION BY sb.village_id, sb.approved_item_id
                              ORDER BY sb.inventoried_on, sb.id) AS rn
    FROM {signboard} sb LEFT JOIN in_effect e ON e.signboard_id = sb.id
    WHERE sb.inventoried_on <= %s {in_villages}
)"""


_STILL_UP = "s.removed = 0 AND (s.approved_item_id IS NULL OR s.rn > 1)"


_RETAINED = "s.removed = 0 AND s.approved_item_id IS NOT NULL AND s.rn = 1"


_TOWN_FIGURES_SQL = f"""
WITH {_SIGN_STATUS_CTE},
per_village AS (
    SELECT s.village_id,
           SUM(1 - s.removed) AS on_wall,
           SUM(CASE WHEN {_RETAINED} THEN 1 ELSE 0 END) AS retained,
           SUM(CASE WHEN {_STILL_UP} THEN 1 ELSE 0 END) AS still_up,
           SUM(s.removed) AS removed,
           {{village_kinds}}
    FROM s GROUP BY s.village_id
)
SELECT v.town_id,
       SUM(pv.on_wall), SUM(pv.retained), SUM(pv.still_up), SUM(pv.removed),
       SUM(CASE WHEN pv.still_up > 0 THEN 1 ELSE 0 END),
       {{town_kinds}}
FROM per_village pv JOIN {{village}} v ON v.id = pv.village_id
GROUP BY v.town_id
"""


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "removal": quote(Removal._meta.db_table),
        "signboard": quote(Signboard._meta.db_table),
        "village": quote(Village._meta.db_table),
        "town": quote(Town._meta.db_table),
        "item": quote(ApprovedItem._meta.db_table),
        "department": quote(Department._meta.db_table),
    }


def _status_params(as_of: dt.date, villages: QuerySet[Village] | list[int] | None):
    """The village filters of _SIGN_STATUS_CTE (`in_villages`, `removals_in_villages`) and
    the CTE's parameters. Without villages (the whole city) there is nothing to filter."""
    ops = connection.ops
    day, end = ops.adapt_datefield_value(as_of), ops.adapt_datetimefield_value(end_of_day(as_of))
    if villages is None:
        return {"in_villages": "", "removals_in_villages": "", "materialized": ""}, [day, end, day]
    if isinstance(villages, list):  # ids: a literal list keeps a one-village query cheap to plan
        sql, village_params = ", ".join(["%s"] * len(villages)), villages
    else:
        sql, village_params = villages.order_by().values("pk").query.sql_with_params()
    signboard = connection.ops.quote_name(Signboard._meta.db_table)
    filters = {
        # For a few villages, planning the inlined query took longer (5 ms) than running it.
        "materialized": "MATERIALIZED",
        "in_villages": f"AND sb.village_id IN ({sql})",
        "removals_in_villages": (
            f"AND signboard_id IN (SELECT id FROM {signboard} WHERE village_id IN ({sql}))"
        ),
    }
    return filters, [day, end, *village_params, day, *village_params]


def _town_figures_from_signs(
    as_of: dt.date, villages: QuerySet[Village], towns
) -> tuple[dict, dict]:
    """Township figures at a past date from the base tables, in one pass over the signs."""
    filters, params = _status_params(as_of, None if towns is None else villages)
    sql = _TOWN_FIGURES_SQL.format(
        **_tables(),
        **filters,
        village_kinds=", ".join(
            f"SUM(CASE WHEN s.removed = 1 AND s.kind = '{kind.value}' THEN 1 ELSE 0 END)"
            f" AS k_{kind}"
            for kind in SignKind
        ),
        town_kinds=", ".join(f"SUM(pv.k_{kind})" for kind in SignKind),
    )
    by_town = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for town, *numbers in cursor.fetchall():
            # PostgreSQL sums integers as numeric: back to int, as the other paths give.
            on_wall, retained, still_up, removed, behind, *kinds = map(int, numbers)
            removed_kinds = dict(zip([k.value for k in SignKind], kinds, strict=True))
            by_town[town] = {
                "on_wall": on_wall,
                "retained": retained,
                "still_to_remove": still_up,
                "removed": removed,
                "removed_rule": removed_kinds[SignKind.RULE.value],
                "removed_kinds": removed_kinds,
                "villages_behind": behind,
            }
    last = dict(
        removals_in_effect(as_of=as_of)
        .filter(signboard__village__in=villages)
        .order_by()
        .values("signboard__village__town")
        .annotate(d=Max("removed_on"))
        .values_list("signboard__village__town", "d")
    )
    return by_town, last


_VILLAGE_ROWS_SQL = f"""
WITH {_SIGN_STATUS_CTE}
SELECT s.village_id,
       SUM(CASE WHEN {_STILL_UP} THEN 1 ELSE 0 END),
       SUM(s.removed),
       SUM(CASE WHEN s.removed = 1 AND s.kind = 'rule' THEN 1 ELSE 0 END),
       SUM(CASE WHEN {_RETAINED} AND ai.kind = 'rule' THEN 1 ELSE 0 END),
       SUM(CASE WHEN {_RETAINED} AND ai.kind = 'plaque' THEN 1 ELSE 0 END)
FROM s LEFT JOIN {{item}} ai ON ai.id = s.approved_item_id
GROUP BY s.village_id
"""


@dataclass(frozen=True)
class VillageRow:
    """A village's line of the 台账 at a date (villages without signs have none: all zero)."""

    still_to_remove: int = 0
    removed: int = 0
    removed_rule: int = 0
    retained_rules: int = 0
    retained_plaques: int = 0

    @property
    def removed_guidance(self) -> int:
        return self.removed - self.removed_rule

    @property
    def meets_standard(self) -> bool:
        return self.still_to_remove == 0


def village_rows_at(*, as_of: dt.date, villages: QuerySet[Village] | None = None):
    """{village id: VillageRow} at `as_of` in one pass over the signs, for whole-city ledgers
    (`village_progress` is the same per village, for a page of villages)."""
    filters, params = _status_params(as_of, villages)
    sql = _VILLAGE_ROWS_SQL.format(**_tables(), **filters)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {pk: VillageRow(*map(int, numbers)) for pk, *numbers in cursor.fetchall()}


_SIGN_ROWS_SQL = f"""
WITH {_SIGN_STATUS_CTE},
latest AS (
    SELECT r.signboard_id, r.removed_on, r.reason, r.photo, r.note,
           ROW_NUMBER() OVER (PARTITION BY r.signboard_id
                              ORDER BY r.removed_on DESC, r.id DESC) AS k
    FROM {{removal}} r
    WHERE r.removed_on <= %s AND (r.revoked_at IS NULL OR r.revoked_at >= %s)
)
SELECT v.town_id, t.name, v.name, sb.title, sb.kind, sb.location,
       CASE WHEN s.removed = 1 THEN '{SignStatus.REMOVED.value}'
            WHEN s.approved_item_id IS NULL THEN '{SignStatus.TO_REMOVE.value}'
            WHEN s.rn > 1 THEN '{SignStatus.DUPLICATE.value}'
            ELSE '{SignStatus.RETAINED.value}' END,
       ai.title, l.removed_on, l.reason, l.photo, l.note, d.name
FROM s
JOIN {{signboard}} sb ON sb.id = s.id
JOIN {{village}} v ON v.id = s.village_id
JOIN {{town}} t ON t.id = v.town_id
LEFT JOIN {{item}} ai ON ai.id = s.approved_item_id
LEFT JOIN {{department}} d ON d.id = sb.requested_by_id
LEFT JOIN latest l ON l.signboard_id = s.id AND l.k = 1
ORDER BY t.code, v.code, sb.location, sb.id
"""


_TALLY_SQL = f"""
WITH {_SIGN_STATUS_CTE},
last AS (
    SELECT sb.village_id, MAX(r.removed_on) AS d
    FROM {{removal}} r JOIN {{signboard}} sb ON sb.id = r.signboard_id
    WHERE r.removed_on <= %s AND (r.revoked_at IS NULL OR r.revoked_at >= %s) {{in_villages}}
    GROUP BY sb.village_id
)
SELECT s.village_id,
       SUM(1 - s.removed),
       SUM(CASE WHEN {_RETAINED} THEN 1 ELSE 0 END),
       SUM(CASE WHEN {_STILL_UP} THEN 1 ELSE 0 END),
       SUM(s.removed),
       {{kinds}},
       MAX(l.d)
FROM s LEFT JOIN last l ON l.village_id = s.village_id
GROUP BY s.village_id
"""


def sign_rows_at(*, as_of: dt.date, villages: QuerySet[Village] | None = None):
    """Every sign up to `as_of` as a 台账 row, in township, village and room order:
    (town id, town, village, title, kind, location, status, kept item, and the removal in
    effect's date, reason, photo and note, and the department that asked for the sign).
    One query, read in chunks (flat memory)."""
    filters, params = _status_params(as_of, villages)
    ops = connection.ops
    params += [ops.adapt_datefield_value(as_of), ops.adapt_datetimefield_value(end_of_day(as_of))]
    sql = _SIGN_ROWS_SQL.format(**_tables(), **filters)
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(5000):
            for row in rows:
                removed_on = row[8]
                if isinstance(removed_on, str):  # SQLite hands back the column as text
                    row = (*row[:8], dt.date.fromisoformat(removed_on), *row[9:])
                yield row


def city_progress(*, as_of: dt.date, towns=None, rows: list[Progress] | None = None) -> Progress:
    """The headline figures for the city (or for the townships in `towns`).

    The city total is the sum of the township rows, so the two can never disagree; pass the
    rows of `town_progress` when you already have them.
    """
    rows = town_progress(as_of=as_of, towns=towns) if rows is None else rows
    sites = DemonstrationSite.objects.filter(village__in=_scoped_villages(towns)).aggregate(
        n=Count("pk"), money=Coalesce(Sum("investment"), Decimal("0"))
    )
    last_dates = [row.last_removed_on for row in rows if row.last_removed_on]
    return Progress(
        as_of=as_of,
        villages=sum(row.villages for row in rows),
        villages_meeting=sum(row.villages_meeting for row in rows),
        on_wall=sum(row.on_wall for row in rows),
        retained=sum(row.retained for row in rows),
        still_to_remove=sum(row.still_to_remove for row in rows),
        removed=sum(row.removed for row in rows),
        removed_rule=sum(row.removed_rule for row in rows),
        last_removed_on=max(last_dates, default=None),
        removed_kinds={
            kind.value: sum(row.removed_kinds.get(kind.value, 0) for row in rows)
            for kind in SignKind
        },
        towns=len(rows),
        towns_fully_covered=sum(1 for row in rows if row.fully_covered),
        demonstration_sites=sites["n"],
        investment=sites["money"],
    )


def _ids(towns) -> list[int] | QuerySet:
    if isinstance(towns, QuerySet):
        return towns.values("pk")
    return [getattr(town, "pk", town) for town in towns]
