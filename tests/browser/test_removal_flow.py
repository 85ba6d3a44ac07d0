"""The whole field flow on a 375 px phone: sign in, open a village, remove with a photo, revoke."""

import datetime as dt

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from signs.models import Removal, Signboard
from villages import roles
from villages.models import Village

from .conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def field(fixtures_loaded, make_user, town):
    village = Village.objects.create(town=town, code="450181100201", name="城东村")
    for title, room in [("廉洁工作站", "党群服务中心一楼大厅"), ("益农信息社", "外墙"),
                        ("脱贫攻坚工作领导小组", "村“两委”办公室")]:  # fmt: skip
        Signboard.objects.create(
            village=village, title=title, kind="guidance", location=room,
            inventoried_on=dt.date(2024, 1, 2),
        )  # fmt: skip
    make_user("staff_450181100", role=roles.TOWN_STAFF, town=town)
    return village


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "wall.jpg"
    Image.new("RGB", (1200, 900), (200, 190, 170)).save(path, "JPEG")
    return path


def fits_the_phone(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} scrolls sideways: {width}px"


def test_record_and_revoke_a_removal_on_a_phone(phone, live_server, field, photo, settings):
    page = phone
    shots = []

    def look(name):
        fits_the_phone(page)
        shots.append(name)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"flow-{name}.png"), full_page=True)

    page.goto(live_server.url + "/")
    page.get_by_label("用户名").fill("staff_450181100")
    page.get_by_label("密码").fill("pw-Test-2024")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="横州镇")).to_be_visible()
    look("1-town")

    page.get_by_role("link", name="城东村").click()
    expect(page.get_by_test_id("village-name")).to_have_text("城东村")
    expect(page.get_by_test_id("village-status")).to_have_text("3 块待摘除")
    look("2-village")

    sign = Signboard.objects.get(title="廉洁工作站")
    taps = 0
    page.get_by_test_id(f"remove-{sign.pk}").tap()
    taps += 1
    expect(page.get_by_role("heading", name="摘除“廉洁工作站”")).to_be_visible()
    look("3-removal-form")
    # The date and the reason are already filled in; the camera gives the photo.
    assert page.get_by_label("摘除日期").input_value() == timezone.localdate().isoformat()
    assert page.get_by_label("摘除原因").input_value() == "no_business"
    page.get_by_label("整改后照片").set_input_files(str(photo))
    taps += 1
    page.get_by_role("button", name="保存摘除记录").tap()
    taps += 1
    assert taps <= 3

    expect(page.get_by_role("alert")).to_contain_text("已登记“廉洁工作站”的摘除")
    row = page.locator(f'[data-sign-id="{sign.pk}"]')
    expect(row).to_have_attribute("data-status", "removed")
    expect(row.get_by_test_id("thumb")).to_be_visible()
    # The thumbnail really loaded (served to signed-in users), not a broken image.
    thumb = row.get_by_test_id("thumb").element_handle()
    page.wait_for_function("img => img.complete", arg=thumb)
    assert thumb.evaluate("img => img.naturalWidth") > 0
    expect(page.get_by_test_id("village-status")).to_have_text("2 块待摘除")
    look("4-village-after")
    removal = Removal.objects.get(signboard=sign)
    assert removal.photo and removal.photo_thumb

    row.get_by_role("link", name="撤销").tap()
    page.get_by_label("撤销原因").fill("登记错了，牌子还在")
    look("5-revoke")
    page.get_by_role("button", name="撤销").tap()
    expect(page.get_by_role("alert")).to_contain_text("已撤销该摘除记录")
    expect(row).to_have_attribute("data-status", "to_remove")
    expect(page.get_by_test_id("village-status")).to_have_text("3 块待摘除")
    look("6-village-revoked")

    row.get_by_role("link", name="廉洁工作站").tap()
    expect(page.get_by_test_id("history-entry")).to_have_count(2)
    expect(page.get_by_test_id("removal-row")).to_contain_text("登记错了，牌子还在")
    look("7-history")
    assert len(shots) == 7
