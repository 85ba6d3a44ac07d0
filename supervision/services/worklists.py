"""Monthly work lists (月工作清单): issue a list, add to it, mark its items done."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from signs.models import VillageTally, in_effect
from utilities.writes import update_once
from villages.audit import audit_entry, audit_write, snapshot
from villages.models import AuditEntry, Town

from ..choices import ReviewStatus, WorkItemKind
from ..models import RemovalReview, WorkItem, WorkList

BATCH_SIZE = 1000


def _clean_tasks(tasks: Iterable[str]) -> list[str]:
    """The tasks without blanks or repeats, in the order given."""
    seen: dict[str, None] = {}
    for task in tasks:
        task = task.strip()
        if task:
            seen.setdefault(task, None)
    return list(seen)


def _village_item(work_list, village, kind: str, text: str, *, removal=None) -> WorkItem:
    return WorkItem(
        work_list=work_list, town=village.town, kind=kind, text=text, village=village,
        removal=removal,
    )  # fmt: skip


def _generated_items(work_list: WorkList) -> list[WorkItem]:
    """One item per village still behind the standard today and per returned removal.

    The texts are stored, so they are written in the site's language whoever issues the list.
    """
    items = []
    behind = (
        VillageTally.objects.filter(still_to_remove__gt=0)
        .select_related("village__town")
        .order_by("village__town__code", "village__code")
    )
    returned = (
        RemovalReview.objects.filter(in_effect("removal__"), status=ReviewStatus.RETURNED)
        .select_related("removal__signboard__village__town")
        .order_by("removal__signboard__village__town__code", "removal__signboard__village__code")
    )
    with translation.override(settings.LANGUAGE_CODE):
        for tally in behind:
            text = _("%(village)s: %(count)d signs still to remove") % {
                "village": tally.village.name,
                "count": tally.still_to_remove,
            }
            items.append(_village_item(work_list, tally.village, WorkItemKind.BEHIND, text))
        for review in returned:
            removal = review.removal
            text = _("%(village)s “%(sign)s” was returned: %(comment)s") % {
                "village": removal.signboard.village.name,
                "sign": removal.signboard.title,
                "comment": review.comment,
            }
            items.append(
                _village_item(
                    work_list, removal.signboard.village, WorkItemKind.RETURNED, text,
                    removal=removal,
                )
            )  # fmt: skip
    return items


@transaction.atomic
def work_list_issue(
    *,
    user,
    year: int,
    month: int,
    title: str,
    due_on: dt.date,
    notes: str = "",
    tasks: Iterable[str] = (),
    generate: bool = True,
) -> WorkList:
    """Issue a month's list: each task to every township, and with `generate` an item for
    each village still behind the standard and each returned removal, in its township."""
    work_list = WorkList(
        year=year,
        month=month,
        title=title.strip(),
        notes=notes.strip(),
        due_on=due_on,
        issued_by=user,
        issued_at=timezone.now(),
    )
    work_list.full_clean()
    if due_on < dt.date(year, month, 1):
        raise ValidationError(
            {"due_on": _("The due date cannot be before the first day of the month.")}
        )
    tasks = _clean_tasks(tasks)
    towns = list(Town.objects.order_by("code"))
    items = [
        WorkItem(work_list=work_list, town=town, kind=WorkItemKind.TASK, text=task)
        for task in tasks
        for town in towns
    ]
    if generate:
        items.extend(_generated_items(work_list))
    if not items:
        raise ValidationError(
            _("The list would have no items: add a task or generate items from the figures.")
        )
    try:
        with transaction.atomic():
            work_list.save(force_insert=True)
    except IntegrityError as exc:  # another reviewer issued the month a moment earlier
        raise ValidationError(
            {"month": _("A work list for this month has already been issued.")}
        ) from exc
    WorkItem.objects.bulk_create(items, batch_size=BATCH_SIZE)
    audit_write(
        actor=user,
        action="worklist.issue",
        obj=work_list,
        town=None,
        after={**snapshot(work_list), "items": len(items)},
    )
    return work_list


@transaction.atomic
def work_item_add(*, work_list: WorkList, user, text: str, town: Town | None = None):
    """Add a free-text item to an issued list: for one township, or (None) for every one."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("An item needs its text.")})
    towns = [town] if town is not None else list(Town.objects.order_by("code"))
    items = [
        WorkItem(work_list=work_list, town=t, kind=WorkItemKind.TASK, text=text) for t in towns
    ]
    if items:  # the same text for every township: one check says it for all
        items[0].full_clean(exclude=["work_list", "town"])
    items = WorkItem.objects.bulk_create(items, batch_size=BATCH_SIZE)
    AuditEntry.objects.bulk_create(
        [
            audit_entry(
                actor=user,
                action="worklist.add_item",
                obj=item,
                town=item.town,
                after=snapshot(item),
            )
            for item in items
        ],
        batch_size=BATCH_SIZE,
    )
    return items


@transaction.atomic
def work_item_done(*, item: WorkItem, user, note: str) -> WorkItem:
    """A township marks its item done, saying how; done once (two taps write once)."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Please say how the item was done.")})
    before = snapshot(item)
    update_once(
        item, while_=Q(done_at__isnull=True), already=_("This item has already been marked done."),
        done_at=timezone.now(), done_by=user, done_note=note,
    )  # fmt: skip
    audit_write(actor=user, action="worklist.item_done", obj=item, town=item.town, before=before)
    return item


@transaction.atomic
def work_item_reopen(*, item: WorkItem, user) -> WorkItem:
    """A reviewer sends a done item back as not done; the audit keeps what was said."""
    before = snapshot(item)
    update_once(
        item, while_=Q(done_at__isnull=False), already=_("This item is not marked done."),
        done_at=None, done_by=None, done_note="",
    )  # fmt: skip
    audit_write(actor=user, action="worklist.item_reopen", obj=item, town=item.town, before=before)
    return item
