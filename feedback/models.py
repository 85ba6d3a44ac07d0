"""Suggestions, complaints and problem reports about the system, with the administrators' answer.

Nothing is deleted: an item and its answer are the record of what users asked for. An answer
may be changed; each change is audited with the text before and after.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villages.models import Town

from .choices import FeedbackKind, FeedbackStatus

SUBJECT_MAX_LENGTH = 100
# A long complaint fits; a pasted document does not (the forms say so before the service does).
BODY_MAX_LENGTH = 2000
ANSWER_MAX_LENGTH = 2000


class Feedback(models.Model):
    """One suggestion, complaint or problem report, sent by a signed-in user to the city's
    system administrators; no answer yet means 待答复."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="feedback",
        verbose_name=_("sent by"),
    )
    # The sender's township when they wrote, kept even if they later move: city-level
    # senders have none.
    town = models.ForeignKey(
        Town,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("township"),
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=FeedbackKind.choices, default=FeedbackKind.SUGGESTION
    )
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX_LENGTH)
    body = models.TextField(_("details"), validators=[MaxLengthValidator(BODY_MAX_LENGTH)])
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    answer = models.TextField(
        _("answer"), blank=True, validators=[MaxLengthValidator(ANSWER_MAX_LENGTH)]
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("suggestion or complaint")
        verbose_name_plural = _("suggestions and complaints")
        constraints = [
            models.CheckConstraint(
                condition=~Q(subject="") & ~Q(body=""),
                name="%(app_label)s_%(class)s_subject_body_not_blank",
                violation_error_message=_("Please write a subject and the details."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=FeedbackKind.values),
                name="%(app_label)s_%(class)s_kind_valid",
                violation_error_message=_("Choose a suggestion, a complaint or a problem report."),
            ),
            # An answer is all three or none: the status is read from answered_at alone.
            models.CheckConstraint(
                condition=Q(answer="", answered_by__isnull=True, answered_at__isnull=True)
                | (~Q(answer="") & Q(answered_by__isnull=False, answered_at__isnull=False)),
                name="%(app_label)s_%(class)s_answer_complete",
                violation_error_message=_("An answer needs its text, who answered and when."),
            ),
        ]
        indexes = [
            models.Index(fields=["author", "-created_at"], name="feedback_author_idx"),
            models.Index(fields=["answered_at"], name="feedback_answered_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.subject}"

    @property
    def status(self) -> FeedbackStatus:
        return FeedbackStatus.OPEN if self.answered_at is None else FeedbackStatus.ANSWERED
