"""The audit trail: services call `audit_write` inside their own transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from .models import AuditEntry, Town


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The JSON-safe field values of `obj`, for the before/after columns."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        value = getattr(obj, field.attname)
        if isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        elif hasattr(value, "name") and isinstance(field, models.FileField):
            value = value.name or ""
        data[field.attname] = value
    return data


def audit_entry(
    *,
    actor,
    action: str,
    obj: models.Model,
    town: Town | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """The (unsaved) audit row for one write; bulk writers insert many with bulk_create."""
    return AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk or ""),
        object_repr=str(obj)[:200],
        town=town,
        before=before,
        after=after,
    )


def audit_write(**kwargs) -> AuditEntry:
    """Record one write; call it inside the transaction of the write it describes.

    Takes the keyword arguments of `audit_entry`.
    """
    entry = audit_entry(**kwargs)
    entry.save()
    return entry
