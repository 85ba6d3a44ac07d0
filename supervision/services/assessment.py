"""Writes of the annual assessment: the reviewers' weights and remarks, atomic and audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from villages.audit import audit_write, snapshot
from villages.models import Town

from ..choices import Indicator
from ..models import AssessmentRemark, AssessmentWeight

WEIGHT_TOTAL = 100
FIRST_YEAR = 2000


@transaction.atomic
def weights_update(*, user, weights: dict[str, int]) -> list[AssessmentWeight]:
    """Set the five indicators' weights at once: whole numbers 0–100 that add up to 100.

    Each weight that changes gets its audit row ("assessment.weights") with before and after.
    """
    expected = set(Indicator.values)
    if set(weights) != expected:
        raise ValidationError(_("Give a weight for each of the five indicators."))
    errors = {}
    for name, value in weights.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            errors[name] = _("A weight is a whole number from 0 to 100.")
    if errors:
        raise ValidationError(errors)
    total = sum(weights.values())
    if total != WEIGHT_TOTAL:
        raise ValidationError(
            _("The weights must add up to 100 (they add up to %(total)s).") % {"total": total}
        )
    now = timezone.now()
    stored = {w.indicator: w for w in AssessmentWeight.objects.select_for_update()}
    saved = []
    for indicator in Indicator:
        weight = stored.get(indicator.value) or AssessmentWeight(
            indicator=indicator.value, weight=0
        )
        before = snapshot(weight) if weight.pk else None
        if weight.pk and weight.weight == weights[indicator.value]:
            saved.append(weight)
            continue
        weight.weight = weights[indicator.value]
        weight.updated_by = user
        weight.updated_at = now
        weight.full_clean()
        weight.save()
        audit_write(actor=user, action="assessment.weights", obj=weight, town=None, before=before)
        saved.append(weight)
    return saved


@transaction.atomic
def remark_save(*, user, town: Town, year: int, remarks: str) -> AssessmentRemark:
    """Write or rewrite the reviewers' remarks (评议意见) on a township's year; audited
    ("assessment.remark") with the text before and after."""
    remarks = remarks.strip()
    if not remarks:
        raise ValidationError({"remarks": _("Please write the remarks.")})
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise ValidationError(_("There is no assessment for this year yet."))
    remark = AssessmentRemark.objects.select_for_update().filter(town=town, year=year).first()
    before = snapshot(remark) if remark else None
    if remark is None:
        remark = AssessmentRemark(town=town, year=year)
    remark.remarks = remarks
    remark.written_by = user
    remark.written_at = timezone.now()
    # The (town, year) constraint is checked by the insert itself: two reviewers saving the
    # first remarks at once must not both pass a check made before either wrote.
    remark.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            remark.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("This township already has remarks for the year. Reload the page to see them.")
        ) from exc
    audit_write(actor=user, action="assessment.remark", obj=remark, town=town, before=before)
    return remark
