"""拍照识牌 on a 375 px phone: one photo of a wall becomes eight signs in two taps, and a
removal photo that still shows the sign is warned about, then saved flagged.

The photos are drawn by tests.helpers.plaque_photo and read by the installed OCR engine.
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

from signs import ocr
from signs.models import Removal, Signboard
from tests.helpers import plaque_photo
from villages import roles
from villages.models import Village

from .conftest import DESKTOP, SCREENSHOTS, close_page, open_page, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not ocr.available(), reason="the ocr extra is not installed"),
]

# Reading a photo takes a few seconds (more the first time, while the engine loads).
READING_TIMEOUT = 60_000

STANDARD = ["党员活动室", "村务公开制度", "农家书屋", "警务室"]
# One character short of the standard's 首问负责和一次性告知制度: a close match, a long badge.
CLOSE = "首问负责一次性告知制度"
NOT_IN_THE_STANDARD = ["廉洁工作站", "科普宣传室", "心理咨询室"]
WALL = [*STANDARD, CLOSE, *NOT_IN_THE_STANDARD]
ROOM_OF_THE_SIGN_TO_REMOVE = "党群服务中心一楼大厅"


@pytest.fixture
def wall(fixtures_loaded, make_user, town, settings, tmp_path):
    """A village with one sign to remove (廉洁工作站, in a long-named room) and a staffer."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "pending")
    village = Village.objects.create(town=town, code="450181100201", name="城东村")
    Signboard.objects.create(
        village=village, title="廉洁工作站", kind="organization",
        location=ROOM_OF_THE_SIGN_TO_REMOVE, inventoried_on=dt.date(2024, 1, 2),
    )  # fmt: skip
    make_user("staff_450181100", role=roles.TOWN_STAFF, town=town)
    return village


def sign_in_as_staff(page, live_server):
    sign_in(page, live_server, "staff_450181100")
    expect(page.get_by_role("heading", name="横州镇")).to_be_visible()


def fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} scrolls sideways: {width}px > {viewport}px"


def look_at_desktop_width(page, name):
    """The same page at desktop width, then back to the phone."""
    phone_size, phone_name = page.viewport_size, page.viewport_name
    page.set_viewport_size(DESKTOP)
    page.viewport_name = "desktop"
    try:
        look(page, name)
    finally:
        page.set_viewport_size(phone_size)
        page.viewport_name = phone_name


