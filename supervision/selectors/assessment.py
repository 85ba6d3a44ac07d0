"""The annual assessment (年度考核评议): five indicators per township, a weighted score, a rank.

The definitions are those of docs/definitions.md (年度考核评议); progress and villages meeting
the standard are signs.selectors.town_progress's own figures, so they equal the dashboard's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from signs import selectors as signs_selectors
from villages.models import Town

from ..choices import Indicator
from ..models import AssessmentRemark, AssessmentWeight, Finding, Rebound, WorkItem

TENTH = Decimal("0.1")
HUNDRED = Decimal("100.0")


def as_of_for(year: int) -> dt.date:
    """The day a year is assessed at: 31 December, or today while the year is running."""
    return min(dt.date(year, 12, 31), timezone.localdate())


def percent(part: int, whole: int) -> Decimal:
    """part ÷ whole × 100 to one decimal; nothing to count is a full mark (100.0) in the
    score, and is shown as "—" (see `AssessmentRow.nothing_to_count`)."""
    if not whole:
        return HUNDRED
    return (Decimal(part) * 100 / whole).quantize(TENTH, rounding=ROUND_HALF_UP)


def weights() -> dict[str, int]:
    """{indicator: weight} in the order of `Indicator`; an indicator without a row weighs 0."""
    stored = dict(AssessmentWeight.objects.values_list("indicator", "weight"))
    return {indicator.value: stored.get(indicator.value, 0) for indicator in Indicator}


def weighted_score(values: dict[str, Decimal], weights: dict[str, int]) -> Decimal:
    """Σ weight × indicator ÷ Σ weights, to one decimal (0.0 when every weight is 0)."""
    total = sum(weights.values())
    if not total:
        return Decimal("0.0")
    points = sum(Decimal(weights[name]) * values[name] for name in weights)
    return (points / total).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass
class AssessmentRow:
    """A township's line of the assessment for one year."""

    town: Town
    progress: Decimal
    meeting: Decimal
    no_rebound: Decimal
    work_on_time: Decimal
    findings_closed: Decimal
    rebounds: int
    score: Decimal = Decimal("0.0")
    rank: int = 0
    remarks: str = ""
    # Indicators with nothing to count this year (no work-list items, no findings, no
    # villages): a full mark in the score, so a township is not marked down for what was not
    # asked of it, but shown as None ("—"), never as a 100 % it did not earn.
    nothing_to_count: frozenset[str] = frozenset()

    def indicator_values(self) -> dict[str, Decimal]:
        """{indicator: value} in the order of `Indicator`: what the score weighs."""
        return {indicator.value: getattr(self, indicator.value) for indicator in Indicator}

    def shown_values(self) -> dict[str, Decimal | None]:
        """{indicator: value, or None where there was nothing to count}: what people read."""
        return {
            name: None if name in self.nothing_to_count else value
            for name, value in self.indicator_values().items()
        }

    @property
    def indicators(self) -> list[tuple[str, Decimal | None]]:
        """(label, shown value) in the order of `Indicator`, for the templates."""
        shown = self.shown_values()
        return [(indicator.label, shown[indicator.value]) for indicator in Indicator]


def rank_rows(rows: list[AssessmentRow]) -> list[AssessmentRow]:
    """Competition ranking by score (1, 2, 2, 4); equal scores share a rank; by rank, code."""
    scores = sorted((row.score for row in rows), reverse=True)
    for row in rows:
        row.rank = scores.index(row.score) + 1
    return sorted(rows, key=lambda row: (row.rank, row.town.code))


def _year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _rebounds_by_town(year: int, towns) -> dict[int, dict]:
    """{town id: {"rebounds": n, "villages": villages with one}} for rebounds found in `year`."""
    qs = Rebound.objects.filter(found_on__range=_year_range(year))
    if towns is not None:
        qs = qs.filter(visit_village__village__town__in=towns)
    rows = (
        qs.order_by()
        .values("visit_village__village__town")
        .annotate(n=Count("pk"), villages=Count("visit_village__village", distinct=True))
    )
    return {
        row["visit_village__village__town"]: {"rebounds": row["n"], "villages": row["villages"]}
        for row in rows
    }


