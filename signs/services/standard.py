"""Making an edition of the standard the current one."""

from __future__ import annotations

from django.db import transaction

from villages.audit import audit_write, snapshot

from ..models import Standard


@transaction.atomic
def standard_make_current(*, standard: Standard, user) -> Standard:
    """Make `standard` the one current edition."""
    Standard.objects.filter(is_current=True).exclude(pk=standard.pk).update(is_current=False)
    before = snapshot(standard)
    standard.is_current = True
    standard.save(update_fields=["is_current"])
    audit_write(actor=user, action="standard.make_current", obj=standard, town=None, before=before)
    return standard
