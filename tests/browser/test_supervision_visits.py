"""A round of guidance visits in the browser: a reviewer draws it (seeded), records a finding
and a rebound at a village; the township's staffer closes the finding; the village page then
shows the village behind the standard. Screenshots at phone and desktop width."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from signs import services as signs_services
from supervision.models import Finding, Rebound, VisitRound
from villages import roles
from villages.models import Town, Village

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setting(fixtures_loaded, make_user):
    """Town A with two villages (城东村 has a removed sign and meets the standard), town B with
    one; two reviewers; A's staffer."""
    town, other = Town.objects.get(code="450181100"), Town.objects.get(code="450181101")
    east = Village.objects.create(town=town, code="450181100201", name="城东村")
    Village.objects.create(town=town, code="450181100202", name="城西村")
    Village.objects.create(town=other, code="450181101201", name="百合村")
    staff = make_user("staff_450181100", role=roles.TOWN_STAFF, town=town)
    make_user("reviewer_li", role=roles.REVIEWER)
    make_user("reviewer_wang", role=roles.REVIEWER)
    sign = signs_services.signboard_create(
        village=east, user=staff, kind="guidance", title="廉洁工作站", location="外墙",
        inventoried_on=dt.date(2024, 1, 2),
    )  # fmt: skip
    signs_services.removal_record(
        signboard=sign, user=staff, removed_on=dt.date(2024, 3, 1), reason="no_business"
    )
    return east


def fits(page):
    if page.viewport_name == "phone":
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{page.url} scrolls sideways: {width}px"


def test_a_round_with_a_finding_and_a_rebound(page, live_server, setting, screenshot):
    east = setting
    sign_in(page, live_server, "reviewer_li")
    page.goto(live_server.url + "/visits/new/")
    page.get_by_label("年度").fill("2024")
    page.get_by_label("季度").select_option("2")
    page.get_by_label("随机种子").fill("2024")
    page.get_by_label("每个乡镇抽取村（社区）数").fill("2")
    page.get_by_label("每组督导人员数").fill("1")
    page.get_by_label("调研日期").fill("2024-05-10")
    page.get_by_role("button", name="预览抽取结果").click()
    expect(page.get_by_test_id("preview")).to_contain_text("城东村")
    assert not VisitRound.objects.exists()
    screenshot("visits-1-preview")
    page.get_by_role("button", name="抽取并保存").click()

    expect(page.get_by_test_id("round-title")).to_have_text("2024年第2季度调研指导")
    visit_a = page.get_by_test_id("visit-450181100")
    expect(visit_a).to_contain_text("城东村")
    expect(visit_a).to_contain_text("2024-05-10")
    expect(page.get_by_test_id("visit-450181101")).to_contain_text("百合村")
    fits(page)
    screenshot("visits-2-round")

    visit_a.click()
    expect(page.get_by_test_id("visit-title")).to_contain_text("横州镇")
    page.get_by_test_id(f"add-finding-{east.code}").click()
    page.get_by_label("问题").fill("党务公开栏内容未更新")
    page.get_by_label("严重程度").select_option("major")
    page.get_by_label("整改要求").fill("按汇编更新公开内容")
    page.get_by_role("button", name="保存问题").click()
    expect(page.get_by_test_id("finding")).to_contain_text("党务公开栏内容未更新")

    page.get_by_test_id(f"add-rebound-{east.code}").click()
    expect(page.get_by_label("发现日期")).to_have_value("2024-05-10")
    page.get_by_label("反弹的牌子").select_option(label="廉洁工作站 · 外墙 · 2024-03-01")
    page.get_by_role("button", name="登记反弹").click()
    expect(page.get_by_role("alert")).to_contain_text("城东村不再达标")
    expect(page.get_by_test_id("rebound")).to_contain_text("廉洁工作站")
    expect(page.get_by_test_id("finding")).to_have_count(2)
    fits(page)
    screenshot("visits-3-visit")
    visit_url = page.url

    page.goto(live_server.url + "/visits/not-looked-at/?year=2024")
    expect(page.get_by_test_id("town-450181100").get_by_test_id("not-this-year")).to_have_text(
        "0 / 2"
    )
    fits(page)
    screenshot("visits-4-not-looked-at")

    # The township's staffer closes the finding; the rebound's stays open.
    page.context.clear_cookies()
    sign_in(page, live_server, "staff_450181100")
    page.goto(visit_url)
    finding = Finding.objects.get(rebound__isnull=True)
    page.get_by_test_id(f"close-{finding.pk}").click()
    page.get_by_label("整改情况").fill("已于5月12日更新公开栏")
    page.get_by_role("button", name="整改办结").click()
    expect(page.locator(f'[data-finding-id="{finding.pk}"]')).to_contain_text("已于5月12日更新")
    finding.refresh_from_db()
    assert finding.closed_at is not None
    rebound = Rebound.objects.get()
    assert rebound.finding.closed_at is None

    page.goto(live_server.url + f"/v/{east.code}/")
    expect(page.get_by_test_id("village-status")).to_have_text("1 块待摘除")
    fits(page)
