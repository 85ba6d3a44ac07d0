"""Review (核验) and 销号: where each reported removal stands, per village and township."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from signs import selectors as signs_selectors
from signs.models import Removal, VillageTally
from villages.access import visible_villages
from villages.models import Village

from ..choices import ReviewStatus
from ..models import RemovalReview


def review_state() -> Coalesce:
    """A removal's review status; a removal no reviewer has touched is 待核验."""
    return Coalesce("review__status", Value(ReviewStatus.PENDING.value))


def review_state_at(as_of: dt.date) -> Case:
    """A removal's review status as it stood at the end of `as_of` (a verdict given later
    does not count yet)."""
    end = _end(as_of)
    return Case(
        When(
            Q(review__status=ReviewStatus.VERIFIED, review__reviewed_at__lt=end),
            then=Value(ReviewStatus.VERIFIED.value),
        ),
        When(
            Q(review__status=ReviewStatus.RETURNED, review__reviewed_at__lt=end),
            then=Value(ReviewStatus.RETURNED.value),
        ),
        default=Value(ReviewStatus.PENDING.value),
        output_field=CharField(),
    )


def reported_removals(*, villages: QuerySet[Village] | None = None) -> QuerySet[Removal]:
    """Removals in effect today (not revoked), each with `review_state`, oldest first."""
    qs = Removal.objects.in_effect()
    if villages is not None:
        qs = qs.filter(signboard__village__in=villages)
    return (
        qs.annotate(review_state=review_state())
        .select_related("signboard__village__town", "review", "review__reviewed_by")
        .order_by("recorded_at", "pk")
    )


def pending_removals(*, villages: QuerySet[Village] | None = None) -> QuerySet[Removal]:
    """The reported removals a reviewer may verify now: awaiting verification, in effect."""
    return reported_removals(villages=villages).filter(review_state=ReviewStatus.PENDING)


def _verified_by(as_of: dt.date) -> Q:
    return Q(review__status=ReviewStatus.VERIFIED, review__reviewed_at__lt=_end(as_of))


def _end(as_of: dt.date) -> dt.datetime:
    return signs_selectors.end_of_day(as_of)


@dataclass
class ReviewFigures:
    """A township's (or the city's) reported and verified figures at a date."""

    reported: int = 0
    verified: int = 0
    returned: int = 0
    villages_closed: int = 0

    @property
    def pending(self) -> int:
        return self.reported - self.verified - self.returned

    def add(self, other: ReviewFigures) -> None:
        self.reported += other.reported
        self.verified += other.verified
        self.returned += other.returned
        self.villages_closed += other.villages_closed


def _unverified_exists(as_of: dt.date) -> Exists:
    return Exists(
        signs_selectors.removals_in_effect(as_of=as_of)
        .filter(signboard__village=OuterRef("pk"))
        .exclude(_verified_by(as_of))
    )


def closed_villages(*, as_of: dt.date, villages: QuerySet[Village] | None = None):
    """Villages that are 销号 at `as_of`: they meet the standard and every removal in effect
    has been verified. Today's compliance comes from the tallies, a past date's from signs;
    for a page of villages (the city's counts come from `closed_village_counts`)."""
    qs = Village.objects.all() if villages is None else villages
    if signs_selectors.uses_tallies(as_of):
        meeting = qs.exclude(
            Exists(VillageTally.objects.filter(village=OuterRef("pk"), still_to_remove__gt=0))
        )
    else:
        meeting = signs_selectors.village_progress(as_of=as_of, villages=qs).filter(
            still_to_remove=0
        )
    return meeting.exclude(_unverified_exists(as_of))


def _behind_village_ids(as_of: dt.date, villages: QuerySet[Village] | None) -> set[int]:
    """Villages with a sign still to remove at `as_of`: from the tallies today, else from
    the one-pass figures of signs.selectors (per-village subqueries would take seconds at
    15,000 villages)."""
    if signs_selectors.uses_tallies(as_of):
        tallies = VillageTally.objects.filter(still_to_remove__gt=0)
        if villages is not None:
            tallies = tallies.filter(village__in=villages)
        return set(tallies.values_list("village", flat=True))
    ids = None if villages is None else list(villages.values_list("pk", flat=True))
    figures = signs_selectors.village_figures(as_of=as_of, village_ids=ids)
    return {pk for pk, f in figures.items() if f["still_to_remove"] > 0}


def _unverified_village_ids(as_of: dt.date, villages: QuerySet[Village] | None) -> set[int]:
    removals = signs_selectors.removals_in_effect(as_of=as_of).exclude(_verified_by(as_of))
    if villages is not None:
        removals = removals.filter(signboard__village__in=villages)
    return set(removals.order_by().values_list("signboard__village", flat=True).distinct())


def closed_village_counts(*, as_of: dt.date, villages: QuerySet[Village] | None = None):
    """{town id: villages 销号 at `as_of`}, in three single-pass queries: the villages, those
    behind the standard, those with a removal not yet verified; the rest are closed."""
    behind = _behind_village_ids(as_of, villages)
    unverified = _unverified_village_ids(as_of, villages)
    qs = Village.objects.all() if villages is None else villages
    counts: dict[int, int] = {}
    for pk, town_id in qs.order_by().values_list("pk", "town").iterator(chunk_size=5000):
        if pk not in behind and pk not in unverified:
            counts[town_id] = counts.get(town_id, 0) + 1
    return counts


