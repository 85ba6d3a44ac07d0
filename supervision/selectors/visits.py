"""Guidance visits read: rounds and their coverage, findings to follow up, rebounds, and what
was not looked at (villages never or not yet visited, removals not yet verified)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from signs.models import Removal
from villages import roles
from villages.access import user_town, visible_towns
from villages.models import Town, Village

from ..choices import ReviewStatus
from ..models import Finding, Rebound, Visit, VisitRound, VisitVillage
from .review import reported_removals

# --- scope: what a user may open -----------------------------------------------------------


def visible_visits(user) -> QuerySet[Visit]:
    """The visits of the townships the user sees."""
    return Visit.objects.filter(town__in=visible_towns(user)).select_related("town", "round")


def visible_visit_villages(user) -> QuerySet[VisitVillage]:
    return VisitVillage.objects.filter(visit__town__in=visible_towns(user)).select_related(
        "village", "visit__town", "visit__round"
    )


def visible_rounds(*, town) -> QuerySet[VisitRound]:
    """Every round for the city (town None); a township's staff, the rounds that visit it."""
    if town is None:
        return VisitRound.objects.all()
    return VisitRound.objects.filter(visits__town=town).distinct()


def closable_findings(user) -> QuerySet[Finding]:
    """The findings a township's staffer closes: their own township's (none for the city)."""
    town = user_town(user)
    if town is None:
        return Finding.objects.none()
    return Finding.objects.filter(visit_village__visit__town=town).select_related(
        "visit_village__village", "visit_village__visit__town", "visit_village__visit__round"
    )


def _visit_counts() -> dict:
    """A visit's findings, open findings and rebounds, as annotations."""
    return {
        "n_findings": Count("villages__findings", distinct=True),
        "n_open": Count(
            "villages__findings",
            filter=Q(villages__findings__closed_at__isnull=True),
            distinct=True,
        ),
        "n_rebounds": Count("villages__rebounds", distinct=True),
    }


def rounds(*, year: int | None = None, towns=None) -> QuerySet[VisitRound]:
    """Rounds (of `year`, or all), newest first, with their visits', villages', findings'
    and rebounds' counts; with `towns`, only rounds visiting them, counted for them."""
    qs = VisitRound.objects.all()
    scope = Q()
    if towns is not None:
        qs = qs.filter(visits__town__in=towns).distinct()
        scope = Q(visits__town__in=towns)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.annotate(
        n_visits=Count("visits", filter=scope, distinct=True),
        n_villages=Count("visits__villages", filter=scope, distinct=True),
        n_findings=Count("visits__villages__findings", filter=scope, distinct=True),
        n_open=Count(
            "visits__villages__findings",
            filter=scope & Q(visits__villages__findings__closed_at__isnull=True),
            distinct=True,
        ),
        n_rebounds=Count("visits__villages__rebounds", filter=scope, distinct=True),
    ).order_by("-year", "-quarter", "-pk")


def latest_round_year() -> int:
    """The year of the latest round (the demo's is 2024), else this year: where the
    supervision's pages open when no year is asked for."""
    latest = rounds().first()
    return latest.year if latest else timezone.localdate().year


