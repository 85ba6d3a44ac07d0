"""Every write to signs goes through these functions: atomic, validated, audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from villages.audit import audit_write, snapshot
from villages.models import Village

from . import photos
from .models import ALREADY_REMOVED, ApprovedItem, InventoryPhoto, Removal, Signboard, Standard
from .tallies import refresh_village_tallies


def _save_new(obj, *, constraint_message: str) -> None:
    """Insert `obj`; a constraint lost to a concurrent request becomes a ValidationError."""
    try:
        with transaction.atomic():
            obj.save(force_insert=True)
    except IntegrityError as exc:
        raise ValidationError(constraint_message) from exc


@transaction.atomic
def signboard_create(
    *,
    village: Village,
    user,
    kind: str,
    title: str,
    location: str = "",
    approved_item: ApprovedItem | None = None,
    inventoried_on: dt.date | None = None,
) -> Signboard:
    """Add a sign to a village's inventory (today unless another date is given)."""
    sign = _add_sign(
        village=village,
        user=user,
        kind=kind,
        title=title,
        location=location,
        approved_item=approved_item,
        inventoried_on=inventoried_on,
    )
    refresh_village_tallies([village.pk])
    return sign


def _add_sign(*, village: Village, user, title: str, location: str, **fields) -> Signboard:
    """Validate, insert and audit one sign; the caller refreshes the village's tally."""
    sign = Signboard(
        village=village,
        title=title.strip(),
        location=location.strip(),
        created_by=user,
        **{**fields, "inventoried_on": fields.get("inventoried_on") or timezone.localdate()},
    )
    sign.full_clean()
    sign.save()
    audit_write(
        actor=user, action="signboard.create", obj=sign, town=village.town, after=snapshot(sign)
    )
    return sign


@dataclass(frozen=True)
class WallPhoto:
    """A wall photo read by 拍照识牌: its bytes and the texts read on it."""

    data: bytes
    texts: list[dict]  # [{"text": ..., "score": ...}]


@dataclass(frozen=True)
class WallEntry:
    """A sign the user confirmed from a reading, and which photo shows it."""

    title: str
    kind: str
    approved_item: ApprovedItem | None
    photo: int


@transaction.atomic
def signboards_create_from_photos(
    *,
    village: Village,
    user,
    location: str,
    photos: list[WallPhoto],
    entries: list[WallEntry],
) -> list[Signboard]:
    """Add the confirmed signs of a 拍照识牌 reading, each linked to its photo: all or none."""
    if not entries:
        raise ValidationError(_("Tick at least one sign."))
    now = timezone.now()
    kept: dict[int, InventoryPhoto] = {}
    try:
        for index in sorted({entry.photo for entry in entries}):
            kept[index] = _keep_wall_photo(
                village=village, user=user, location=location, photo=photos[index], now=now
            )
        signs = []
        for entry in entries:
            try:
                signs.append(
                    _add_sign(
                        village=village,
                        user=user,
                        kind=entry.kind,
                        title=entry.title,
                        location=location,
                        approved_item=entry.approved_item,
                        inventory_photo=kept[entry.photo],
                    )
                )
            except ValidationError as exc:
                raise ValidationError(
                    _("%(sign)s: %(error)s")
                    % {"sign": entry.title, "error": " ".join(exc.messages)}
                ) from exc
    except ValidationError:
        for photo in kept.values():  # the transaction rolls the rows back; the files go too
            photo.photo.delete(save=False)
            photo.photo_thumb.delete(save=False)
        raise
    refresh_village_tallies([village.pk])
    return signs


def _keep_wall_photo(*, village, user, location: str, photo: WallPhoto, now) -> InventoryPhoto:
    processed = photos.process_photo(
        ContentFile(photo.data), village_name=village.name, taken_at=now
    )
    kept = InventoryPhoto(
        village=village,
        location=location.strip(),
        texts_read=photo.texts,
        uploaded_by=user,
        uploaded_at=now,
    )
    kept.photo.save(processed.image.name, processed.image, save=False)
    kept.photo_thumb.save(processed.thumbnail.name, processed.thumbnail, save=False)
    kept.save()
    return kept


PHOTO_FIELDS = ["photo", "photo_thumb", "photo_before", "photo_before_thumb"]


def _attach_photos(removal: Removal, *, photo, photo_before) -> None:
    """Check, downscale and stamp the uploaded photos (signs.photos) onto `removal`."""
    village = removal.signboard.village
    for upload, field, thumb_field in (
        (photo, "photo", "photo_thumb"),
        (photo_before, "photo_before", "photo_before_thumb"),
    ):
        if upload is None:
            continue
        try:
            processed = photos.process_photo(
                upload, village_name=village.name, taken_at=removal.recorded_at
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
) -> Removal:
    """Record that a sign came down; at most one removal in effect per sign.

    `title_in_photo`: 拍照识牌 read the sign's title in the photo after removal and the staffer
    saved anyway; the flag tells the reviewer to look.
    """
    removal = Removal(
        signboard=signboard,
        removed_on=removed_on,
        reason=reason,
        note=note.strip(),
        recorded_by=user,
        recorded_at=timezone.now(),
        title_in_photo=title_in_photo,
    )
    removal.full_clean(exclude=PHOTO_FIELDS)
    try:
        _attach_photos(removal, photo=photo, photo_before=photo_before)
        _save_new(removal, constraint_message=str(ALREADY_REMOVED))
    except ValidationError:
        # A bad second photo, or a race lost to another request: leave no orphan files.
        for field in PHOTO_FIELDS:
            getattr(removal, field).delete(save=False)
        raise
    refresh_village_tallies([signboard.village_id])
    audit_write(actor=user, action="removal.record", obj=removal, town=signboard.village.town)
    return removal


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
    removals = []
    for signboard in signboards:
        try:
            removals.append(
                removal_record(
                    signboard=signboard, user=user, removed_on=removed_on, reason=reason, note=note
                )
            )
        except ValidationError as exc:
            raise ValidationError(
                _("%(sign)s: %(error)s")
                % {"sign": signboard.title, "error": " ".join(exc.messages)}
            ) from exc
    return removals


@transaction.atomic
def removal_revoke(*, removal: Removal, user, reason: str) -> Removal:
    """Take back a mistaken removal: the sign counts as up again; nothing is deleted."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Please give the reason for revoking."))
    before = snapshot(removal)
    now = timezone.now()
    # The filter on revoked_at makes two concurrent revokes write once.
    updated = (
        Removal.objects.in_effect()
        .filter(pk=removal.pk)
        .update(revoked_at=now, revoked_by=user, revoke_reason=reason)
    )
    if not updated:
        raise ValidationError(_("This removal has already been revoked."))
    removal.refresh_from_db()
    refresh_village_tallies([removal.signboard.village_id])
    audit_write(
        actor=user,
        action="removal.revoke",
        obj=removal,
        town=removal.signboard.village.town,
        before=before,
    )
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
    removal.full_clean(exclude=PHOTO_FIELDS)
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
    audit_write(
        actor=user,
        action="removal.correct",
        obj=removal,
        town=removal.signboard.village.town,
        before=before,
    )
    return removal


@transaction.atomic
def standard_make_current(*, standard: Standard, user) -> Standard:
    """Make `standard` the one current edition."""
    Standard.objects.filter(is_current=True).exclude(pk=standard.pk).update(is_current=False)
    before = snapshot(standard)
    standard.is_current = True
    standard.save(update_fields=["is_current"])
    audit_write(actor=user, action="standard.make_current", obj=standard, town=None, before=before)
    return standard
