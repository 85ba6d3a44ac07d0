"""Monthly work lists: who sees which lists and items, and how far each township has got."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from villages.access import is_city_level, user_town
from villages.models import Town

from ..models import WorkItem, WorkList

DONE = Q(done_at__isnull=False)


def _done_on_time() -> Q:
    """Done on or before the list's due date, by the local (Asia/Shanghai) date of done_at;
    needs the `done_on` annotation of `_with_done_on`."""
    return Q(done_at__isnull=False, done_on__lte=F("work_list__due_on"))


def _with_done_on(items: QuerySet[WorkItem]) -> QuerySet[WorkItem]:
    return items.annotate(done_on=TruncDate("done_at", tzinfo=timezone.get_default_timezone()))


def percent(done: int, total: int) -> Decimal:
    """done ÷ total as a percentage with one decimal; 0 when there is nothing to do."""
    if not total:
        return Decimal("0.0")
    return (Decimal(done) * 100 / Decimal(total)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def work_lists(*, year: int | None = None, town: Town | None = None) -> QuerySet[WorkList]:
    """Lists newest first, each with `item_count` and `done_count`: over every township, or
    only `town`'s items (and then only the lists that give it something to do)."""
    qs = WorkList.objects.select_related("issued_by")
    if year is not None:
        qs = qs.filter(year=year)
    scope = Q()
    if town is not None:
        qs = qs.filter(Exists(WorkItem.objects.filter(work_list=OuterRef("pk"), town=town)))
        scope = Q(items__town=town)
    return qs.annotate(
        item_count=Count("items", filter=scope),
        done_count=Count("items", filter=scope & Q(items__done_at__isnull=False)),
    ).order_by("-year", "-month", "-pk")


def visible_work_lists(user) -> QuerySet[WorkList]:
    """City-level users see every list; township staff the lists with items for them."""
    if is_city_level(user):
        return WorkList.objects.all()
    town = user_town(user)
    if town is None:
        return WorkList.objects.none()
    return WorkList.objects.filter(
        Exists(WorkItem.objects.filter(work_list=OuterRef("pk"), town=town))
    )


def visible_items(user, work_list: WorkList | None = None) -> QuerySet[WorkItem]:
    """Items a user may see (of `work_list` if given): all at city level, staff their own
    township's, anyone else none; by township, then in the order issued. Each carries
    `done_on`, the local date it was done."""
    qs = _with_done_on(WorkItem.objects.select_related("town", "village", "done_by", "work_list"))
    if work_list is not None:
        qs = qs.filter(work_list=work_list)
    if is_city_level(user):
        return qs.order_by("town__code", "pk")
    town = user_town(user)
    if town is None:
        return qs.none()
    return qs.filter(town=town).order_by("town__code", "pk")


def answerable_items(user) -> QuerySet[WorkItem]:
    """Items the user may mark done: their own township's, for township staff only."""
    town = user_town(user)
    if town is None:
        return WorkItem.objects.none()
    return WorkItem.objects.filter(town=town).select_related("town", "work_list")


def open_items(user) -> QuerySet[WorkItem]:
    """The items the user's township has still to mark done."""
    return answerable_items(user).filter(done_at__isnull=True)


@dataclass(frozen=True)
class TownCompletion:
    """One township's figures on one list."""

    town: Town
    items: int
    done: int
    done_on_time: int

    @property
    def percent(self) -> Decimal:
        return percent(self.done, self.items)

    @property
    def open(self) -> int:
        return self.items - self.done


def completion_by_town(
    *, work_list: WorkList, towns: QuerySet[Town] | None = None
) -> list[TownCompletion]:
    """Items, done and done on time per township on `work_list`, in township order; one
    query for the figures and one for the townships. Townships without items are left out."""
    items = WorkItem.objects.filter(work_list=work_list)
    if towns is not None:
        items = items.filter(town__in=towns)
    rows = (
        _with_done_on(items.order_by())
        .values("town")
        .annotate(
            items=Count("pk"),
            done=Count("pk", filter=DONE),
            done_on_time=Count("pk", filter=_done_on_time()),
        )
    )
    figures = {row["town"]: row for row in rows}
    return [
        TownCompletion(
            town=town,
            items=figures[town.pk]["items"],
            done=figures[town.pk]["done"],
            done_on_time=figures[town.pk]["done_on_time"],
        )
        for town in Town.objects.filter(pk__in=figures).order_by("code")
    ]


def total_completion(rows: list[TownCompletion]) -> dict:
    """The 合计 of `completion_by_town`'s rows."""
    items = sum(row.items for row in rows)
    done = sum(row.done for row in rows)
    return {
        "items": items,
        "done": done,
        "done_on_time": sum(row.done_on_time for row in rows),
        "open": items - done,
        "percent": percent(done, items),
    }


def work_lists_issued(*, year: int) -> int:
    """How many monthly lists were issued in `year` (the article's "8 work lists")."""
    return WorkList.objects.filter(year=year).count()
