"""意见建议 in the browser: a township staffer sends a suggestion from the footer link, the
system administrator finds it first in the list and answers it, and the staffer reads the
answer; at phone and desktop width, checked for accessibility and tap targets on every page."""

import pytest
from playwright.sync_api import expect

from feedback.models import Feedback
from feedback.services import feedback_answer, feedback_create
from villages import roles

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "希望能一次导出全部村的台账"
BODY = "现在要逐个村导出再合并，月底报表时很费时间。\n建议在乡镇页面增加“导出全部”。"
OTHER_SUBJECT = "审核页面能否显示照片拍摄时间"
ANSWER = "已在乡镇页面增加“导出本乡镇台账”按钮，请刷新后使用。"


@pytest.fixture
def people(fixtures_loaded, make_user, town):
    staff = make_user("staff_450181100", role=roles.TOWN_STAFF, town=town)
    administrator = make_user("sysadmin_city", role=roles.SYSTEM_ADMIN)
    # A reviewer's item, already answered: the 待答复 filter hides it; the staffer never sees it.
    reviewer = make_user("reviewer_city", role=roles.REVIEWER)
    feedback_answer(
        feedback=feedback_create(
            user=reviewer, kind="suggestion", subject=OTHER_SUBJECT, body="便于核验。"
        ),
        user=administrator,
        answer="已排入计划。",
    )
    return staff


def fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} scrolls sideways: {width}px > {viewport}px"


def test_a_suggestion_is_sent_answered_and_read(page, live_server, people, screenshot):
    sign_in(page, live_server, "staff_450181100")
    page.get_by_test_id("footer-feedback").click()
    expect(page.get_by_role("heading", name="意见建议")).to_be_visible()
    expect(page.get_by_test_id("no-feedback")).to_have_text("还没有提出过意见建议。")
    page.get_by_test_id("feedback-new").click()

    expect(page.get_by_role("heading", name="提出意见建议")).to_be_visible()
    expect(page.get_by_label("类别")).to_have_value("suggestion")
    page.get_by_label("主题").fill("   ")
    page.get_by_label("具体内容").fill(BODY)
    page.get_by_test_id("feedback-send").click()
    expect(page.get_by_test_id("field-error")).to_have_text("请填写主题。")
    assert not Feedback.objects.filter(author=people).exists()
    page.get_by_label("主题").fill(SUBJECT)
    fits(page)
    screenshot("feedback-1-form-staff")
    page.get_by_test_id("feedback-send").click()

    expect(page.get_by_test_id("feedback-subject")).to_have_text(SUBJECT)
    expect(page.get_by_test_id("feedback-status")).to_have_text("待答复")
    expect(page.get_by_test_id("feedback-no-answer")).to_be_visible()
    expect(page.get_by_test_id("answer-form")).to_have_count(0)
    feedback = Feedback.objects.get(author=people)
    assert feedback.body == BODY.replace("\n", "\r\n")  # as a browser sends a textarea
    fits(page)
    screenshot("feedback-2-sent-staff")

    # The system administrator: every item, the one awaiting an answer first.
    page.context.clear_cookies()
    sign_in(page, live_server, "sysadmin_city")
    page.goto(live_server.url + "/feedback/")
    items = page.get_by_test_id("feedback-items").locator("li")
    expect(items.first).to_contain_text(SUBJECT)
    expect(items.first).to_contain_text("横州镇")
    expect(items.last).to_contain_text(OTHER_SUBJECT)
    expect(page.get_by_test_id("feedback-counts")).to_contain_text("待答复 1")
    page.get_by_label("状态").select_option("open")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_test_id(f"feedback-status-{feedback.pk}")).to_have_text("待答复")
    expect(page.get_by_text(OTHER_SUBJECT)).to_have_count(0)
    fits(page)
    screenshot("feedback-3-list-admin")

    page.get_by_role("link", name=SUBJECT).click()
    page.get_by_label("答复内容").fill(ANSWER)
    fits(page)
    screenshot("feedback-4-answer-admin")
    page.get_by_test_id("answer-save").click()
    expect(page.get_by_test_id("feedback-answer")).to_contain_text(ANSWER)
    expect(page.get_by_test_id("feedback-status")).to_have_text("已答复")
    expect(page.get_by_role("heading", name="修改答复")).to_be_visible()
    feedback.refresh_from_db()
    assert feedback.answer == ANSWER and feedback.answered_by.username == "sysadmin_city"

    # The staffer reads the answer in the list and on the item.
    page.context.clear_cookies()
    sign_in(page, live_server, "staff_450181100")
    page.goto(live_server.url + "/feedback/")
    expect(page.get_by_test_id(f"feedback-status-{feedback.pk}")).to_have_text("已答复")
    expect(page.get_by_test_id(f"feedback-answer-{feedback.pk}")).to_contain_text(ANSWER)
    expect(page.get_by_text(OTHER_SUBJECT)).to_have_count(0)
    fits(page)
    screenshot("feedback-5-answered-staff")
    page.get_by_role("link", name=SUBJECT).click()
    expect(page.get_by_test_id("feedback-answer")).to_contain_text(ANSWER)
    expect(page.get_by_test_id("answer-form")).to_have_count(0)
    fits(page)
    screenshot("feedback-6-detail-staff")
