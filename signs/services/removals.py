"""Recording, revoking and correcting removals, with their evidence photos."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from utilities.writes import each_or_none, update_once
from villages.audit import audit_write, snapshot

from .. import photos
from ..models import ALREADY_REMOVED, SIGN_COPIES, Department, Removal, Signboard, in_effect
from ..tallies import copy_sign_fields, refresh_village_tallies
from .inventory import _save_new

PHOTO_FIELDS = ["photo", "photo_thumb", "photo_before", "photo_before_thumb"]
NOT_CLEANED = [*PHOTO_FIELDS, *SIGN_COPIES]  # photos are checked by signs.photos


def _attach_photos(
    removal: Removal, *, photo, photo_before, photo_taken_at=None, photo_before_taken_at=None
) -> None:
    """Check, downscale and stamp the uploaded photos (signs.photos) onto `removal`.

    The stamp's time is the camera's (EXIF), else the time the phone read before making the
    photo small (`*_taken_at`), else the time of recording."""
    village = removal.signboard.village
    for upload, field, thumb_field, taken_at in (
        (photo, "photo", "photo_thumb", photo_taken_at),
        (photo_before, "photo_before", "photo_before_thumb", photo_before_taken_at),
    ):
        if upload is None:
            continue
        try:
            processed = photos.process_photo(
                upload, village_name=village.name, taken_at=taken_at or removal.recorded_at
            )
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from exc
        getattr(removal, field).save(processed.image.name, processed.image, save=False)
        getattr(removal, thumb_field).save(
            processed.thumbnail.name, processed.thumbnail, save=False
        )


@transaction.atomic
def removal_record(
    *,
    signboard: Signboard,
    user,
    removed_on: dt.date,
    reason: str,
    note: str = "",
    photo: UploadedFile | None = None,
    photo_before: UploadedFile | None = None,
    title_in_photo: bool = False,
    requested_by: Department | None = None,
    photo_taken_at: dt.datetime | None = None,
    photo_before_taken_at: dt.datetime | None = None,
) -> Removal:
    """Record that a sign came down; at most one removal in effect per sign.

    `title_in_photo`: 拍照识牌 read the sign's title in the photo after removal and the staffer
    saved anyway; the flag tells the reviewer to look. `requested_by`: the department that had
    asked for the sign, when the staffer names it at the wall; it is recorded on the sign.
    """
    removal = Removal(
        signboard=signboard,
        removed_on=removed_on,
        reason=reason,
        note=note.strip(),
        recorded_by=user,
        recorded_at=timezone.now(),
        title_in_photo=title_in_photo,
        sign_village_id=signboard.village_id,
        sign_requested_by_id=signboard.requested_by_id,
    )
    removal.full_clean(exclude=NOT_CLEANED)
    try:
        _attach_photos(
            removal, photo=photo, photo_before=photo_before, photo_taken_at=photo_taken_at,
            photo_before_taken_at=photo_before_taken_at,
        )  # fmt: skip
        _save_new(removal, constraint_message=str(ALREADY_REMOVED))
    except ValidationError:
        # A bad second photo, or a race lost to another request: leave no orphan files.
        for field in PHOTO_FIELDS:
            getattr(removal, field).delete(save=False)
        raise
    refresh_village_tallies([signboard.village_id], since=removed_on)
    audit_write(actor=user, action="removal.record", obj=removal, town=signboard.village.town)
    if requested_by is not None and signboard.requested_by_id != requested_by.pk:
        _name_department(signboard, requested_by, user=user)
    return removal


def _name_department(signboard: Signboard, department: Department, *, user) -> None:
    before = snapshot(signboard)
    signboard.requested_by = department
    signboard.save(update_fields=["requested_by"])
    copy_sign_fields(signboard)
    audit_write(
        actor=user, action="signboard.requested_by", obj=signboard, town=signboard.village.town,
        before=before,
    )  # fmt: skip


@transaction.atomic
def removals_record_bulk(
    *,
    signboards: list[Signboard],
    user,
    removed_on: dt.date,
    reason: str,
    note: str = "",
) -> list[Removal]:
    """Record one removal per sign with one date and reason: all of them, or none."""
    if not signboards:
        raise ValidationError(_("Tick at least one sign."))
    return each_or_none(
        signboards,
        lambda signboard: removal_record(
            signboard=signboard, user=user, removed_on=removed_on, reason=reason, note=note
        ),
        label=lambda signboard: signboard.title,
    )


@transaction.atomic
def removal_revoke(*, removal: Removal, user, reason: str) -> Removal:
    """Take back a mistaken removal: the sign counts as up again; nothing is deleted."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Please give the reason for revoking."))
    before = snapshot(removal)
    update_once(
        removal, while_=in_effect(), already=_("This removal has already been revoked."),
        revoked_at=timezone.now(), revoked_by=user, revoke_reason=reason,
    )  # fmt: skip
    refresh_village_tallies([removal.signboard.village_id], since=timezone.localdate())
    town = removal.signboard.village.town
    audit_write(actor=user, action="removal.revoke", obj=removal, town=town, before=before)
    return removal