def review_version() -> str:
    """Changes whenever a verdict is given or a removal resubmitted (with signs'
    `data_version`, which changes on every removal, revocation or new sign)."""
    latest = RemovalReview.objects.aggregate(
        n=Count("pk"), reviewed=Max("reviewed_at"), resubmitted=Max("resubmitted_at")
    )
    stamps = [latest[k].isoformat() if latest[k] else "-" for k in ("reviewed", "resubmitted")]
    return ":".join([str(latest["n"]), *stamps])


def review_figures_by_town(*, as_of: dt.date, towns=None) -> dict[int, ReviewFigures]:
    """{town id: ReviewFigures} at `as_of`, cached until the next write changes the signs'
    or the reviews' version: two queries when cached.

    Computing them reads every removal in effect (0.8 s today, 2.2 s for a past date at 50×
    Hengzhou, docs/performance.md), so the dashboard does it once per change, like the month
    chart.
    """
    scope = "all" if towns is None else ",".join(sorted(str(getattr(t, "pk", t)) for t in towns))
    key = f"review_figures:{signs_selectors.data_version()}:{review_version()}:{as_of}:{scope}"
    figures = cache.get(key)
    if figures is None:
        figures = _review_figures_by_town(as_of=as_of, towns=towns)
        cache.set(key, figures, timeout=24 * 60 * 60)
    return figures


def _review_figures_by_town(*, as_of: dt.date, towns=None) -> dict[int, ReviewFigures]:
    """{town id: ReviewFigures} at `as_of`, in four queries whatever the number of removals.

    A removal counts as verified when its current verdict is 核验通过 and was given by the end
    of `as_of`; returned likewise. Reported counts signs with a removal in effect, as the
    progress figures do.
    """
    removals = signs_selectors.removals_in_effect(as_of=as_of)
    villages = Village.objects.all()
    if towns is not None:
        removals = removals.filter(signboard__village__town__in=towns)
        villages = villages.filter(town__in=towns)
    end = _end(as_of)
    rows = (
        removals.order_by()
        .values("signboard__village__town")
        .annotate(
            reported=Count("signboard", distinct=True),
            verified=Count("pk", filter=_verified_by(as_of)),
            returned=Count(
                "pk",
                filter=Q(review__status=ReviewStatus.RETURNED, review__reviewed_at__lt=end),
            ),
        )
    )
    figures = {
        row["signboard__village__town"]: ReviewFigures(
            reported=row["reported"], verified=row["verified"], returned=row["returned"]
        )
        for row in rows
    }
    scope = None if towns is None else villages
    for town_id, n in closed_village_counts(as_of=as_of, villages=scope).items():
        figures.setdefault(town_id, ReviewFigures()).villages_closed = n
    return figures


def city_review_figures(by_town: dict[int, ReviewFigures]) -> ReviewFigures:
    total = ReviewFigures()
    for figures in by_town.values():
        total.add(figures)
    return total


# --- the review pages ---------------------------------------------------------------------------


def returned_removals(*, villages: QuerySet[Village]) -> QuerySet[Removal]:
    """Removals in effect that a reviewer returned and the township has not yet resubmitted,
    most recently returned first."""
    return (
        reported_removals(villages=villages)
        .filter(review__status=ReviewStatus.RETURNED)
        .order_by("-review__reviewed_at", "-pk")
    )


def next_pending(*, villages: QuerySet[Village], after: Removal) -> Removal | None:
    """The pending removal after `after` in the queue's order (oldest first), wrapping round
    to the start of the queue; None when nothing else waits."""
    pending = (
        reported_removals(villages=villages)
        .filter(review_state=ReviewStatus.PENDING)
        .exclude(pk=after.pk)
    )
    later = Q(recorded_at__gt=after.recorded_at) | Q(recorded_at=after.recorded_at, pk__gt=after.pk)
    return pending.filter(later).first() or pending.first()


def _count(removals: QuerySet[Removal], condition: Q | None = None) -> Coalesce:
    rows = removals if condition is None else removals.filter(condition)
    counted = rows.values("signboard__village").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def village_closure(*, villages: QuerySet[Village]) -> QuerySet[Village]:
    """Today's 销号 state of each village: meets_standard, reported, verified, returned,
    pending and closed (as `closed_villages` decides it), in one query, by village code."""
    today = timezone.localdate()
    removals = Removal.objects.in_effect().filter(signboard__village=OuterRef("pk")).order_by()
    closed = closed_villages(as_of=today, villages=Village.objects.filter(pk=OuterRef("pk")))
    return (
        villages.annotate(
            reported=_count(removals),
            verified=_count(removals, Q(review__status=ReviewStatus.VERIFIED)),
            returned=_count(removals, Q(review__status=ReviewStatus.RETURNED)),
            meets_standard=Exists(
                VillageTally.objects.filter(village=OuterRef("pk"), still_to_remove=0)
            ),
            closed=Exists(closed),
        )
        .annotate(pending=F("reported") - F("verified") - F("returned"))
        .order_by("code", "pk")
    )


def visible_removals(user) -> QuerySet[Removal]:
    """Every removal of the townships `user` sees, revoked ones too, with `review_state`."""
    return (
        Removal.objects.filter(signboard__village__in=visible_villages(user))
        .annotate(review_state=review_state())
        .select_related("signboard__village__town", "recorded_by", "review", "review__reviewed_by")
    )
