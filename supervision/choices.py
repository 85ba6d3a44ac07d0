from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewStatus(models.TextChoices):
    """Where a reported removal stands with the reviewers (自查 → 审核 → 销号)."""

    PENDING = "pending", _("awaiting verification")
    VERIFIED = "verified", _("verified")
    RETURNED = "returned", _("returned")


class WorkItemKind(models.TextChoices):
    TASK = "task", _("task")
    BEHIND = "behind", _("village behind the standard")
    RETURNED = "returned", _("returned removal")


class Severity(models.TextChoices):
    MINOR = "minor", _("minor")
    MAJOR = "major", _("major")
    SERIOUS = "serious", _("serious")


class Indicator(models.TextChoices):
    """The annual assessment's indicators; each is a percentage (higher is better)."""

    PROGRESS = "progress", _("removal progress")
    MEETING = "meeting", _("villages meeting the standard")
    NO_REBOUND = "no_rebound", _("villages without rebound")
    WORK_ON_TIME = "work_on_time", _("work-list items done on time")
    FINDINGS_CLOSED = "findings_closed", _("visit findings closed")


# What the history pages call the supervision's audited actions, shown in the same histories.
AUDIT_ACTIONS = {
    "removal.correct": _("corrected a removal"),
    "review.verify": _("verified a removal"),
    "review.return": _("returned a removal"),
    "review.resubmit": _("resubmitted a removal"),
    "worklist.issue": _("issued a work list"),
    "worklist.add_item": _("added a work-list item"),
    "worklist.item_done": _("marked a work-list item done"),
    "worklist.item_reopen": _("reopened a work-list item"),
    "visits.round_create": _("drew a round of visits"),
    "visits.visit_update": _("changed a visit"),
    "visits.finding": _("recorded a finding"),
    "visits.rebound": _("recorded a rebound"),
    "visits.finding_close": _("closed a finding"),
    "assessment.weights": _("changed the assessment weights"),
    "assessment.remark": _("wrote assessment remarks"),
}
