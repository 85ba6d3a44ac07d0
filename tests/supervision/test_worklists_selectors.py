"""Who sees which lists and items, and the completion figures (supervision.selectors.worklists)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser

from supervision.models import WorkItem, WorkList
from supervision.selectors.worklists import (
    completion_by_town,
    total_completion,
    visible_items,
    visible_work_lists,
    work_lists,
    work_lists_issued,
)
from villages import roles

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC


def make_list(reviewer, *, month=9, due_on=dt.date(2024, 9, 30), year=2024) -> WorkList:
    return WorkList.objects.create(
        year=year, month=month, title=f"{year}年{month}月清单", due_on=due_on, issued_by=reviewer
    )


def item(work_list, town, text="更新台账", done_at=None):
    return WorkItem.objects.create(
        work_list=work_list,
        town=town,
        text=text,
        done_at=done_at,
        done_note="已完成" if done_at else "",
    )


def test_done_on_time_counts_the_local_day_not_the_utc_day(reviewer, town, other_town):
    """Due 2024-09-30. 00:30 on 1 October in Hengzhou is still 30 September in UTC: late."""
    work_list = make_list(reviewer)
    last_minute = dt.datetime(2024, 9, 30, 23, 59, tzinfo=SHANGHAI)  # 15:59 UTC
    just_late = dt.datetime(2024, 10, 1, 0, 30, tzinfo=SHANGHAI)  # 2024-09-30 16:30 UTC
    assert just_late.astimezone(UTC).date() == dt.date(2024, 9, 30)
    item(work_list, town, done_at=last_minute)
    item(work_list, town, done_at=just_late)
    item(work_list, town)
    item(work_list, other_town, done_at=dt.datetime(2024, 9, 2, 9, 0, tzinfo=SHANGHAI))

    rows = completion_by_town(work_list=work_list)

    assert [row.town for row in rows] == [town, other_town]
    own, other = rows
    assert (own.items, own.done, own.done_on_time, own.open) == (3, 2, 1, 1)
    assert own.percent == Decimal("66.7")
    assert (other.items, other.done, other.done_on_time) == (1, 1, 1)
    assert other.percent == Decimal("100.0")
    total = total_completion(rows)
    assert total == {
        "items": 4,
        "done": 3,
        "done_on_time": 2,
        "open": 1,
        "percent": Decimal("75.0"),
    }


def test_completion_leaves_out_townships_without_items_and_other_lists(reviewer, town, other_town):
    september = make_list(reviewer)
    october = make_list(reviewer, month=10, due_on=dt.date(2024, 10, 31))
    item(september, town)
    item(october, other_town)
    rows = completion_by_town(work_list=september)
    assert [(row.town, row.items) for row in rows] == [(town, 1)]
    scoped = completion_by_town(work_list=september, towns=[other_town])
    assert scoped == []


def test_completion_takes_two_queries_whatever_the_items(
    reviewer, town, other_town, django_assert_num_queries
):
    work_list = make_list(reviewer)
    for n in range(30):
        item(work_list, town if n % 2 else other_town, text=f"事项{n}")
    with django_assert_num_queries(2):
        rows = completion_by_town(work_list=work_list)
    assert sum(row.items for row in rows) == 30


def test_work_lists_count_all_townships_or_one(reviewer, town, other_town):
    september = make_list(reviewer)
    item(september, town, done_at=dt.datetime(2024, 9, 5, tzinfo=SHANGHAI))
    item(september, town)
    item(september, other_town, done_at=dt.datetime(2024, 9, 5, tzinfo=SHANGHAI))
    october = make_list(reviewer, month=10, due_on=dt.date(2024, 10, 31))
    item(october, other_town)

    overall = {wl.month: (wl.done_count, wl.item_count) for wl in work_lists()}
    assert overall == {9: (2, 3), 10: (0, 1)}
    own = {wl.month: (wl.done_count, wl.item_count) for wl in work_lists(town=town)}
    assert own == {9: (1, 2)}  # October gives town A nothing to do
    assert [wl.month for wl in work_lists()] == [10, 9]  # newest first
    assert list(work_lists(year=2023)) == []


def test_work_lists_issued_counts_the_year(reviewer):
    make_list(reviewer, month=1, due_on=dt.date(2024, 1, 31))
    make_list(reviewer, month=2, due_on=dt.date(2024, 2, 29))
    make_list(reviewer, year=2023, month=12, due_on=dt.date(2023, 12, 31))
    assert work_lists_issued(year=2024) == 2
    assert work_lists_issued(year=2023) == 1
    assert work_lists_issued(year=2025) == 0


def test_staff_see_their_townships_items_and_lists_only(reviewer, staff, town, other_town):
    september = make_list(reviewer)
    own = item(september, town)
    item(september, other_town)
    october = make_list(reviewer, month=10, due_on=dt.date(2024, 10, 31))
    item(october, other_town)

    assert list(visible_items(staff, september)) == [own]
    assert list(visible_work_lists(staff)) == [september]
    assert visible_items(reviewer, september).count() == 2
    assert visible_work_lists(reviewer).count() == 2


def test_visible_items_carry_the_local_done_date(reviewer, staff, town):
    work_list = make_list(reviewer)
    item(work_list, town, done_at=dt.datetime(2024, 10, 1, 0, 30, tzinfo=SHANGHAI))
    assert visible_items(staff, work_list).get().done_on == dt.date(2024, 10, 1)


def test_users_without_a_township_see_nothing(reviewer, town, make_user):
    work_list = make_list(reviewer)
    item(work_list, town)
    nobody = make_user("auditor", role=roles.AUDIT_ADMIN)
    for user in (nobody, AnonymousUser()):
        assert not visible_items(user, work_list).exists()
        assert not visible_work_lists(user).exists()
