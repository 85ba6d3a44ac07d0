"""Review (核验) and 销号: where each reported removal stands, per village and township."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from signs import selectors as signs_selectors
from signs.models import Removal, VillageTally
from villages.models import Village

from ..choices import ReviewStatus


def review_state() -> Coalesce:
    """A removal's review status; a removal no reviewer has touched is 待核验."""
    return Coalesce("review__status", Value(ReviewStatus.PENDING.value))


def reported_removals(*, villages: QuerySet[Village] | None = None) -> QuerySet[Removal]:
    """Removals in effect today (not revoked), each with `review_state`, oldest first."""
    qs = Removal.objects.filter(revoked_at__isnull=True)
    if villages is not None:
        qs = qs.filter(signboard__village__in=villages)
    return (
        qs.annotate(review_state=review_state())
        .select_related("signboard__village__town", "review", "review__reviewed_by")
        .order_by("recorded_at", "pk")
    )


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
    has been verified. Today's compliance comes from the tallies, a past date's from signs."""
    qs = Village.objects.all() if villages is None else villages
    if signs_selectors.uses_tallies(as_of):
        meeting = qs.filter(
            Exists(VillageTally.objects.filter(village=OuterRef("pk"), still_to_remove=0))
        )
    else:
        meeting = signs_selectors.village_progress(as_of=as_of, villages=qs).filter(
            still_to_remove=0
        )
    return meeting.exclude(_unverified_exists(as_of))


def review_figures_by_town(*, as_of: dt.date, towns=None) -> dict[int, ReviewFigures]:
    """{town id: ReviewFigures} at `as_of`, in three queries whatever the number of removals.

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
    closed = (
        closed_villages(as_of=as_of, villages=villages)
        .order_by()
        .values("town")
        .annotate(n=Count("pk"))
    )
    for row in closed:
        figures.setdefault(row["town"], ReviewFigures()).villages_closed = row["n"]
    return figures


def city_review_figures(by_town: dict[int, ReviewFigures]) -> ReviewFigures:
    total = ReviewFigures()
    for figures in by_town.values():
        total.add(figures)
    return total
