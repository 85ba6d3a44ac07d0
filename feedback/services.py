"""Writes of the suggestions and complaints: atomic, validated, audited in the same transaction.

The audit rows carry no township on purpose: a township's activity log is read by every
city-level user, and an item is for its sender and the administrators only.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from villages.access import user_town
from villages.audit import audit_write, snapshot

from .access import can_answer
from .choices import FeedbackKind
from .models import Feedback

ANSWER_FIELDS = ["answer", "answered_by", "answered_at"]


@transaction.atomic
def feedback_create(*, user, kind: str, subject: str, body: str) -> Feedback:
    """Send a suggestion, complaint or problem report to the system administrators; the
    sender's township is kept with it."""
    subject, body = subject.strip(), body.strip()
    errors = {}
    if not subject:
        errors["subject"] = _("Please write a subject.")
    if not body:
        errors["body"] = _("Please write what you suggest or what went wrong.")
    if errors:
        raise ValidationError(errors)
    if kind not in FeedbackKind.values:
        raise ValidationError({"kind": _("Choose a suggestion, a complaint or a problem report.")})
    feedback = Feedback(
        author=user,
        town=user_town(user),
        kind=kind,
        subject=subject,
        body=body,
        created_at=timezone.now(),
    )
    feedback.full_clean()
    feedback.save()
    audit_write(
        actor=user, action="feedback.create", obj=feedback, town=None, after=snapshot(feedback)
    )
    return feedback


@transaction.atomic
def feedback_answer(*, feedback: Feedback, user, answer: str) -> Feedback:
    """Answer an item, or change its answer (audited with the answer before and after); an
    unchanged answer writes nothing."""
    if not can_answer(user):
        raise ValidationError(_("Only the system administrators answer suggestions."))
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": _("Please write the answer.")})
    # Read afresh under a row lock (PostgreSQL) so that `before` is what this answer replaces,
    # and so that the caller's object stays untouched if the answer is refused.
    current = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if current.answer == answer:
        return current
    before = snapshot(current, ANSWER_FIELDS)
    current.answer = answer
    current.answered_by = user
    current.answered_at = timezone.now()
    current.full_clean()
    current.save(update_fields=ANSWER_FIELDS)
    audit_write(
        actor=user,
        action="feedback.answer",
        obj=current,
        town=None,
        before=before,
        after=snapshot(current, ANSWER_FIELDS),
    )
    return current
