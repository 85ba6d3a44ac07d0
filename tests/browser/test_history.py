"""The history pages fit a 375 px phone and a desktop, without sideways scrolling."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from signs import services
from villages import roles
from villages.audit import audit_write, snapshot
from villages.models import Village

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def history(fixtures_loaded, make_user, town):
    """A village with a realistic mix of entries: long titles, notes and reasons included."""
    village = Village.objects.create(town=town, code="450181100201", name="城东村")
    staff = make_user("staff_450181100", role=roles.TOWN_STAFF, town=town)
    staff.first_name = "黄志强"
    staff.save()
    reviewer = make_user("reviewer", role=roles.REVIEWER)
    signs = [
        ("脱贫攻坚工作领导小组办公室暨乡村振兴工作站（村级服务点）", "村“两委”办公室"),
        ("廉洁工作站", "党群服务中心一楼大厅"),
        ("益农信息社", "外墙"),
    ]
    created = []
    for title, room in signs:
        created.append(
            services.signboard_create(
                village=village,
                user=staff,
                kind="guidance",
                title=title,
                location=room,
                inventoried_on=dt.date(2024, 1, 2),
            )  # fmt: skip
        )
    for sign in created:
        services.removal_record(
            signboard=sign, user=staff, removed_on=dt.date(2024, 3, 1), reason="other",
            note="该牌子所对应的工作机构已于2023年撤并，现场已无实质性业务，按规范清理。",
        )  # fmt: skip
    removal = created[1].removals.get()
    services.removal_revoke(
        removal=removal, user=staff,
        reason="误录：现场核实该牌子仍在使用，已由村“两委”研究决定保留，撤销此前登记的摘除记录。",
    )  # fmt: skip
    before = snapshot(village)
    village.name = "城东社区"
    village.save()
    audit_write(actor=reviewer, action="village.update", obj=village, town=town,
                before=before, after=snapshot(village))  # fmt: skip
    return village


def fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} scrolls sideways: {width}px > {viewport}px"


def test_history_pages_fit_the_screen(page, live_server, history, screenshot):
    sign_in(page, live_server, "reviewer")
    expect(page.get_by_test_id("nav-dashboard")).to_be_visible()

    page.goto(f"{live_server.url}/v/{history.code}/")
    page.get_by_test_id("history-link").click()
    expect(page.get_by_role("heading", name="城东社区变更记录")).to_be_visible()
    expect(page.get_by_test_id("history-entry")).to_have_count(8)
    expect(page.get_by_text("撤销原因")).to_be_visible()
    fits(page)
    screenshot("village-history")

    page.goto(f"{live_server.url}/t/{history.town.code}/")
    page.get_by_test_id("activity-link").click()
    expect(page.get_by_role("heading", name="横州镇操作日志")).to_be_visible()
    table = page.get_by_test_id("activity-table")
    expect(table.locator("tbody tr")).to_have_count(8)
    fits(page)
    # The table itself must not need a sideways scroll inside its responsive wrapper either.
    inner = table.evaluate("t => t.parentElement.scrollWidth - t.parentElement.clientWidth")
    assert inner <= 0, f"the activity table scrolls sideways by {inner}px"
    screenshot("town-activity")

    page.get_by_label("操作", exact=True).select_option("removal.revoke")
    page.get_by_role("button", name="筛选").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    fits(page)
