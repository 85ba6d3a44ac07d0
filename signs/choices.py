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


# What the history pages call the signs' audited actions (registered with villages.audit).
AUDIT_ACTIONS = {
    "signboard.create": _("added the sign"),
    "removal.record": _("recorded a removal"),
    "removal.revoke": _("revoked a removal"),
    "removal.title_in_photo": _("拍照识牌 still read the sign in the photo after removal"),
    "standard.make_current": _("made the standard current"),
    "signboard.import": _("imported an inventory"),
    "signboard.requested_by": _("named the department that asked for the sign"),
    "ledger.layout": _("mapped the columns of a ledger layout"),
    "ledger.word": _("mapped a word of the township's ledgers"),
}


# The sheet of the 台账 with one row per sign; the inventory import reads it back as is.
SIGN_LEDGER_SHEET = "牌子台账"