def look(page, name):
    """Check nothing scrolls sideways, then save a full-page screenshot under screenshots/."""
    fits(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{page.viewport_name}.png"), full_page=True)


def test_one_photo_of_a_wall_adds_eight_signs_in_two_taps(
    phone, browser, live_server, wall, tmp_path
):
    page = phone
    photo = tmp_path / "wall.jpg"
    photo.write_bytes(plaque_photo(*WALL, size=(1200, 1600)))
    sign_in_as_staff(page, live_server)
    page.goto(f"{live_server.url}/v/{wall.code}/")
    expect(page.get_by_test_id("village-name")).to_have_text("城东村")

    page.get_by_test_id("wall-read-link").tap()
    expect(page.get_by_role("heading", name="拍照识牌")).to_be_visible()
    page.get_by_label("位置/房间").fill("二楼")
    page.get_by_test_id("wall-photos").set_input_files(str(photo))
    look(page, "wall-read")

    taps = 0
    page.get_by_test_id("wall-read").tap()
    taps += 1
    expect(page.get_by_role("heading", name="识别结果")).to_be_visible(timeout=READING_TIMEOUT)
    proposals = page.get_by_test_id("proposal")
    expect(proposals).to_have_count(len(WALL))
    titles = [t.input_value() for t in page.get_by_test_id("proposal-title").all()]
    assert sorted(titles) == sorted(WALL)
    # None is in 二楼 yet: every entry is ticked, so confirming needs no more taps.
    for checkbox in proposals.get_by_role("checkbox").all():
        expect(checkbox).to_be_checked()
    expect(page.get_by_test_id("match-exact")).to_have_count(len(STANDARD))
    expect(page.get_by_test_id("wall-summary")).to_contain_text("8")
    expect(page.get_by_test_id("match-close")).to_have_count(1)
    expect(page.get_by_test_id("match-close")).to_contain_text("首问负责和一次性告知制度")
    elsewhere = f"{ROOM_OF_THE_SIGN_TO_REMOVE} 另有一块"
    removed_kind = proposals.filter(
        has=page.locator('[data-testid="proposal-title"][value="廉洁工作站"]')
    )
    expect(removed_kind).to_contain_text(elsewhere)
    expect(proposals.filter(has_text=elsewhere)).to_have_count(1)
    look(page, "wall-review")

    # The same review page at desktop width, in the same session, before confirming.
    wide = open_page(
        browser, "desktop", viewport=DESKTOP, storage_state=page.context.storage_state()
    )
    wide.goto(page.url)
    expect(wide.get_by_test_id("proposal")).to_have_count(len(WALL))
    look(wide, "wall-review")
    close_page(wide)

    page.get_by_test_id("wall-confirm").tap()
    taps += 1
    assert taps <= 3

    expect(page.get_by_role("alert")).to_contain_text("已添加 8 块牌子")
    expect(page.get_by_test_id("village-name")).to_have_text("城东村")
    room = page.locator(".card").filter(has=page.get_by_text("二楼", exact=True))
    expect(room.get_by_test_id("sign")).to_have_count(len(WALL))
    for title in WALL:
        expect(room.get_by_test_id("sign").filter(has_text=title)).to_have_count(1)
    expect(page.get_by_test_id("sign")).to_have_count(len(WALL) + 1)
    added = Signboard.objects.filter(location="二楼")
    assert sorted(added.values_list("title", flat=True)) == sorted(WALL)
    assert all(s.inventory_photo_id for s in added)
    look(page, "wall-village-after")

    # A sign's history shows the wall photo it was inventoried from.
    room.get_by_role("link", name=STANDARD[0]).tap()
    expect(page.get_by_test_id("inventory-photo").get_by_role("img")).to_be_visible()
    look(page, "sign-history-inventory-photo")
    look_at_desktop_width(page, "sign-history-inventory-photo")


def test_a_removal_photo_still_showing_the_sign_is_warned_then_saved_flagged(
    phone, live_server, wall, tmp_path
):
    page = phone
    sign = Signboard.objects.get(title="廉洁工作站")
    photo = tmp_path / "after.jpg"
    photo.write_bytes(plaque_photo("廉洁工作站"))
    sign_in_as_staff(page, live_server)
    page.goto(f"{live_server.url}/v/{wall.code}/")

    page.get_by_test_id(f"remove-{sign.pk}").tap()
    expect(page.get_by_role("heading", name="摘除“廉洁工作站”")).to_be_visible()
    page.get_by_label("整改后照片").set_input_files(str(photo))
    page.get_by_role("button", name="保存摘除记录").tap()

    warning = page.get_by_test_id("title-in-photo")
    expect(warning).to_be_visible(timeout=READING_TIMEOUT)
    expect(warning).to_contain_text("照片中仍可见该牌子")
    expect(warning).to_contain_text("廉洁工作站")
    assert not Removal.objects.filter(signboard=sign).exists()
    save_anyway = page.get_by_label("仍然保存")
    expect(save_anyway).not_to_be_checked()
    look(page, "removal-warned")

    # The photo is kept on the server: tick 仍然保存 and save, without choosing it again.
    assert page.get_by_label("整改后照片").input_value() == ""
    save_anyway.check()
    page.get_by_role("button", name="保存摘除记录").tap()

    expect(page.get_by_role("alert")).to_contain_text("已登记“廉洁工作站”的摘除")
    row = page.locator(f'[data-sign-id="{sign.pk}"]')
    expect(row).to_have_attribute("data-status", "removed")
    expect(row.get_by_test_id("title-in-photo-flag")).to_have_text("照片中仍可见该牌子")
    expect(row.get_by_test_id("thumb")).to_be_visible()
    removal = Removal.objects.get(signboard=sign)
    assert removal.title_in_photo is True
    assert removal.photo and removal.photo.storage.exists(removal.photo.name)
    look(page, "removal-flagged-village")

    # The township page lists it for the reviewer.
    page.goto(f"{live_server.url}/t/{wall.town.code}/")
    flagged = page.get_by_test_id("flagged-removals")
    expect(flagged).to_contain_text("廉洁工作站")
    expect(flagged).to_contain_text("城东村")
    look(page, "town-flagged-removals")
    look_at_desktop_width(page, "town-flagged-removals")
