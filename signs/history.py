"""Audit entries made readable: what each write changed, field by field (reads only).

An AuditEntry keeps JSON snapshots (villages.audit.snapshot) keyed by attname; these
functions turn a page of entries into rows a person can read — the model's verbose names,
choice labels instead of codes, names instead of foreign-key ids — with one query per
related model for the whole page, however many entries it holds.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villages.audit import action_label
from villages.models import AuditEntry

# Bookkeeping a reader does not need: thumbnails follow their photo, the hash follows the file.
HIDDEN_KEYS = {"photo_thumb", "photo_before_thumb", "sha256"}

# Keys of snapshots that are not model fields (the summary of a sign import).
EXTRA_LABELS = {
    "file": gettext_lazy("file"),
    "rows": gettext_lazy("rows read"),
    "signs": gettext_lazy("signs added"),
    "removals": gettext_lazy("removals added"),
    "skipped": gettext_lazy("rows skipped"),
}

# A timestamp this close to the entry's own time is the entry's "when", not news.
SAME_MOMENT = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class FieldChange:
    """One field of one write: its label and the readable value before and after."""

    key: str
    label: str
    old: str
    new: str


@dataclass
class HistoryRow:
    """An audit entry ready to show: who, when, what, on what, and the field changes."""

    entry: AuditEntry
    action: str
    object_type: str
    object_url: str | None
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def actor_name(self) -> str:
        return actor_name(self.entry.actor)

    @property
    def is_creation(self) -> bool:
        """Nothing before: the changes are the new object's values, shown without arrows."""
        return self.entry.before is None


def actor_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _fields(model: type[models.Model] | None) -> dict[str, models.Field]:
    if model is None:
        return {}
    return {f.attname: f for f in model._meta.concrete_fields}


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _as_datetime(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _repeats_entry(f: models.Field, value: Any, entry: AuditEntry) -> bool:
    """A user field naming the entry's actor, or a timestamp of the entry's own moment."""
    if f.many_to_one and f.related_model._meta.label == settings.AUTH_USER_MODEL:
        return value is not None and value == entry.actor_id
    if isinstance(f, models.DateTimeField):
        moment = _as_datetime(value)
        return moment is not None and entry.at is not None and abs(moment - entry.at) < SAME_MOMENT
    return False


def _keys(entry: AuditEntry, fields: dict[str, models.Field]) -> list[str]:
    """The snapshot keys in the model's field order, then any others in their own order."""
    present = {**(entry.before or {}), **(entry.after or {})}
    ordered = [key for key in fields if key in present]
    return ordered + [key for key in present if key not in fields]


def _changed_keys(entry: AuditEntry, fields: dict[str, models.Field]) -> list[str]:
    before, after = entry.before or {}, entry.after or {}
    keys = []
    for key in _keys(entry, fields):
        f = fields.get(key)
        if key in HIDDEN_KEYS or (f is not None and f.primary_key):
            continue
        old, new = before.get(key), after.get(key)
        if old == new or (_empty(old) and _empty(new)):
            continue
        if f is not None and (_repeats_entry(f, new, entry) and _empty(old)):
            continue
        keys.append(key)
    return keys


class _Related:
    """Names for the foreign-key ids of a page of entries: one query per related model."""

    def __init__(self, wanted: dict[type[models.Model], set]):
        self.names: dict[tuple[type[models.Model], str], str] = {}
        for model, ids in wanted.items():
            found = model._default_manager.filter(pk__in=ids)
            if model._meta.label == settings.AUTH_USER_MODEL:
                for user in found:
                    self.names[(model, str(user.pk))] = actor_name(user)
            else:
                for obj in found.order_by():
                    self.names[(model, str(obj.pk))] = str(obj)

    def name(self, model: type[models.Model], pk: Any) -> str:
        return self.names.get((model, str(pk)), f"#{pk}")


def _display(f: models.Field | None, value: Any, related: _Related) -> str:
    """A snapshot value as a person reads it ("" for nothing)."""
    if _empty(value):
        return ""
    if f is None:
        return str(value)
    if f.many_to_one:
        return related.name(f.related_model, value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(f, models.ImageField):
        return _("photo attached")
    if isinstance(f, models.FileField):
        return os.path.basename(str(value))
    if isinstance(f, models.DateTimeField):
        moment = _as_datetime(value)
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else str(value)
    return str(value)


def _label(f: models.Field | None, key: str) -> str:
    if f is not None:
        return capfirst(str(f.verbose_name))
    return capfirst(str(EXTRA_LABELS.get(key, key)))


def _object_url(entry: AuditEntry) -> str | None:
    """Where the entry's object can be looked at: a sign's history, a village, a township."""
    snap = entry.after or entry.before or {}
    try:
        if entry.object_type == "signs.signboard" and entry.object_id:
            return reverse("signboard_history", args=[int(entry.object_id)])
        if entry.object_type == "signs.removal" and snap.get("signboard_id"):
            return reverse("signboard_history", args=[int(snap["signboard_id"])])
        if entry.object_type == "villages.village" and snap.get("code"):
            return reverse("village", args=[snap["code"]])
        if entry.object_type == "villages.town" and snap.get("code"):
            return reverse("town", args=[snap["code"]])
    except (NoReverseMatch, TypeError, ValueError):
        return None
    return None


def describe_entries(entries: Iterable[AuditEntry]) -> list[HistoryRow]:
    """Rows for `entries` (fetch them with select_related("actor")), in the order given.

    Each row's changes list only the fields that changed (every non-empty field of a
    creation), skipping the id and fields that merely repeat the entry's own who and when.
    """
    entries = list(entries)
    plans = []
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for entry in entries:
        model = _model(entry.object_type)
        fields = _fields(model)
        keys = _changed_keys(entry, fields)
        plans.append((entry, model, fields, keys))
        for key in keys:
            f = fields.get(key)
            if f is not None and f.many_to_one:
                for snap in (entry.before or {}, entry.after or {}):
                    if not _empty(snap.get(key)):
                        wanted[f.related_model].add(snap[key])
    related = _Related(wanted)
    rows = []
    for entry, model, fields, keys in plans:
        before, after = entry.before or {}, entry.after or {}
        changes = [
            FieldChange(
                key=key,
                label=_label(fields.get(key), key),
                old=_display(fields.get(key), before.get(key), related),
                new=_display(fields.get(key), after.get(key), related),
            )
            for key in keys
        ]
        rows.append(
            HistoryRow(
                entry=entry,
                action=action_label(entry.action),
                object_type=capfirst(str(model._meta.verbose_name)) if model else entry.object_type,
                object_url=_object_url(entry),
                changes=changes,
            )
        )
    return rows


def entry_changes(entry: AuditEntry) -> list[FieldChange]:
    """The field changes of one entry (a page of entries: use `describe_entries`)."""
    return describe_entries([entry])[0].changes
