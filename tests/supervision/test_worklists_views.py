"""The work-list pages: who may do what, what each sees, the Excel and the print page."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse

from supervision.choices import WorkItemKind
from supervision.models import WorkItem, WorkList
from tests.helpers import with_token
from villages import roles
from villages.models import AuditEntry, Town

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def work_list(reviewer, town, other_town):
    """September 2024: one task for town A (done late) and B, plus an open task for A."""
    wl = WorkList.objects.create(
        year=2024,
        month=9,
        title="2024年9月工作清单",
        notes="请逐项落实",
        due_on=dt.date(2024, 9, 30),
        issued_by=reviewer,
    )
    WorkItem.objects.create(
        work_list=wl,
        town=town,
        text="更新横州镇台账",
        done_at=dt.datetime(2024, 10, 1, 0, 30, tzinfo=SHANGHAI),
        done_note="已于国庆更新",
    )
    WorkItem.objects.create(work_list=wl, town=town, text="组织横州镇学习")
    WorkItem.objects.create(work_list=wl, town=other_town, text="百合镇补拍照片")
    return wl


@pytest.fixture
def staff_b(make_user, other_town):
    return make_user("staff_b", role=roles.TOWN_STAFF, town=other_town)


def login(client, user):
    client.force_login(user)
    return client


def open_item(work_list, town):
    return work_list.items.get(town=town, done_at__isnull=True)


URLS = [
    ("worklist_list", False),
    ("worklist_create", False),
    ("worklist_detail", True),
    ("worklist_print", True),
    ("workitem_create", True),
]


@pytest.mark.parametrize(("name", "takes_list"), URLS)
def test_anonymous_is_sent_to_login(client, work_list, name, takes_list):
    url = reverse(name, args=[work_list.pk] if takes_list else [])
    for response in (client.get(url), client.post(url, with_token())):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_anonymous_cannot_mark_done(client, work_list, town):
    url = reverse("workitem_done", args=[open_item(work_list, town).pk])
    response = client.post(url, with_token(note="完成"))
    assert response.url.startswith(reverse("login"))
    assert not WorkItem.objects.filter(done_note="完成").exists()


# --- the list of lists ------------------------------------------------------------------------


def test_reviewer_sees_every_list_with_overall_completion(
    client, reviewer, work_list, django_assert_max_num_queries
):
    for month in range(1, 9):
        wl = WorkList.objects.create(
            year=2024, month=month, title=f"{month}月清单", due_on=dt.date(2024, month, 28)
        )
        WorkItem.objects.create(work_list=wl, town=work_list.items.first().town, text="事项")
    login(client, reviewer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("worklist_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-testid="worklist-done-{work_list.pk}">1 / 3<' in html
    assert f'data-testid="worklist-percent-{work_list.pk}">33.3%<' in html
    assert "8月清单" in html
    assert reverse("worklist_create") in html


def test_staff_see_their_townships_figures_only(client, staff, work_list, reviewer, other_town):
    only_b = WorkList.objects.create(
        year=2024, month=10, title="十月清单", due_on=dt.date(2024, 10, 31)
    )
    WorkItem.objects.create(work_list=only_b, town=other_town, text="只给百合镇")
    login(client, staff)
    html = client.get(reverse("worklist_list")).content.decode()
    assert f'data-testid="worklist-done-{work_list.pk}">1 / 2<' in html
    assert "十月清单" not in html
    assert reverse("worklist_create") not in html


def test_list_filters_by_year(client, reviewer, work_list):
    WorkList.objects.create(
        year=2023, month=12, title="二〇二三年清单", due_on=dt.date(2023, 12, 31)
    )
    login(client, reviewer)
    html = client.get(reverse("worklist_list"), {"year": "2023"}).content.decode()
    assert "二〇二三年清单" in html and "2024年9月工作清单" not in html


def test_a_user_without_a_township_gets_404(client, make_user, work_list):
    login(client, make_user("auditor", role=roles.AUDIT_ADMIN))
    assert client.get(reverse("worklist_list")).status_code == 404
    assert client.get(reverse("worklist_detail", args=[work_list.pk])).status_code == 404


# --- issuing ----------------------------------------------------------------------------------


def test_staff_cannot_open_the_issue_form(client, staff):
    login(client, staff)
    assert client.get(reverse("worklist_create")).status_code == 404
    response = client.post(
        reverse("worklist_create"),
        with_token(year=2024, month=9, due_on="2024-09-30", tasks="越权任务"),
    )
    assert response.status_code == 404
    assert not WorkList.objects.exists()


def test_reviewer_issues_a_list_with_a_default_title(client, reviewer, fixtures_loaded):
    login(client, reviewer)
    form = client.get(reverse("worklist_create")).context["form"]
    assert form["generate"].initial is True
    data = with_token(
        year=2024, month=9, title="", due_on="2024-09-30", tasks="更新台账\n\n组织学习\n"
    )
    response = client.post(reverse("worklist_create"), {**data, "generate": "on"})
    work_list = WorkList.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("worklist_detail", args=[work_list.pk])
    assert work_list.title == "2024年9月工作清单"
    assert work_list.items.count() == 2 * Town.objects.count()
    assert AuditEntry.objects.filter(action="worklist.issue").count() == 1
    # The same form sent again (a double tap) writes nothing more.
    again = client.post(reverse("worklist_create"), {**data, "generate": "on"})
    assert again.status_code == 302
    assert WorkList.objects.count() == 1


def test_issuing_the_same_month_twice_shows_the_message(client, reviewer, work_list):
    login(client, reviewer)
    response = client.post(
        reverse("worklist_create"),
        with_token(year=2024, month=9, title="重复", due_on="2024-09-30", tasks="任务"),
    )
    assert response.status_code == 200
    assert "该月的工作清单已经下发。" in response.content.decode()
    assert WorkList.objects.count() == 1


def test_a_due_date_before_the_month_shows_on_its_field(client, reviewer, fixtures_loaded):
    login(client, reviewer)
    response = client.post(
        reverse("worklist_create"),
        with_token(year=2024, month=9, title="九月", due_on="2024-08-20", tasks="任务"),
    )
    assert response.context["form"].errors["due_on"] == ["完成时限不能早于该月第一天。"]
    assert not WorkList.objects.exists()


# --- the list's page --------------------------------------------------------------------------


def test_reviewer_sees_completion_by_township_and_every_item(
    client, reviewer, work_list, town, other_town, django_assert_max_num_queries
):
    for n in range(40):
        WorkItem.objects.create(work_list=work_list, town=other_town, text=f"批量事项{n}")
    login(client, reviewer)
    url = reverse("worklist_detail", args=[work_list.pk])
    with django_assert_max_num_queries(10):
        response = client.get(url)
    html = response.content.decode()
    assert f'data-testid="percent-{town.code}">50.0%<' in html
    assert f'data-testid="percent-{other_town.code}">0.0%<' in html
    assert "更新横州镇台账" in html and "百合镇补拍照片" in html and "批量事项39" in html
    assert "逾期完成" in html  # done at 00:30 on 1 October, due 30 September
    assert 'data-testid="done-' not in html  # reviewers do not answer for a township


def test_reviewer_filters_by_township(client, reviewer, work_list, other_town):
    login(client, reviewer)
    url = reverse("worklist_detail", args=[work_list.pk])
    html = client.get(url, {"town": other_town.code}).content.decode()
    assert "百合镇补拍照片" in html
    assert "组织横州镇学习" not in html
    html = client.get(url, {"state": "done"}).content.decode()
    assert "更新横州镇台账" in html and "百合镇补拍照片" not in html


def test_staff_see_only_their_items_with_a_done_button(client, staff, work_list, town):
    login(client, staff)
    response = client.get(reverse("worklist_detail", args=[work_list.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "组织横州镇学习" in html
    assert "百合镇补拍照片" not in html
    assert 'data-testid="completion-table"' not in html
    assert 'data-testid="own-done">1 / 2<' in html
    item = open_item(work_list, town)
    assert reverse("workitem_done", args=[item.pk]) in html


def test_staff_get_404_for_a_list_without_their_township(client, staff, reviewer, other_town):
    only_b = WorkList.objects.create(
        year=2024, month=10, title="十月", due_on=dt.date(2024, 10, 31)
    )
    WorkItem.objects.create(work_list=only_b, town=other_town, text="只给百合镇")
    login(client, staff)
    for name in ("worklist_detail", "worklist_print"):
        assert client.get(reverse(name, args=[only_b.pk])).status_code == 404


def sheet_rows(response, sheet):
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in workbook[sheet].iter_rows(values_only=True)]


def test_export_is_a_ledger_of_completion_and_items(client, reviewer, work_list, town, other_town):
    login(client, reviewer)
    url = reverse("worklist_detail", args=[work_list.pk])
    response = client.get(url, {"_export": "xlsx"})
    summary = sheet_rows(response, "完成情况")
    assert summary[0][0] == "2024年9月工作清单完成情况统计表"
    assert summary[1][0].startswith("填报单位：")
    assert summary[2] == ["序号", "乡镇", "事项数", "已完成", "按时完成", "未完成", "完成率(%)"]
    assert summary[3] == [1, "横州镇", 2, 1, 0, 1, 50.0]
    assert summary[4] == [2, "百合镇", 1, 0, 0, 1, 0.0]
    assert summary[5] == ["合计", None, 3, 1, 0, 2, 33.3]
    items = sheet_rows(response, "事项清单")
    assert "完成时限：2024年09月30日" in items[0][0]
    assert items[2][:6] == ["序号", "乡镇", "类别", "事项", "村(社区)", "完成情况"]
    body = [row for row in items[3:] if isinstance(row[0], int)]
    assert [(row[1], row[3], row[5]) for row in body] == [
        ("横州镇", "更新横州镇台账", "逾期完成"),
        ("横州镇", "组织横州镇学习", "未完成"),
        ("百合镇", "百合镇补拍照片", "未完成"),
    ]
    local = dt.datetime(2024, 10, 1, 0, 30, tzinfo=SHANGHAI).replace(tzinfo=None)
    assert body[0][6] == local  # naive local time in a date cell
    assert body[0][7] == "已于国庆更新"
    # The export follows the filter on screen.
    filtered = sheet_rows(client.get(url, {"town": other_town.code, "_export": "xlsx"}), "事项清单")
    assert [row[1] for row in filtered[3:] if isinstance(row[0], int)] == ["百合镇"]


def test_staff_export_has_their_township_only(client, staff, work_list):
    login(client, staff)
    response = client.get(reverse("worklist_detail", args=[work_list.pk]), {"_export": "xlsx"})
    summary = sheet_rows(response, "完成情况")
    assert [row[1] for row in summary[3:] if isinstance(row[0], int)] == ["横州镇"]
    items = sheet_rows(response, "事项清单")
    assert "百合镇补拍照片" not in str(items)


def test_export_keeps_formula_like_text_as_text(client, reviewer, work_list, town):
    WorkItem.objects.create(work_list=work_list, town=town, text='=HYPERLINK("http://x")')
    login(client, reviewer)
    response = client.get(reverse("worklist_detail", args=[work_list.pk]), {"_export": "xlsx"})
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [
        c
        for row in workbook["事项清单"].iter_rows()
        for c in row
        if c.value and "HYPERLINK" in str(c.value)
    ]
    assert cells and all(c.data_type == "s" for c in cells)


# --- print ------------------------------------------------------------------------------------


def test_print_page_has_a_section_and_sign_off_per_township(
    client, reviewer, work_list, town, other_town
):
    login(client, reviewer)
    response = client.get(reverse("worklist_print", args=[work_list.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/css/print.css" in html
    assert f'data-testid="print-town-{town.code}"' in html
    assert f'data-testid="print-town-{other_town.code}"' in html
    assert html.count('data-testid="sign-off"') == 2
    assert "乡镇签收人" in html
    assert " style=" not in html  # the CSP forbids inline styles


def test_staff_print_their_township_only(client, staff, work_list, other_town):
    login(client, staff)
    html = client.get(reverse("worklist_print", args=[work_list.pk])).content.decode()
    assert "组织横州镇学习" in html
    assert "百合镇补拍照片" not in html
    assert f"print-town-{other_town.code}" not in html


# --- adding an item ---------------------------------------------------------------------------


def test_reviewer_adds_an_item_for_one_township(client, reviewer, work_list, other_town):
    login(client, reviewer)
    url = reverse("workitem_create", args=[work_list.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, with_token(text="补充：百合镇整改", town=other_town.pk))
    assert response.status_code == 302
    added = WorkItem.objects.get(text="补充：百合镇整改")
    assert added.town == other_town and added.kind == WorkItemKind.TASK
    assert AuditEntry.objects.filter(action="worklist.add_item").count() == 1


def test_reviewer_adds_an_item_for_every_township(client, reviewer, work_list):
    login(client, reviewer)
    client.post(reverse("workitem_create", args=[work_list.pk]), with_token(text="全体事项"))
    assert WorkItem.objects.filter(text="全体事项").count() == Town.objects.count()


def test_staff_cannot_add_items(client, staff, work_list):
    login(client, staff)
    url = reverse("workitem_create", args=[work_list.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, with_token(text="越权")).status_code == 404
    assert not WorkItem.objects.filter(text="越权").exists()


# --- marking done -----------------------------------------------------------------------------


def test_staff_mark_their_item_done(client, staff, work_list, town):
    item = open_item(work_list, town)
    login(client, staff)
    url = reverse("workitem_done", args=[item.pk])
    assert "组织横州镇学习" in client.get(url).content.decode()
    response = client.post(url, with_token(note="已组织全镇学习"))
    assert response.status_code == 302
    assert response.url == reverse("worklist_detail", args=[work_list.pk])
    item.refresh_from_db()
    assert item.done_at is not None and item.done_by == staff
    assert item.done_note == "已组织全镇学习"


def test_done_needs_a_note_on_the_form(client, staff, work_list, town):
    item = open_item(work_list, town)
    login(client, staff)
    response = client.post(reverse("workitem_done", args=[item.pk]), with_token(note="  "))
    assert response.status_code == 200
    assert "请填写完成情况。" in response.content.decode()
    item.refresh_from_db()
    assert item.done_at is None


def test_a_done_item_is_not_done_again(client, staff, work_list, town):
    done = work_list.items.get(town=town, done_at__isnull=False)
    login(client, staff)
    response = client.post(reverse("workitem_done", args=[done.pk]), with_token(note="再来一次"))
    assert response.status_code == 302
    done.refresh_from_db()
    assert done.done_note == "已于国庆更新"


def test_other_township_and_reviewers_get_404_on_done(client, staff_b, reviewer, work_list, town):
    item = open_item(work_list, town)
    url = reverse("workitem_done", args=[item.pk])
    for user in (staff_b, reviewer):
        login(client, user)
        assert client.get(url).status_code == 404
        assert client.post(url, with_token(note="越权完成")).status_code == 404
    item.refresh_from_db()
    assert item.done_at is None


def test_an_administrator_may_look_at_the_item_form_but_not_add(client, make_user, work_list):
    admin = make_user("admin_city", role=roles.SYSTEM_ADMIN)
    login(client, admin)
    url = reverse("workitem_create", args=[work_list.pk])
    html = client.get(url).content.decode()
    assert 'data-testid="reviewers-only"' in html
    assert "<fieldset disabled>" in html
    assert client.post(url, with_token(text="管理员加的")).status_code == 404
    assert client.get(reverse("worklist_create")).status_code == 404
    assert not WorkItem.objects.filter(text="管理员加的").exists()
    detail = client.get(reverse("worklist_detail", args=[work_list.pk])).content.decode()
    assert reverse("workitem_create", args=[work_list.pk]) not in detail
