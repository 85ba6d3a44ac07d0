"""The standard (汇编) in effect and its items."""

from __future__ import annotations

from django.db.models import (
    Case,
    Count,
    IntegerField,
    QuerySet,
    Value,
    When,
)

from ..choices import ItemKind
from ..models import ApprovedItem, Standard


def current_standard() -> Standard | None:
    return Standard.objects.filter(is_current=True).first()


def item_kind_order() -> Case:
    """Rules, then room plaques, then organization plaques: the standard's own order."""
    return Case(
        When(kind=ItemKind.RULE, then=Value(0)),
        When(kind=ItemKind.PLAQUE, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def standard_items(*, standard: Standard | None = None) -> QuerySet[ApprovedItem]:
    """The items of the (current) standard in the standard's order."""
    standard = standard or current_standard()
    if standard is None:
        return ApprovedItem.objects.none()
    return standard.items.order_by(item_kind_order(), "number")


def standard_counts(*, standard: Standard | None = None) -> dict[str, int]:
    """How many items of each kind the standard keeps ({'rule': 19, 'plaque': 21, ...})."""
    standard = standard or current_standard()
    counts = {kind.value: 0 for kind in ItemKind}
    if standard is None:
        return counts
    rows = standard.items.order_by().values("kind").annotate(n=Count("pk"))
    counts.update({row["kind"]: row["n"] for row in rows})
    return counts
