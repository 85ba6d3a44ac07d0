"""Reads of the suggestions and complaints: who sees which items, and how many await an answer."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet

from .access import can_answer
from .choices import FeedbackStatus
from .models import Feedback


def visible_feedback(user) -> QuerySet[Feedback]:
    """Every item for those who answer, the user's own otherwise (another's is then a 404);
    the items waiting for an answer first, then the latest."""
    qs = Feedback.objects.select_related("author", "town", "answered_by").order_by(
        F("answered_at").desc(nulls_first=True), "-created_at", "-pk"
    )
    if can_answer(user):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    return qs.filter(author=user)


def answerable_feedback(user) -> QuerySet[Feedback]:
    """The items the user may answer: all of them for an answerer, none for anyone else."""
    if not can_answer(user):
        return Feedback.objects.none()
    return visible_feedback(user)


def status_counts(*, items: QuerySet[Feedback]) -> dict[str, int]:
    """How many of `items` await an answer and how many are answered, in one query."""
    counts = items.order_by().aggregate(
        open=Count("pk", filter=Q(answered_at__isnull=True)),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
    )
    return {
        FeedbackStatus.OPEN.value: counts["open"],
        FeedbackStatus.ANSWERED.value: counts["answered"],
    }
