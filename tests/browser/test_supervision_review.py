"""Review in the browser: a reviewer returns a removal with a comment, the township corrects
and resubmits it, the reviewer verifies it, and the village is 销号."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import expect

from signs import services as signs_services
from signs.models import Removal
from supervision.models import RemovalReview
from villages import roles
from villages.models import Village

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def jpeg(colour) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), colour).save(buffer, "JPEG")
    return SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def reported(fixtures_loaded, make_user, town, settings, tmp_path):
    """Two removals reported by 横州镇's staffer in 城东村, with photos; one flagged."""
    settings.MEDIA_ROOT = tmp_path / "media"
    village = Village.objects.create(town=town, code="450181100201", name="城东村")
    staff = make_user("staff_450181100", role=roles.TOWN_STAFF, town=town)
    make_user("reviewer_city", role=roles.REVIEWER)
    removals = []
    for title, flagged in [("廉洁工作站", True), ("益农信息社", False)]:
        sign = signs_services.signboard_create(
            village=village, user=staff, kind="guidance", title=title, location="外墙",
            inventoried_on=dt.date(2024, 1, 2),
        )  # fmt: skip
        removals.append(
            signs_services.removal_record(
                signboard=sign,
                user=staff,
                removed_on=dt.date(2024, 3, 1),
                reason="no_business",
                photo=jpeg((190, 180, 160)),
                photo_before=jpeg((150, 40, 40)),
                title_in_photo=flagged,
            )  # fmt: skip
        )
    return village, removals


def fits(page):
    if page.viewport_name == "phone":
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{page.url} scrolls sideways: {width}px"


def test_return_resubmit_verify_and_close(page, live_server, reported, screenshot):
    village, (first, second) = reported
    url = live_server.url

    sign_in(page, live_server, "reviewer_city")
    page.goto(url + "/review/")
    expect(page.get_by_test_id("review-queue")).to_be_visible()
    expect(page.locator("[data-removal-id]")).to_have_count(2)
    expect(page.get_by_test_id("photo-flag")).to_have_count(1)
    fits(page)
    screenshot("review-queue")

    page.get_by_role("link", name="廉洁工作站").click()
    expect(page.get_by_test_id("review-title")).to_have_text("廉洁工作站")
    expect(page.get_by_test_id("photo-flag")).to_be_visible()
    thumb = page.get_by_test_id("photo-after").locator("img").element_handle()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb)
    fits(page)
    screenshot("review-removal")
    page.get_by_label("需更正的内容（退回时填写）").fill("照片里牌子还在，请摘除后重新拍照")
    page.get_by_test_id("return").click()
    # On to the next pending removal, which is verified straight away.
    expect(page.get_by_role("alert").first).to_contain_text("已将“廉洁工作站”退回横州镇更正")
    expect(page.get_by_test_id("review-title")).to_have_text("益农信息社")
    page.get_by_test_id("verify").click()
    expect(page.get_by_test_id("review-queue")).to_be_visible()
    expect(page.get_by_text("没有其他待核验的记录了")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, live_server, "staff_450181100")
    page.goto(url + f"/t/{village.town.code}/returned/")
    card = page.get_by_test_id("returned-removal")
    expect(card).to_have_count(1)
    expect(card.get_by_test_id("returned-comment")).to_contain_text("照片里牌子还在")
    card.get_by_test_id("resubmit-link").click()
    expect(page.get_by_test_id("returned-comment")).to_contain_text("照片里牌子还在")
    assert page.get_by_label("摘除原因").input_value() == "no_business"
    fits(page)
    screenshot("review-resubmit")
    page.get_by_label("摘除原因").select_option("duplicate")
    page.get_by_label("备注").fill("与党员活动室重复悬挂")
    page.get_by_test_id("resubmit").click()
    expect(page.get_by_role("alert").first).to_contain_text("已更正“廉洁工作站”并重新提交核验")
    expect(page.get_by_test_id("nothing-returned")).to_be_visible()
    assert Removal.objects.get(pk=first.pk).reason == "duplicate"

    page.context.clear_cookies()
    sign_in(page, live_server, "reviewer_city")
    page.goto(url + "/review/")
    expect(page.locator("[data-removal-id]")).to_have_count(1)
    page.get_by_role("link", name="廉洁工作站").click()
    expect(page.get_by_test_id("removal-reason")).to_have_text("与功能室牌匾重复")
    expect(page.get_by_test_id("review-comment-shown")).to_contain_text("照片里牌子还在")
    page.get_by_test_id("verify").click()
    expect(page.get_by_text("没有其他待核验的记录了")).to_be_visible()
    assert set(RemovalReview.objects.values_list("status", flat=True)) == {"verified"}

    page.goto(url + f"/t/{village.town.code}/closure/")
    row = page.locator(f'[data-village="{village.code}"]')
    expect(row).to_have_attribute("data-closed", "yes")
    expect(row.get_by_test_id("closed")).to_have_text("已销号")
    fits(page)
    screenshot("review-closure")
