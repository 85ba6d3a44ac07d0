from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedbackKind(models.TextChoices):
    SUGGESTION = "suggestion", _("suggestion")
    COMPLAINT = "complaint", _("complaint")
    PROBLEM = "problem", _("problem report")


class FeedbackStatus(models.TextChoices):
    """Derived from `answered_at`, never stored, so it cannot disagree with the answer."""

    OPEN = "open", _("awaiting an answer")
    ANSWERED = "answered", _("answered")


# 意见建议's audited actions; their rows carry no township, so no township log shows them.
AUDIT_ACTIONS = {
    "feedback.create": _("sent a suggestion or complaint"),
    "feedback.answer": _("answered a suggestion or complaint"),
}
