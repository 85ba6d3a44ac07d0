"""A monthly work list in the browser: the reviewer issues it, a township marks its item done,
and the reviewer sees that township's completion reach 100 %, on a phone and a desktop."""

import re

import pytest
from playwright.sync_api import expect

from supervision.models import WorkItem, WorkList
from villages import roles

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TASK = "对照《汇编》逐村复核上墙制度，发现新增挂牌即时摘除"


@pytest.fixture
def people(fixtures_loaded, make_user, town):
    make_user("reviewer_city", role=roles.REVIEWER)
    make_user("staff_450181100", role=roles.TOWN_STAFF, town=town)
    return town


def fits_the_width(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} scrolls sideways: {width}px > {viewport}px"


def pdf_pages(page) -> int:
    """Pages of the page printed to PDF with its own @page size (A4 from print.css)."""
    pdf = page.pdf(prefer_css_page_size=True)
    assert re.search(rb"/MediaBox \[0 0 59[45][.\d]* 84[12]", pdf), "not A4"
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_issue_answer_and_follow_a_work_list(page, live_server, people, screenshot):
    town = people
    sign_in(page, live_server, "reviewer_city")
    page.goto(live_server.url + "/worklists/")
    page.get_by_test_id("worklist-new").click()
    expect(page.get_by_role("heading", name="下发工作清单")).to_be_visible()
    page.get_by_label("各乡镇工作任务（每行一项）").fill(TASK)
    page.get_by_label("工作要求").fill(
        "请各乡镇对照清单逐项落实，完成后在系统中标记并说明完成情况。"
    )
    fits_the_width(page)
    screenshot("worklists-form-reviewer")
    page.get_by_test_id("worklist-issue").click()

    work_list = WorkList.objects.get()
    expect(page.get_by_test_id("worklist-title")).to_have_text(work_list.title)
    expect(page.get_by_test_id(f"percent-{town.code}")).to_have_text("0.0%")
    assert WorkItem.objects.filter(work_list=work_list).count() == 17
    fits_the_width(page)
    screenshot("worklists-detail-reviewer")

    page.goto(live_server.url + "/worklists/")
    expect(page.get_by_test_id(f"worklist-done-{work_list.pk}")).to_have_text("0 / 17")
    fits_the_width(page)
    screenshot("worklists-list-reviewer")

    page.get_by_test_id(f"worklist-{work_list.pk}").click()
    page.get_by_test_id("worklist-print").click()
    expect(page.get_by_test_id(f"print-town-{town.code}")).to_be_visible()
    fits_the_width(page)
    screenshot("worklists-print-reviewer")
    assert pdf_pages(page) == 17  # A4, one township a page

    # The township's staffer answers their item.
    page.context.clear_cookies()
    sign_in(page, live_server, "staff_450181100")
    page.goto(live_server.url + "/worklists/")
    expect(page.get_by_test_id(f"worklist-done-{work_list.pk}")).to_have_text("0 / 1")
    screenshot("worklists-list-staff")
    page.get_by_test_id(f"worklist-{work_list.pk}").click()
    item = WorkItem.objects.get(work_list=work_list, town=town)
    expect(page.get_by_test_id(f"item-{item.pk}")).to_contain_text(TASK)
    fits_the_width(page)
    screenshot("worklists-detail-staff")
    page.get_by_test_id(f"done-{item.pk}").click()
    page.get_by_label("完成情况").fill("已组织各村（社区）逐一复核，未发现新增挂牌。")
    page.get_by_test_id("done-save").click()
    expect(page.get_by_test_id(f"item-state-{item.pk}")).to_have_text("已完成")
    expect(page.get_by_test_id("own-done")).to_have_text("1 / 1")
    fits_the_width(page)
    screenshot("worklists-done-staff")

    page.get_by_test_id("worklist-print").click()
    expect(page.get_by_test_id("print-sheet")).to_contain_text("已组织各村（社区）逐一复核")
    screenshot("worklists-print-staff")
    assert pdf_pages(page) == 1
    page.emulate_media(media="print")
    expect(page.get_by_test_id("print-button")).to_be_hidden()  # d-print-none
    screenshot("worklists-print-staff-media")
    page.emulate_media(media="screen")

    # The reviewer sees the township at 100 %.
    page.context.clear_cookies()
    sign_in(page, live_server, "reviewer_city")
    page.goto(live_server.url + f"/worklists/{work_list.pk}/")
    expect(page.get_by_test_id(f"percent-{town.code}")).to_have_text("100.0%")
    expect(page.get_by_test_id("percent-total")).to_have_text("5.9%")
    item.refresh_from_db()
    assert item.done_note == "已组织各村（社区）逐一复核，未发现新增挂牌。"
