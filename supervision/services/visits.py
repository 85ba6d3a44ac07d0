"""Quarterly guidance visits (季度调研指导): the 两随机 draw, visits, findings and rebounds.

The draw is pure and reproducible: the same seed over the same villages and reviewers gives
the same sample, so a round can be checked afterwards from its stored seed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from signs import services as signs_services
from signs.models import Removal
from utilities.writes import update_once
from villages import roles
from villages.access import user_town
from villages.audit import audit_write, snapshot
from villages.models import Town, Village

from ..choices import Severity
from ..models import Finding, Rebound, Visit, VisitRound, VisitVillage
from ..selectors import visits as visit_selectors

# What a rebound's finding says; stored as data, in the language of the ledgers.
REBOUND_PROBLEM = "反弹：{title}"
REBOUND_ACTION = "重新摘除并说明原因"


# --- the 两随机 draw ------------------------------------------------------------------------


@dataclass(frozen=True)
class TownDraw:
    """One township's part of a draw: the villages to visit and who visits them."""

    town: Town
    villages: list[Village]
    inspectors: list


@dataclass(frozen=True)
class Draw:
    """A whole draw, townships in code order."""

    seed: int
    towns: list[TownDraw]

    @property
    def village_count(self) -> int:
        return sum(len(t.villages) for t in self.towns)


def draw(
    *,
    seed: int,
    villages_per_town: int,
    inspectors_per_visit: int,
    villages: Iterable[Village],
    inspectors: Iterable,
    avoid_village_ids: frozenset[int] | set[int] = frozenset(),
) -> Draw:
    """Draw villages per township and inspectors per visit with random.Random(seed).

    Townships and villages are taken in code order and inspectors by username, so the result
    depends on the seed and the data only. Each township with villages gets
    min(villages_per_town, its villages), at least one; villages in `avoid_village_ids`
    (visited earlier in the year) are drawn only when too few others remain.
    """
    rng = random.Random(seed)
    people = sorted(inspectors, key=lambda user: user.username)
    by_town: dict[int, list[Village]] = {}
    towns: dict[int, Town] = {}
    for village in sorted(villages, key=lambda v: (v.town.code, v.code)):
        by_town.setdefault(village.town_id, []).append(village)
        towns[village.town_id] = village.town
    wanted = max(villages_per_town, 1)
    result = []
    for town_id in sorted(by_town, key=lambda pk: towns[pk].code):
        pool = by_town[town_id]
        fresh = [v for v in pool if v.pk not in avoid_village_ids]
        seen = [v for v in pool if v.pk in avoid_village_ids]
        n = min(wanted, len(pool))
        if len(fresh) >= n:
            chosen = rng.sample(fresh, n)
        else:
            chosen = fresh + rng.sample(seen, n - len(fresh))
        team = rng.sample(people, min(max(inspectors_per_visit, 1), len(people)))
        result.append(
            TownDraw(
                town=towns[town_id],
                villages=sorted(chosen, key=lambda v: v.code),
                inspectors=sorted(team, key=lambda user: user.username),
            )
        )
    return Draw(seed=seed, towns=result)


