"""Issuing a work list, adding to it, marking items done (supervision.services.worklists)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from signs.models import Removal, Signboard
from signs.tallies import rebuild_all_tallies
from supervision.choices import ReviewStatus, WorkItemKind
from supervision.models import RemovalReview, WorkItem, WorkList
from supervision.services.worklists import (
    work_item_add,
    work_item_done,
    work_item_reopen,
    work_list_issue,
)
from villages.models import AuditEntry, Town, Village

pytestmark = pytest.mark.django_db


def issue(user, **kwargs) -> WorkList:
    fields = {
        "year": 2024,
        "month": 9,
        "title": "2024年9月工作清单",
        "due_on": dt.date(2024, 9, 30),
        "tasks": ["更新台账"],
        "generate": False,
    }
    return work_list_issue(user=user, **{**fields, **kwargs})


def sign(village, title, **kwargs):
    return Signboard.objects.create(
        village=village,
        title=title,
        kind=kwargs.pop("kind", "guidance"),
        inventoried_on=dt.date(2024, 1, 2),
        **kwargs,
    )


def returned(removal, comment="照片看不清，请补拍"):
    return RemovalReview.objects.create(
        removal=removal,
        status=ReviewStatus.RETURNED,
        comment=comment,
        reviewed_at=timezone.now(),
    )


def test_each_task_goes_to_every_township_once(reviewer, town):
    work_list = issue(
        reviewer, tasks=["更新台账", "", "  更新台账  ", "组织学习"], notes=" 请落实 "
    )
    towns = Town.objects.count()
    assert towns == 17
    items = WorkItem.objects.filter(work_list=work_list)
    assert items.count() == 2 * towns  # the blank line and the repeat are dropped
    assert set(items.values_list("text", flat=True)) == {"更新台账", "组织学习"}
    assert items.filter(town=town, kind=WorkItemKind.TASK).count() == 2
    assert work_list.issued_by == reviewer
    assert work_list.notes == "请落实"


def test_issue_writes_one_audit_row(reviewer, town):
    work_list = issue(reviewer)
    entries = AuditEntry.objects.filter(action="worklist.issue")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.object_id == str(work_list.pk)
    assert entry.actor == reviewer
    assert entry.after["items"] == 17
    assert not AuditEntry.objects.exclude(action="worklist.issue").exists()


def test_generation_adds_villages_behind_and_returned_removals(reviewer, town, other_town):
    behind = Village.objects.create(town=town, code="450181100201", name="城东村")
    meeting = Village.objects.create(town=other_town, code="450181101201", name="百合村")
    sign(behind, "廉洁工作站")
    sign(behind, "益农信息社")
    back = Removal.objects.create(
        signboard=sign(meeting, "科普宣传室"), removed_on=dt.date(2024, 3, 1), reason="low_demand"
    )
    returned(back)
    fine = Removal.objects.create(
        signboard=sign(meeting, "志愿者服务站"), removed_on=dt.date(2024, 3, 1), reason="low_demand"
    )
    RemovalReview.objects.create(
        removal=fine, status=ReviewStatus.VERIFIED, reviewed_at=timezone.now()
    )
    rebuild_all_tallies()

    work_list = issue(reviewer, tasks=[], generate=True)

    items = WorkItem.objects.filter(work_list=work_list)
    behind_item = items.get(kind=WorkItemKind.BEHIND)
    assert behind_item.town == town
    assert behind_item.village == behind
    assert behind_item.text == "城东村尚有 2 块牌子待摘除"
    returned_item = items.get(kind=WorkItemKind.RETURNED)
    assert returned_item.town == other_town
    assert returned_item.removal == back
    assert returned_item.text == "百合村「科普宣传室」被退回：照片看不清，请补拍"
    assert items.count() == 2  # 百合村 meets the standard; the verified removal is fine


def test_generation_skips_a_returned_removal_since_revoked(reviewer, village):
    removal = Removal.objects.create(
        signboard=sign(village, "科普宣传室"),
        removed_on=dt.date(2024, 3, 1),
        reason="low_demand",
    )
    returned(removal)
    Removal.objects.filter(pk=removal.pk).update(
        revoked_at=removal.recorded_at + dt.timedelta(minutes=5), revoke_reason="登记错了"
    )
    rebuild_all_tallies()
    work_list = issue(reviewer, generate=True)
    kinds = set(work_list.items.values_list("kind", flat=True))
    assert WorkItemKind.RETURNED not in kinds
    assert WorkItemKind.BEHIND in kinds  # the sign counts as up again


def test_generated_texts_are_chinese_whatever_the_reviewers_language(reviewer, village):
    sign(village, "廉洁工作站")
    rebuild_all_tallies()
    with translation.override("en"):
        work_list = issue(reviewer, tasks=[], generate=True)
    assert work_list.items.get().text == "城东村尚有 1 块牌子待摘除"


def test_without_generation_only_the_tasks(reviewer, village):
    sign(village, "廉洁工作站")
    rebuild_all_tallies()
    work_list = issue(reviewer, generate=False)
    assert set(work_list.items.values_list("kind", flat=True)) == {WorkItemKind.TASK}


def test_a_second_list_for_the_month_is_refused_in_chinese(reviewer, town):
    issue(reviewer)
    with pytest.raises(ValidationError) as exc:
        issue(reviewer, title="又一份")
    assert "该月的工作清单已经下发。" in exc.value.messages
    assert WorkList.objects.count() == 1
    assert AuditEntry.objects.filter(action="worklist.issue").count() == 1


def test_due_date_before_the_month_is_refused(reviewer, town):
    with pytest.raises(ValidationError) as exc:
        issue(reviewer, due_on=dt.date(2024, 8, 31))
    assert exc.value.message_dict == {"due_on": ["完成时限不能早于该月第一天。"]}
    assert not WorkList.objects.exists()
    issue(reviewer, due_on=dt.date(2024, 9, 1))  # the first of the month itself is fine


def test_invalid_month_and_blank_title_are_refused(reviewer, town):
    with pytest.raises(ValidationError) as exc:
        issue(reviewer, month=13, title="  ")
    assert "月份须在 1 至 12 之间。" in exc.value.messages
    assert not WorkList.objects.exists()


def test_a_list_with_nothing_to_do_is_refused(reviewer, town):
    with pytest.raises(ValidationError) as exc:
        issue(reviewer, tasks=["  "], generate=True)  # nothing behind, nothing returned
    assert "清单中没有任何事项" in exc.value.messages[0]
    assert not WorkList.objects.exists()


def test_add_an_item_for_every_township_or_one(reviewer, town):
    work_list = issue(reviewer)
    added = work_item_add(work_list=work_list, user=reviewer, text=" 补充照片 ")
    assert len(added) == 17
    assert {item.text for item in added} == {"补充照片"}
    one = work_item_add(work_list=work_list, user=reviewer, text="整改横州镇问题", town=town)
    assert [item.town for item in one] == [town]
    entries = AuditEntry.objects.filter(action="worklist.add_item")
    assert entries.count() == 18
    assert entries.filter(town=town).count() == 2


def test_add_a_blank_item_is_refused(reviewer, town):
    work_list = issue(reviewer)
    with pytest.raises(ValidationError) as exc:
        work_item_add(work_list=work_list, user=reviewer, text="   ", town=town)
    assert exc.value.message_dict == {"text": ["请填写事项内容。"]}
    assert work_list.items.count() == 17


def test_mark_done_with_a_note(reviewer, staff, town):
    item = issue(reviewer).items.get(town=town)
    done = work_item_done(item=item, user=staff, note=" 已更新 ")
    assert done.done_at is not None
    assert done.done_by == staff
    assert done.done_note == "已更新"
    entry = AuditEntry.objects.get(action="worklist.item_done")
    assert entry.town == town
    assert entry.before["done_at"] is None
    assert entry.after["done_note"] == "已更新"


def test_done_needs_a_note(reviewer, staff, town):
    item = issue(reviewer).items.get(town=town)
    with pytest.raises(ValidationError) as exc:
        work_item_done(item=item, user=staff, note="  ")
    assert exc.value.message_dict == {"note": ["请填写完成情况。"]}
    item.refresh_from_db()
    assert item.done_at is None


def test_done_twice_is_refused_even_from_a_stale_copy(reviewer, staff, town):
    item = issue(reviewer).items.get(town=town)
    stale = WorkItem.objects.get(pk=item.pk)
    work_item_done(item=item, user=staff, note="第一次")
    with pytest.raises(ValidationError) as exc:
        work_item_done(item=stale, user=staff, note="第二次")
    assert exc.value.messages == ["该事项已标记完成。"]
    item.refresh_from_db()
    assert item.done_note == "第一次"
    assert AuditEntry.objects.filter(action="worklist.item_done").count() == 1


def test_reopen_clears_done_and_keeps_the_note_in_the_audit(reviewer, staff, town):
    item = issue(reviewer).items.get(town=town)
    work_item_done(item=item, user=staff, note="已更新")
    reopened = work_item_reopen(item=item, user=reviewer)
    assert reopened.done_at is None and reopened.done_note == "" and reopened.done_by is None
    entry = AuditEntry.objects.get(action="worklist.item_reopen")
    assert entry.before["done_note"] == "已更新"
    with pytest.raises(ValidationError):
        work_item_reopen(item=item, user=reviewer)