def _delete_files(storage, names: list[str]) -> None:
    for name in names:
        storage.delete(name)


@transaction.atomic
def removal_correct(
    *,
    removal: Removal,
    user,
    reason: str,
    note: str,
    photo: UploadedFile | None = None,
    photo_before: UploadedFile | None = None,
    title_in_photo: bool | None = None,
) -> Removal:
    """Correct a removal's reason, note and photos (after a reviewer returned it).

    A new photo replaces the old one, whose files are deleted once the change is committed;
    `title_in_photo` (None keeps it) is what 拍照识牌 read in a new photo after removal.
    """
    removal = Removal.objects.select_related("signboard__village__town").get(pk=removal.pk)
    if removal.revoked_at is not None:
        raise ValidationError(_("A revoked removal cannot be corrected."))
    before = snapshot(removal)
    removal.reason = reason
    removal.note = note.strip()
    if title_in_photo is not None:
        removal.title_in_photo = title_in_photo
    removal.full_clean(exclude=NOT_CLEANED)
    replaced = [
        name
        for upload, fields in ((photo, PHOTO_FIELDS[:2]), (photo_before, PHOTO_FIELDS[2:]))
        if upload is not None
        for name in (getattr(removal, field).name for field in fields)
        if name
    ]
    try:
        _attach_photos(removal, photo=photo, photo_before=photo_before)
    except ValidationError:
        for field, upload in zip(
            PHOTO_FIELDS, (photo, photo, photo_before, photo_before), strict=True
        ):
            if upload is not None and getattr(removal, field).name not in replaced:
                getattr(removal, field).delete(save=False)
        raise
    removal.save(update_fields=["reason", "note", "title_in_photo", *PHOTO_FIELDS])
    # The old evidence goes only once its replacement is committed: a rollback keeps it.
    transaction.on_commit(partial(_delete_files, removal.photo.storage, replaced))
    town = removal.signboard.village.town
    audit_write(actor=user, action="removal.correct", obj=removal, town=town, before=before)
    return removal


@transaction.atomic
def removal_flag_title_in_photo(*, removal: Removal, user, seen: str) -> Removal | None:
    """拍照识牌, reading the photo after removal in a worker, still saw the sign's title: flag
    the removal for the reviewer (the warning the form gives when it reads the photo itself).
    A removal revoked or flagged meanwhile is left as it is (None)."""
    removal = (
        Removal.objects.select_for_update()
        .select_related("signboard__village__town")
        .get(pk=removal.pk)
    )
    if removal.revoked_at is not None or removal.title_in_photo:
        return None
    before = snapshot(removal)
    removal.title_in_photo = True
    removal.save(update_fields=["title_in_photo"])
    town = removal.signboard.village.town
    audit_write(actor=user, action="removal.title_in_photo", obj=removal, town=town,
                before=before, after={**snapshot(removal), "seen": seen})  # fmt: skip
    return removal
