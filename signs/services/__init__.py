"""The writes of signs, one module per subject. Each service is one transaction that
validates, writes, refreshes the village's tally and its audit row.

The package's public names are re-exported here, so callers write `services.removal_record`."""

# The error every service raises, with its Chinese message.
from django.core.exceptions import ValidationError

from .imports import sign_import_commit
from .inventory import WallEntry, WallPhoto, signboard_create, signboards_create_from_photos
from .ledgers import ledger_layout_save, ledger_words_save
from .removals import (
    PHOTO_FIELDS,
    removal_correct,
    removal_flag_title_in_photo,
    removal_record,
    removal_revoke,
    removals_record_bulk,
)
from .standard import standard_make_current

__all__ = [
    "ValidationError",
    "PHOTO_FIELDS",
    "WallEntry",
    "WallPhoto",
    "ledger_layout_save",
    "ledger_words_save",
    "removal_correct",
    "removal_flag_title_in_photo",
    "removal_record",
    "removal_revoke",
    "removals_record_bulk",
    "sign_import_commit",
    "signboard_create",
    "signboards_create_from_photos",
    "standard_make_current",
]