def reviewers() -> QuerySet:
    """The active reviewers, by username: the inspectors a draw picks from."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=roles.REVIEWER)
        .distinct()
        .order_by("username")
    )


def visited_earlier(*, year: int) -> frozenset[int]:
    """Ids of the villages already visited in `year`, which the next draw avoids."""
    return frozenset(visit_selectors.visited_village_ids(year=year))


def round_draw(*, year: int, seed: int, villages_per_town: int, inspectors_per_visit: int) -> Draw:
    """The draw a new round of `year` gets: every village, the reviewers, avoiding villages
    visited earlier in the year. The preview and `visit_round_create` both call this."""
    return draw(
        seed=seed,
        villages_per_town=villages_per_town,
        inspectors_per_visit=inspectors_per_visit,
        villages=Village.objects.select_related("town").order_by("town__code", "code"),
        inspectors=list(reviewers()),
        avoid_village_ids=visited_earlier(year=year),
    )


# --- rounds and visits ----------------------------------------------------------------------


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """The first and last day of a quarter."""
    first = dt.date(year, 3 * quarter - 2, 1)
    following = dt.date(year + quarter // 4, 3 * quarter % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def _check_visit_date(*, year: int, quarter: int, visited_on: dt.date) -> None:
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("The visit date cannot be in the future.")})
    if 1 <= quarter <= 4:
        first, last = quarter_bounds(year, quarter)
        if not first <= visited_on <= last:
            raise ValidationError(
                {
                    "visited_on": _(
                        "The visit date must fall in the quarter (%(first)s – %(last)s)."
                    )
                    % {"first": first.isoformat(), "last": last.isoformat()}
                }
            )


@transaction.atomic
def visit_round_create(
    *,
    user,
    year: int,
    quarter: int,
    seed: int,
    villages_per_town: int,
    inspectors_per_visit: int,
    visited_on: dt.date,
) -> VisitRound:
    """Draw and save a quarter's round: one visit per township with villages, its villages
    and inspectors. Villages visited earlier in the year are drawn only when too few remain."""
    visit_round = VisitRound(
        year=year,
        quarter=quarter,
        seed=seed,
        villages_per_town=villages_per_town,
        inspectors_per_visit=inspectors_per_visit,
        created_by=user,
        created_at=timezone.now(),
    )
    visit_round.full_clean()
    _check_visit_date(year=year, quarter=quarter, visited_on=visited_on)
    result = round_draw(
        year=year,
        seed=seed,
        villages_per_town=villages_per_town,
        inspectors_per_visit=inspectors_per_visit,
    )
    if not result.towns:
        raise ValidationError(_("There are no villages to draw from."))
    if not result.towns[0].inspectors:
        raise ValidationError(_("There are no active reviewers to draw as inspectors."))
    try:
        with transaction.atomic():
            visit_round.save(force_insert=True)
    except IntegrityError as exc:  # the same quarter saved by a request at the same moment
        raise ValidationError(_("This quarter already has a round of visits.")) from exc
    for part in result.towns:
        visit = Visit.objects.create(round=visit_round, town=part.town, visited_on=visited_on)
        visit.inspectors.set(part.inspectors)
        VisitVillage.objects.bulk_create(
            [VisitVillage(visit=visit, village=village) for village in part.villages]
        )
    audit_write(
        actor=user,
        action="visits.round_create",
        obj=visit_round,
        town=None,
        after={
            **snapshot(visit_round),
            "visited_on": visited_on.isoformat(),
            "draw": {
                part.town.code: {
                    "villages": [v.code for v in part.villages],
                    "inspectors": [u.username for u in part.inspectors],
                }
                for part in result.towns
            },
        },
    )
    return visit_round


@transaction.atomic
def visit_update(*, visit: Visit, user, visited_on: dt.date, note: str, inspectors) -> Visit:
    """Correct a township's visit: the day it actually took place, the note, who went."""
    inspectors = list(inspectors)
    if not inspectors:
        raise ValidationError({"inspectors": _("Choose at least one inspector.")})
    _check_visit_date(year=visit.round.year, quarter=visit.round.quarter, visited_on=visited_on)
    before = {**snapshot(visit), "inspectors": sorted(u.username for u in visit.inspectors.all())}
    visit.visited_on = visited_on
    visit.note = note.strip()
    visit.full_clean()
    visit.save(update_fields=["visited_on", "note"])
    visit.inspectors.set(inspectors)
    audit_write(
        actor=user,
        action="visits.visit_update",
        obj=visit,
        town=visit.town,
        before=before,
        after={**snapshot(visit), "inspectors": sorted(u.username for u in inspectors)},
    )
    return visit


# --- findings and rebounds ------------------------------------------------------------------


def _check_found_on(found_on: dt.date) -> None:
    if found_on > timezone.localdate():
        raise ValidationError({"found_on": _("The day it was found cannot be in the future.")})


