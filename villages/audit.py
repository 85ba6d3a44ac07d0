"""The audit trail: services call `audit_write` inside their own transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from .models import AuditEntry, Town

# What the history pages call each audited action. Each app registers its own actions'
# labels (its choices.AUDIT_ACTIONS, in AppConfig.ready), so this module knows none of them.
AUDIT_ACTION_LABELS: dict[str, Any] = {}


def register_actions(labels: dict[str, Any]) -> None:
    AUDIT_ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    """An action's label for people, or the action itself if no app registered it."""
    return str(AUDIT_ACTION_LABELS.get(action, action))


def action_choices() -> list[tuple[str, Any]]:
    """The registered actions, for a filter's select."""
    return list(AUDIT_ACTION_LABELS.items())


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


# audit_write's default for `after`: the object as it stands once written.
AS_WRITTEN: Any = object()


def audit_write(
    *,
    actor,
    action: str,
    obj: models.Model,
    town: Town | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = AS_WRITTEN,
) -> AuditEntry:
    """Record one write; call it inside the transaction of the write it describes.
    `after` is `snapshot(obj)` unless given (None for a deletion)."""
    if after is AS_WRITTEN:
        after = snapshot(obj)
    entry = audit_entry(actor=actor, action=action, obj=obj, town=town, before=before, after=after)
    entry.save()
    return entry
