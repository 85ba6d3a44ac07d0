"""The field pages' forms, one module per workflow: few fields, sensible defaults, the phone's
camera for photos. Re-exported here, so callers write `forms.RemovalForm`."""

from .inventory import SignboardForm
from .removals import BulkRemovalForm, RemovalFieldsMixin, RemovalForm, RevokeForm
from .wall import (
    MAX_WALL_PHOTOS,
    WallConfirmForm,
    WallEntryForm,
    WallEntryFormSet,
    WallPhotoForm,
    WallPhotosField,
)

__all__ = [
    "BulkRemovalForm",
    "MAX_WALL_PHOTOS",
    "RemovalFieldsMixin",
    "RemovalForm",
    "RevokeForm",
    "SignboardForm",
    "WallConfirmForm",
    "WallEntryForm",
    "WallEntryFormSet",
    "WallPhotoForm",
    "WallPhotosField",
]
