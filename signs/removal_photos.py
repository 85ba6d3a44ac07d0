"""The removal form's photos, and the warning when 拍照识牌 still reads the sign in them.

The view calls `check` once per valid POST. When the photo after removal still shows the
sign's title and the user has not ticked 仍然保存, the form comes back with the warning and
the photos kept on the server (PENDING_PHOTOS, so the user need not take them again); else
the photos go to the service, flagged when the title was seen.

With a job queue (utilities.jobs) the web does not read photos: the removal is saved at once
and `check_later` has a worker read the photo after removal, which flags the removal for the
reviewer when the title still shows (signs.jobs.removal_photo_check).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from utilities import jobs

from . import readings
from .forms import RemovalForm
from .pending import PendingUploads

PHOTO_FIELDS = ("photo", "photo_before")
# Removal photos wait here between the warning and 仍然保存.
PENDING_PHOTOS = PendingUploads(session_key="pending_removal_photos", suffix=".photo", keep=4)


@dataclass
class PhotoCheck:
    """What the form's photos came to: the files for the service, what was seen in the photo
    after removal ("" if nothing), and the form to show again with the warning, if any."""

    photos: dict
    seen: str = ""
    warned_form: RemovalForm | None = None

    def service_kwargs(self) -> dict:
        return {**self.photos, "title_in_photo": bool(self.seen)}


def check(request, form: RemovalForm, sign) -> PhotoCheck:
    """Read the valid form's photos; errors go onto the form (which is then invalid)."""
    scope = {"sign": sign.pk}
    photos = {field: _photo(request, form, field, scope=scope) for field in PHOTO_FIELDS}
    result = PhotoCheck(photos=photos)
    try:
        result.seen = _seen(request, form, sign, photos["photo"], scope=scope)
    except ValidationError as exc:
        form.add_error("photo", exc.messages)
        return result
    if result.seen and form.is_valid() and not form.cleaned_data["save_anyway"]:
        result.warned_form = _warned_form(request, form, photos, seen=result.seen, scope=scope)
    return result


def discard_kept(request, form: RemovalForm) -> None:
    """The saved form's kept photos are no longer needed on the server."""
    for field in PHOTO_FIELDS:
        if token := form.cleaned_data[f"pending_{field}"]:
            PENDING_PHOTOS.discard(request, str(token))


def _photo(request, form, field: str, *, scope: dict):
    """The photo just uploaded in `field`, else the one kept on the server from the warning."""
    if upload := form.cleaned_data[field]:
        return upload
    if not (token := form.cleaned_data[f"pending_{field}"]):
        return None
    if loaded := PENDING_PHOTOS.load(request, str(token), scope=scope):
        return ContentFile(loaded[1], name="photo.jpg")
    form.add_error(field, _("The kept photo has expired; please take it again."))
    return None


def _seen(request, form, sign, upload, *, scope: dict) -> str:
    """What still shows the sign in the photo after removal ("" if nothing, or no photo)."""
    if upload is None or jobs.queued():  # with a queue, a worker reads it (check_later)
        return ""
    if not form.cleaned_data.get("photo"):  # kept from the warning, when it was read
        loaded = PENDING_PHOTOS.load(request, str(form.cleaned_data["pending_photo"]), scope=scope)
        return loaded[0]["seen"] if loaded else ""
    return readings.seen_in_removal_photo(sign.title, upload)


def _warned_form(request, form, photos: dict, *, seen: str, scope: dict) -> RemovalForm:
    """The form again, with 仍然保存 to tick and its new photos kept on the server."""
    data = form.data.copy()
    for field, upload in photos.items():
        if upload is not None and form.cleaned_data[field]:
            upload.seek(0)
            data[f"pending_{field}"] = PENDING_PHOTOS.store(
                request, scope=scope, data=upload.read(), seen=seen
            )
    return RemovalForm(data, warned=True)


def check_later(request, removal) -> None:
    """With a queue, have a worker read the saved removal's photo after removal (no page waits
    for it). The queue being down costs the check, not the removal: the user is told."""
    if not jobs.queued() or not removal.photo:
        return
    try:
        jobs.start(
            user=request.user,
            task="removal_photo_check",
            title=_("Photo check: %(sign)s") % {"sign": removal.signboard.title},
            params={"removal": removal.pk},
        )
    except jobs.QueueUnavailable:
        logging.getLogger(__name__).warning("removal %s: photo check not queued", removal.pk)
        messages.warning(
            request, _("The removal was saved, but its photo could not be checked just now.")
        )