def visited_village_ids(*, year: int) -> QuerySet:
    """The ids of the villages visited in `year` (a subquery, or iterate for the ids)."""
    return (
        VisitVillage.objects.filter(visit__round__year=year)
        .order_by()
        .values_list("village", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class Coverage:
    """A year's rounds and how many distinct villages and townships they looked at."""

    year: int
    rounds: int
    villages_covered: int
    towns_covered: int


def coverage(*, year: int, towns=None) -> Coverage:
    """Two queries: the year's rounds, and its distinct villages and townships visited."""
    visited = VisitVillage.objects.filter(visit__round__year=year)
    if towns is not None:
        visited = visited.filter(visit__town__in=towns)
    figures = visited.aggregate(
        villages=Count("village", distinct=True), towns=Count("visit__town", distinct=True)
    )
    return Coverage(
        year=year,
        rounds=VisitRound.objects.filter(year=year).count(),
        villages_covered=figures["villages"],
        towns_covered=figures["towns"],
    )


def round_visits(*, visit_round: VisitRound, towns=None) -> QuerySet[Visit]:
    """A round's visits in township order, with their villages and inspectors prefetched and
    their findings (open ones too) and rebounds counted."""
    qs = visit_round.visits.all()
    if towns is not None:
        qs = qs.filter(town__in=towns)
    return (
        qs.select_related("town")
        .annotate(**_visit_counts())
        .prefetch_related(
            Prefetch("villages", queryset=VisitVillage.objects.select_related("village")),
            "inspectors",
        )
        .order_by("town__code")
    )


def inspector_choices(*, visit: Visit) -> QuerySet:
    """Who may be named as a visit's inspectors: the active reviewers, and whoever already
    is one (a reviewer who has since left stays on the record)."""
    reviewers = get_user_model().objects.filter(is_active=True, groups__name=roles.REVIEWER)
    return (
        get_user_model()
        .objects.filter(Q(pk__in=reviewers.values("pk")) | Q(pk__in=visit.inspectors.values("pk")))
        .order_by("username")
    )


def visit_villages(*, visit: Visit) -> QuerySet[VisitVillage]:
    """A visit's villages with their findings (newest first) and rebounds prefetched."""
    findings = Finding.objects.select_related("recorded_by", "closed_by", "rebound").order_by(
        "-recorded_at", "-pk"
    )
    rebounds = Rebound.objects.select_related("signboard", "removal").order_by("-found_on", "-pk")
    return (
        visit.villages.select_related("village")
        .prefetch_related(
            Prefetch("findings", queryset=findings), Prefetch("rebounds", queryset=rebounds)
        )
        .order_by("village__code")
    )


def town_visits(*, town: Town) -> QuerySet[Visit]:
    """A township's visits, newest round first, with their counts (the staff's view)."""
    return (
        Visit.objects.filter(town=town)
        .select_related("round")
        .annotate(n_villages=Count("villages", distinct=True), **_visit_counts())
        .order_by("-round__year", "-round__quarter", "-pk")
    )


def removals_to_rebound(*, village: Village) -> QuerySet[Removal]:
    """The village's removals in effect today whose sign is not already recorded as hung
    again (and still up): the signs a reviewer may find back on the wall."""
    sign_removed_again = Removal.objects.in_effect().filter(signboard=OuterRef("signboard"))
    still_up = Rebound.objects.filter(removal=OuterRef("pk")).exclude(Exists(sign_removed_again))
    return (
        Removal.objects.in_effect()
        .filter(signboard__village=village)
        .exclude(Exists(still_up))
        .select_related("signboard")
        .order_by("signboard__location", "signboard__title", "pk")
    )


def rebounds_in_year(*, year: int, towns=None) -> QuerySet[Rebound]:
    """Rebounds found in `year`, newest first."""
    qs = Rebound.objects.filter(found_on__year=year)
    if towns is not None:
        qs = qs.filter(visit_village__visit__town__in=towns)
    return qs.select_related(
        "signboard", "removal", "visit_village__village", "visit_village__visit__town"
    ).order_by("-found_on", "-pk")


def open_findings(*, towns) -> QuerySet[Finding]:
    """Findings still open in these townships, the most serious and oldest due first."""
    return (
        Finding.objects.filter(closed_at__isnull=True, visit_village__visit__town__in=towns)
        .select_related(
            "visit_village__village", "visit_village__visit__round", "visit_village__visit__town"
        )
        .order_by("due_on", "recorded_at", "pk")
    )


def closed_findings(*, towns, limit: int = 20) -> list[Finding]:
    """The latest findings closed in these townships."""
    return list(
        Finding.objects.filter(closed_at__isnull=False, visit_village__visit__town__in=towns)
        .select_related("visit_village__village", "closed_by")
        .order_by("-closed_at", "-pk")[:limit]
    )


# --- what was not looked at ------------------------------------------------------------------


@dataclass
class TownNotLookedAt:
    """One township's part of what nobody has looked at."""

    town: Town
    villages: int = 0
    never_visited: list[Village] = field(default_factory=list)
    not_this_year: list[Village] = field(default_factory=list)
    # [(village, removals awaiting verification)], most first
    unverified: list[tuple[Village, int]] = field(default_factory=list)

    @property
    def unverified_removals(self) -> int:
        return sum(n for _village, n in self.unverified)


@dataclass
class NotLookedAt:
    year: int
    towns: list[TownNotLookedAt]

    @property
    def villages(self) -> int:
        return sum(t.villages for t in self.towns)

    @property
    def never_visited(self) -> int:
        return sum(len(t.never_visited) for t in self.towns)

    @property
    def not_this_year(self) -> int:
        return sum(len(t.not_this_year) for t in self.towns)

    @property
    def unverified_removals(self) -> int:
        return sum(t.unverified_removals for t in self.towns)


def not_looked_at(*, year: int, towns=None) -> NotLookedAt:
    """Per township: villages never visited (in any year), villages not visited in `year`,
    and villages with reported removals not yet verified (待核验), with their counts.

    Three queries however many villages: the townships, the villages flagged in SQL, and the
    pending removals counted per village.
    """
    town_qs = Town.objects.order_by("code")
    villages = Village.objects.all()
    if towns is not None:
        town_qs = town_qs.filter(pk__in=[getattr(t, "pk", t) for t in towns])
        villages = villages.filter(town__in=town_qs)
    rows = {town.pk: TownNotLookedAt(town=town) for town in town_qs}
    flagged = villages.annotate(
        visited_ever=Exists(VisitVillage.objects.filter(village=OuterRef("pk"))),
        visited_year=Exists(
            VisitVillage.objects.filter(village=OuterRef("pk"), visit__round__year=year)
        ),
    ).order_by("town__code", "code")
    by_pk = {}
    for village in flagged:
        by_pk[village.pk] = village
        row = rows.get(village.town_id)
        if row is None:
            continue
        row.villages += 1
        if not village.visited_ever:
            row.never_visited.append(village)
        if not village.visited_year:
            row.not_this_year.append(village)
    pending = (
        reported_removals(villages=villages)
        .filter(review_state=ReviewStatus.PENDING)
        .order_by()
        .values("signboard__village")
        .annotate(n=Count("pk"))
        .values_list("signboard__village", "n")
    )
    for village_id, n in sorted(pending, key=lambda row: (-row[1], row[0])):
        village = by_pk.get(village_id)
        if village is not None and village.town_id in rows:
            rows[village.town_id].unverified.append((village, n))
    return NotLookedAt(year=year, towns=list(rows.values()))