def _work_items_by_town(year: int, as_of: dt.date, towns) -> dict[int, tuple[int, int]]:
    """{town id: (items done on time, items)} on the work lists of `year`.

    On time: the local date (Asia/Shanghai) of done_at is on or before the list's due date.
    An item not yet due at `as_of` counts only once it is done: it cannot be late yet.
    """
    qs = WorkItem.objects.filter(work_list__year=year).filter(
        Q(work_list__due_on__lte=as_of) | Q(done_at__isnull=False)
    )
    if towns is not None:
        qs = qs.filter(town__in=towns)
    done_on = TruncDate("done_at", tzinfo=timezone.get_default_timezone())
    rows = (
        qs.order_by()
        .annotate(done_on=done_on)
        .values("town")
        .annotate(
            n=Count("pk"),
            on_time=Count(
                "pk", filter=Q(done_at__isnull=False, done_on__lte=F("work_list__due_on"))
            ),
        )
    )
    return {row["town"]: (row["on_time"], row["n"]) for row in rows}


def _findings_by_town(year: int, as_of: dt.date, towns) -> dict[int, tuple[int, int]]:
    """{town id: (findings closed by the end of `as_of`, findings)} of the rounds of `year`."""
    qs = Finding.objects.filter(visit_village__visit__round__year=year)
    if towns is not None:
        qs = qs.filter(visit_village__village__town__in=towns)
    end = signs_selectors.end_of_day(as_of)
    rows = (
        qs.order_by()
        .values("visit_village__village__town")
        .annotate(n=Count("pk"), closed=Count("pk", filter=Q(closed_at__lt=end)))
    )
    return {row["visit_village__village__town"]: (row["closed"], row["n"]) for row in rows}


def assessment(*, year: int, towns=None) -> list[AssessmentRow]:
    """The assessment of `year` for the townships in `towns` (None: all), ranked among them.

    Nine queries whatever the number of townships, villages or items: the weights, the four
    of town_progress, then rebounds, work-list items, findings and remarks, each grouped by
    township in SQL.
    """
    as_of = as_of_for(year)
    weighting = weights()
    progress = signs_selectors.town_progress(as_of=as_of, towns=towns)
    rebounds = _rebounds_by_town(year, towns)
    work = _work_items_by_town(year, as_of, towns)
    findings = _findings_by_town(year, as_of, towns)
    remarks_qs = AssessmentRemark.objects.filter(year=year)
    if towns is not None:
        remarks_qs = remarks_qs.filter(town__in=towns)
    remarks = dict(remarks_qs.values_list("town", "remarks"))
    rows = []
    for figures in progress:
        town = figures.town
        rebound = rebounds.get(town.pk, {"rebounds": 0, "villages": 0})
        done, items = work.get(town.pk, (0, 0))
        closed, found = findings.get(town.pk, (0, 0))
        wholes = {
            Indicator.NO_REBOUND: figures.villages,
            Indicator.WORK_ON_TIME: items,
            Indicator.FINDINGS_CLOSED: found,
        }
        row = AssessmentRow(
            town=town,
            progress=figures.progress,
            meeting=figures.villages_meeting_percent,
            no_rebound=percent(figures.villages - rebound["villages"], figures.villages),
            work_on_time=percent(done, items),
            findings_closed=percent(closed, found),
            rebounds=rebound["rebounds"],
            remarks=remarks.get(town.pk, ""),
            nothing_to_count=frozenset(name.value for name, whole in wholes.items() if not whole),
        )
        row.score = weighted_score(row.indicator_values(), weighting)
        rows.append(row)
    return rank_rows(rows)
