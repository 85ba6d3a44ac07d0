from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    """Kinds of item in the standard; organization plaques are outside the 19/21 counts."""

    RULE = "rule", _("wall rule")
    PLAQUE = "plaque", _("room plaque")
    ORGANIZATION = "organization", _("organization plaque")


class SignKind(models.TextChoices):
    RULE = "rule", _("rule board")
    PLAQUE = "plaque", _("room plaque")
    GUIDANCE = "guidance", _("guidance sign")
    ORGANIZATION = "organization", _("organization or mechanism plaque")
    HONOUR = "honour", _("honour plaque")
    OTHER = "other", _("other")


class RemovalReason(models.TextChoices):
    NO_BUSINESS = "no_business", _("no substantive business")
    LOW_DEMAND = "low_demand", _("little community demand")
    DUPLICATE = "duplicate", _("duplicates a room plaque")
    NO_BASIS = "no_basis", _("hung without approval or basis")
    INTERNAL_RULE = "internal_rule", _("internal rule, not for display")
    MERGED = "merged", _("merged with a similar function")
    DAMAGED = "damaged", _("damaged or faded")
    OTHER = "other", _("other (note required)")


class SignStatus(models.TextChoices):
    """A sign's state at a date, as the selectors derive it (never stored)."""

    RETAINED = "retained", _("retained")
    DUPLICATE = "duplicate", _("duplicate")
    TO_REMOVE = "to_remove", _("to remove")
    REMOVED = "removed", _("removed")


# The reason a removal form offers first (the most common one in the field).
DEFAULT_REMOVAL_REASON = RemovalReason.NO_BUSINESS


# What the history pages call each audited action.
AUDIT_ACTION_LABELS = {
    "signboard.create": _("added the sign"),
    "removal.record": _("recorded a removal"),
    "removal.revoke": _("revoked a removal"),
    "standard.make_current": _("made the standard current"),
    "signboard.import": _("imported an inventory"),
    "town.create": _("added the township"),
    "town.update": _("changed the township"),
    "village.create": _("added the village"),
    "village.update": _("changed the village"),
    "admin.add": _("added in the admin"),
    "admin.change": _("changed in the admin"),
    "admin.delete": _("deleted in the admin"),
    "admin.password": _("set a password in the admin"),
    # The supervision's writes (supervision.services), shown in the same histories.
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
    # 意见建议 (feedback.services); their rows carry no township, so no township log shows them.
    "feedback.create": _("sent a suggestion or complaint"),
    "feedback.answer": _("answered a suggestion or complaint"),
}
