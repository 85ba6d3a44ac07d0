"""Adding signs to a village's inventory: one by hand, or several read from photos of a wall."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from villages.audit import audit_write, snapshot
from villages.models import Village

from .. import photos
from ..models import ApprovedItem, Department, InventoryPhoto, Signboard
from ..tallies import refresh_village_tallies


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
    requested_by: Department | None = None,
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
        requested_by=requested_by,
    )
    refresh_village_tallies([village.pk], since=sign.inventoried_on)
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
