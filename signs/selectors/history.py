"""Who did what, and when: the audit rows of a sign, a village, a township."""

from __future__ import annotations

from django.db.models import (
    CharField,
    Q,
    QuerySet,
)
from django.db.models.functions import Cast

from villages.models import AuditEntry, Town, Village

from ..models import Removal, Signboard


def _ids_as_text(qs: QuerySet) -> QuerySet:
    """The primary keys of `qs` as text, to match AuditEntry.object_id (a CharField)."""
    return qs.order_by().annotate(id_text=Cast("pk", CharField())).values("id_text")


def signboard_history(*, signboard: Signboard) -> QuerySet[AuditEntry]:
    """Every audited write to the sign and to its removals, oldest first."""
    return (
        AuditEntry.objects.filter(
            Q(object_type=Signboard._meta.label_lower, object_id=str(signboard.pk))
            | Q(
                object_type=Removal._meta.label_lower,
                object_id__in=_ids_as_text(Removal.objects.filter(signboard=signboard)),
            )
        )
        .select_related("actor")
        .order_by("at", "pk")
    )


def village_history(*, village: Village) -> QuerySet[AuditEntry]:
    """Every audited write to the village, its signs and their removals, newest first.

    One query with subqueries, however many signs the village has.
    """
    signs = Signboard.objects.filter(village=village)
    removals = Removal.objects.filter(signboard__village=village)
    return (
        AuditEntry.objects.filter(
            Q(object_type=Village._meta.label_lower, object_id=str(village.pk))
            | Q(object_type=Signboard._meta.label_lower, object_id__in=_ids_as_text(signs))
            | Q(object_type=Removal._meta.label_lower, object_id__in=_ids_as_text(removals))
        )
        .select_related("actor")
        .order_by("-at", "-pk")
    )


def town_activity(*, town: Town) -> QuerySet[AuditEntry]:
    """Every audited write concerning a township, newest first (for the activity log)."""
    return (
        AuditEntry.objects.filter(town=town).select_related("actor", "town").order_by("-at", "-pk")
    )
