"""A reviewer changes the assessment's weights, sees the ranks move, writes a remark and takes
the 台账 home: at phone and desktop width."""

import openpyxl
import pytest
from playwright.sync_api import expect

from supervision.models import AssessmentWeight
from villages import roles

from ..supervision.test_assessment_selectors import data  # noqa: F401 (the hand-built data)
from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEEDED = {
    "progress": 30,
    "meeting": 25,
    "no_rebound": 15,
    "work_on_time": 15,
    "findings_closed": 15,
}


@pytest.fixture
def seeded_weights(transactional_db):
    """The migration's weights: a transactional test before this one flushed them."""
    for indicator, weight in SEEDED.items():
        AssessmentWeight.objects.update_or_create(indicator=indicator, defaults={"weight": weight})


def fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} scrolls sideways: {width}px > {viewport}px"


def row(page, code):
    return page.locator(f'[data-testid="assessment-row"][data-town="{code}"]')


def test_reviewer_reweights_remarks_and_exports(
    page,
    live_server,
    data,  # noqa: F811
    seeded_weights,
    make_user,
    screenshot,
    tmp_path,
):
    make_user("reviewer_a", role=roles.REVIEWER)
    sign_in(page, live_server, "reviewer_a")
    expect(page.get_by_test_id("nav-dashboard")).to_be_visible()

    page.goto(f"{live_server.url}/assessment/?year=2024")
    expect(page.get_by_test_id("assessment-heading")).to_have_text("2024年度考核评议")
    baihe, hengzhou = row(page, data.b.code), row(page, data.a.code)
    expect(baihe.get_by_test_id("rank")).to_have_text("1")
    expect(baihe.get_by_test_id("score")).to_have_text("85.0")
    expect(hengzhou.get_by_test_id("rank")).to_have_text("17")
    expect(hengzhou.get_by_test_id("score")).to_have_text("57.5")
    fits(page)
    screenshot("assessment")

    # Weights that do not add up are refused, in Chinese; then only work-list items count.
    page.get_by_test_id("weights-link").click()
    expect(page.get_by_role("heading", name="考核权重")).to_be_visible()
    expect(page.get_by_test_id("weight-progress")).to_have_value("30")
    page.get_by_test_id("weight-progress").fill("20")
    page.get_by_test_id("save-weights").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("各项权重之和须为 100（现为 90）")
    fits(page)
    screenshot("assessment-weights")
    for indicator, weight in {**dict.fromkeys(SEEDED, "0"), "work_on_time": "100"}.items():
        page.get_by_test_id(f"weight-{indicator}").fill(weight)
    page.get_by_test_id("save-weights").click()
    expect(page.get_by_role("alert").filter(has_text="权重已保存")).to_be_visible()
    expect(baihe.get_by_test_id("rank")).to_have_text("17")  # its one item was late
    expect(baihe.get_by_test_id("score")).to_have_text("0.0")
    expect(hengzhou.get_by_test_id("score")).to_have_text("50.0")
    expect(row(page, data.c.code).get_by_test_id("rank")).to_have_text("1")

    # A remark on 横州镇.
    hengzhou.get_by_test_id("remarks-link").click()
    expect(page.get_by_role("heading", name="横州镇 · 2024年度评议意见")).to_be_visible()
    page.get_by_label("评议意见").fill("反弹问题已整改，工作清单仍有逾期，需加强。")
    screenshot("assessment-remarks")
    page.get_by_test_id("save-remarks").click()
    expect(page.get_by_role("alert").filter(has_text="已保存对横州镇的评议意见")).to_be_visible()
    remark = hengzhou.get_by_text("反弹问题已整改").filter(visible=True)
    expect(remark).to_have_count(1)
    fits(page)
    screenshot("assessment-reweighted")

    # The 台账, read back.
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    assert download.value.suggested_filename == "2024年度各乡镇牌子清理规范工作考核评议表.xlsx"
    path = tmp_path / "assessment.xlsx"
    download.value.save_as(path)
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert ws["A1"].value == "2024年度各乡镇牌子清理规范工作考核评议表"
    headers = [cell.value for cell in ws[3]]
    assert "权重100" in headers[5] and "权重0" in headers[2]
    lines = {r[1]: r for r in ws.iter_rows(min_row=4, max_row=20, values_only=True)}
    assert lines["横州镇"][8:] == (50.0, 16, "反弹问题已整改，工作清单仍有逾期，需加强。")
    assert lines["百合镇"][8:10] == (0.0, 17)
