"""Review (核验) of reported removals: verify, return with a comment, correct and resubmit.

A removal without a RemovalReview row is 待核验. Each decision is written once: a new verdict
is an insert on the removal's primary key, a later one a conditional UPDATE on the status, so
two reviewers deciding at once cannot both succeed (the same pattern as removal_revoke).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from signs import services as signs_services
from signs.models import Removal
from utilities.writes import each_or_none
from villages.access import can_edit_village
from villages.audit import audit_write, snapshot

from ..choices import ReviewStatus
from ..models import RemovalReview


def _in_effect(removal: Removal) -> Removal:
    """The removal as stored now; a revoked one can be neither verified nor returned."""
    current = Removal.objects.select_related("signboard__village__town").get(pk=removal.pk)
    if current.revoked_at is not None:
        raise ValidationError(_("This removal has been revoked; there is nothing to review."))
    return current


def _already_decided() -> ValidationError:
    return ValidationError(_("Another reviewer has just decided on this removal."))


def _decide(*, removal: Removal, user, status: str, comment: str | None) -> RemovalReview:
    """Give a pending removal its verdict; `comment` None keeps the one it has."""
    removal = _in_effect(removal)
    now = timezone.now()
    review = RemovalReview.objects.filter(pk=removal.pk).first()
    if review is None:
        review = RemovalReview(
            removal=removal,
            status=status,
            comment=comment or "",
            reviewed_by=user,
            reviewed_at=now,
        )
        review.full_clean(validate_unique=False)  # the primary key decides a race, below
        try:
            with transaction.atomic():
                review.save(force_insert=True)
        except IntegrityError as exc:
            raise _already_decided() from exc
        before = None
    else:
        if review.status == ReviewStatus.RETURNED:
            raise ValidationError(
                _("This removal was returned; it waits for the township to correct it.")
            )
        if review.status == ReviewStatus.VERIFIED:
            raise ValidationError(_("This removal has already been verified."))
        before = snapshot(review)
        review.status, review.reviewed_by, review.reviewed_at = status, user, now
        if comment is not None:
            review.comment = comment
        review.full_clean(validate_unique=False)
        updated = RemovalReview.objects.filter(pk=removal.pk, status=ReviewStatus.PENDING).update(
            status=status, comment=review.comment, reviewed_by=user, reviewed_at=now
        )
        if not updated:
            raise _already_decided()
    action = "review.verify" if status == ReviewStatus.VERIFIED else "review.return"
    audit_write(
        actor=user, action=action, obj=review, town=removal.signboard.village.town, before=before
    )
    return review


@transaction.atomic
def removal_verify(*, removal: Removal, user) -> RemovalReview:
    """核验通过: the removal is confirmed by the city; only a pending one in effect."""
    return _decide(removal=removal, user=user, status=ReviewStatus.VERIFIED, comment=None)


@transaction.atomic
def removals_verify_bulk(*, removals: list[Removal], user) -> list[RemovalReview]:
    """Verify the ticked removals of the queue: all of them, or none."""
    if not removals:
        raise ValidationError(_("Tick at least one removal."))
    return each_or_none(
        removals,
        lambda removal: removal_verify(removal=removal, user=user),
        label=lambda removal: removal.signboard.title,
    )


@transaction.atomic
def removal_return(*, removal: Removal, user, comment: str) -> RemovalReview:
    """退回: the township must correct the removal; the comment says what."""
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": _("Please say what must be corrected.")})
    return _decide(removal=removal, user=user, status=ReviewStatus.RETURNED, comment=comment)


@transaction.atomic
def removal_resubmit(
    *,
    removal: Removal,
    user,
    reason: str,
    note: str = "",
    photo: UploadedFile | None = None,
    photo_before: UploadedFile | None = None,
    title_in_photo: bool | None = None,
) -> RemovalReview:
    """The township corrects a returned removal (signs.services.removal_correct) and sends it
    back to the reviewers: 待核验 again, the reviewer's comment kept."""
    removal = _in_effect(removal)
    if not can_edit_village(user, removal.signboard.village):
        raise ValidationError(_("Only the township's own staff can correct its removals."))
    review = RemovalReview.objects.filter(pk=removal.pk).first()
    if review is None or review.status != ReviewStatus.RETURNED:
        raise ValidationError(_("Only a returned removal can be corrected and resubmitted."))
    before = snapshot(review)
    now = timezone.now()
    updated = RemovalReview.objects.filter(pk=removal.pk, status=ReviewStatus.RETURNED).update(
        status=ReviewStatus.PENDING, resubmitted_at=now, resubmissions=F("resubmissions") + 1
    )
    if not updated:
        raise ValidationError(_("This removal has already been resubmitted."))
    review.refresh_from_db()
    town = removal.signboard.village.town
    audit_write(actor=user, action="review.resubmit", obj=review, town=town, before=before)
    # Last, so that nothing after it can roll back the new photos it stored.
    signs_services.removal_correct(
        removal=removal,
        user=user,
        reason=reason,
        note=note,
        photo=photo,
        photo_before=photo_before,
        title_in_photo=title_in_photo,
    )
    return review
