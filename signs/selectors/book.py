"""一村一本: each village's own book of the standard, and the printed copies handed out."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from villages.models import Town, Village

from ..choices import ItemKind, SignStatus
from ..models import ApprovedItem, BookCopy, Signboard, Standard
from .figures import signboards_at
from .standard import current_standard, standard_items


@dataclass
class BookEntry:
    """An item of the standard as this village's book prints it: where the village has it."""

    item: ApprovedItem
    rooms: list[str] = field(default_factory=list)

    @property
    def held(self) -> bool:
        return bool(self.rooms)


@dataclass
class Book:
    village: Village
    standard: Standard
    copy_number: int | None
    rules: list[BookEntry]
    plaques: list[BookEntry]
    organizations: list[BookEntry]

    @property
    def lacking(self) -> list[BookEntry]:
        """Room plaques of the standard that no room of this village holds."""
        return [entry for entry in self.plaques if not entry.held]


def _rooms_holding(villages: list[Village], *, as_of: dt.date) -> dict[tuple[int, int], list]:
    """{(village id, item id): rooms}: where a retained sign of each item is up at `as_of`."""
    up = (
        signboards_at(as_of=as_of, signboards=Signboard.objects.filter(village__in=villages))
        .filter(status=SignStatus.RETAINED)
        .order_by("location")
        .values_list("village_id", "approved_item_id", "location")
    )
    rooms: dict[tuple[int, int], list] = defaultdict(list)
    for village_id, item_id, location in up:
        rooms[village_id, item_id].append(location or "—")
    return rooms


def books(
    villages: QuerySet[Village] | list[Village],
    *,
    standard: Standard | None = None,
    as_of: dt.date | None = None,
) -> list[Book]:
    """The book of each village, in the order given. Four queries whatever the count."""
    standard = standard or current_standard()
    if standard is None:
        return []
    villages = list(villages)
    as_of = as_of or timezone.localdate()
    items = list(standard_items(standard=standard).select_related("department"))
    rooms = _rooms_holding(villages, as_of=as_of)
    copies = dict(
        BookCopy.objects.filter(standard=standard, village__in=villages)
        .values("village_id")
        .annotate(first=Min("number"))
        .values_list("village_id", "first")
    )
    result = []
    for village in villages:
        entries = {kind: [] for kind in ItemKind.values}
        for item in items:
            entries[item.kind].append(BookEntry(item, rooms.get((village.pk, item.pk), [])))
        result.append(
            Book(
                village=village,
                standard=standard,
                copy_number=copies.get(village.pk),
                rules=entries[ItemKind.RULE],
                plaques=entries[ItemKind.PLAQUE],
                organizations=entries[ItemKind.ORGANIZATION],
            )
        )
    return result


@dataclass(frozen=True)
class BookCoverage:
    """汇编印发 N 册，覆盖 X 个乡镇 Y 个村(社区)."""

    copies: int
    towns: int
    villages: int


def book_coverage(
    *, standard: Standard | None = None, towns: QuerySet[Town] | None = None
) -> BookCoverage:
    """Copies of the (current) edition recorded as handed over, and the townships and villages
    they reached (a township is covered by its office's copy or by any of its villages')."""
    standard = standard or current_standard()
    if standard is None:
        return BookCoverage(0, 0, 0)
    copies = BookCopy.objects.filter(standard=standard)
    if towns is not None:
        copies = copies.filter(Q(town__in=towns) | Q(village__town__in=towns))
    figures = copies.aggregate(
        copies=Count("pk"),
        villages=Count("village", distinct=True),
        # A township counts once, whether through its office's copy or its villages'.
        towns=Count(Coalesce("town", "village__town"), distinct=True),
    )
    return BookCoverage(figures["copies"], figures["towns"], figures["villages"])