@transaction.atomic
def finding_record(
    *,
    visit_village: VisitVillage,
    user,
    problem: str,
    severity: str,
    action: str,
    due_on: dt.date | None = None,
) -> Finding:
    """Record a problem seen in a visited village and the follow-up the township owes."""
    if due_on is not None and due_on < visit_village.visit.visited_on:
        raise ValidationError({"due_on": _("The due date cannot be before the visit.")})
    finding = Finding(
        visit_village=visit_village,
        problem=problem.strip(),
        severity=severity,
        action=action.strip(),
        due_on=due_on,
        recorded_by=user,
        recorded_at=timezone.now(),
    )
    finding.full_clean()
    finding.save()
    audit_write(actor=user, action="visits.finding", obj=finding, town=visit_village.visit.town)
    return finding


def rebound_still_up(removal: Removal) -> bool:
    """The removal already has a rebound whose sign is still on the wall."""
    removed_again = Removal.objects.in_effect().filter(signboard=OuterRef("signboard"))
    return Rebound.objects.filter(removal=removal).exclude(Exists(removed_again)).exists()


@transaction.atomic
def rebound_record(
    *, visit_village: VisitVillage, user, removal: Removal, found_on: dt.date, note: str = ""
) -> Rebound:
    """A removed sign found hung again: put a sign back on the village's wall (so the village
    stops meeting the standard), linked to its removal, with a serious finding to follow up."""
    # Lock the removal: two reviewers recording the same rebound at once write one.
    removal = Removal.objects.select_for_update().select_related("signboard").get(pk=removal.pk)
    old = removal.signboard
    if old.village_id != visit_village.village_id:
        raise ValidationError({"removal": _("This removal is of another village.")})
    if removal.revoked_at is not None:
        raise ValidationError({"removal": _("This removal has been revoked.")})
    if found_on < removal.removed_on:
        raise ValidationError(
            {
                "found_on": _("A sign cannot be found hung again before its removal (%(date)s).")
                % {"date": removal.removed_on.isoformat()}
            }
        )
    _check_found_on(found_on)
    if rebound_still_up(removal):
        raise ValidationError(
            {"removal": _("This rebound is already recorded and the sign is still up.")}
        )
    sign = signs_services.signboard_create(
        village=visit_village.village,
        user=user,
        kind=old.kind,
        title=old.title,
        location=old.location,
        approved_item=old.approved_item,
        inventoried_on=found_on,
        # The sign came back at the same department's request: its rebound counts for it.
        requested_by=old.requested_by,
    )
    problem = REBOUND_PROBLEM.format(title=old.title)
    if note.strip():
        problem += "\n" + note.strip()
    finding = finding_record(
        visit_village=visit_village,
        user=user,
        problem=problem,
        severity=Severity.SERIOUS,
        action=REBOUND_ACTION,
    )
    rebound = Rebound(
        visit_village=visit_village,
        removal=removal,
        signboard=sign,
        finding=finding,
        found_on=found_on,
        recorded_by=user,
        recorded_at=timezone.now(),
    )
    rebound.full_clean()
    rebound.save()
    audit_write(actor=user, action="visits.rebound", obj=rebound, town=visit_village.visit.town)
    return rebound


@transaction.atomic
def finding_close(*, finding: Finding, user, note: str) -> Finding:
    """The township says how it put the problem right; a rebound's finding closes only once
    the sign hung again has been removed again."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Please say how the problem was put right.")})
    town = finding.visit_village.visit.town
    staff_town = user_town(user)
    if staff_town is None or staff_town.pk != town.pk:
        raise ValidationError(_("Only the township's own staff close its findings."))
    rebound = Rebound.objects.filter(finding=finding).select_related("signboard").first()
    if rebound is not None and not rebound.signboard.removals.in_effect().exists():
        raise ValidationError(
            _("The sign hung again is still up: record its removal on the village page first.")
        )
    before = snapshot(finding)
    update_once(
        finding, while_=Q(closed_at__isnull=True),
        already=_("This finding has already been closed."),
        closed_at=timezone.now(), closed_by=user, closing_note=note,
    )  # fmt: skip
    audit_write(actor=user, action="visits.finding_close", obj=finding, town=town, before=before)
    return finding
