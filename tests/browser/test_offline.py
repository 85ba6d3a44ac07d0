"""At the wall with no signal (issue 16; docs/offline.md): a cached village, removals and a new
sign kept in the outbox offline, sent exactly once when the network is back, and a conflict
said plainly. On a 375 px phone, in Debian's Chromium."""

import io
import random
import re

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from signs import services
from signs.models import Removal, Signboard
from utilities.models import SubmittedForm

from .conftest import sign_in
from .offline_support import (
    badge,
    counts,
    go_offline,
    make_village,
    open_cached_village,
    record_offline,
    shot,
    sign_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BYTES_PER_REMOVAL = 500_000  # issue 16's limit, with a 12-megapixel photo


def twelve_megapixel_photo() -> bytes:
    """A phone camera's 4000×3000 JPEG of a wall with plaques, with a sensor's grain (~5 MB)."""
    w, h = 4000, 3000
    gradient = Image.linear_gradient("L")
    image = Image.merge(
        "RGB",
        [gradient.resize((w, h)), gradient.rotate(90).resize((w, h)), Image.new("L", (w, h), 150)],
    )
    draw, rng = ImageDraw.Draw(image), random.Random(3)
    for _ in range(60):
        x, y = rng.randrange(w), rng.randrange(h)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.rectangle([x, y, x + rng.randrange(100, 800), y + rng.randrange(50, 400)], colour)
    grain = Image.merge("RGB", [Image.effect_noise((w, h), 40) for _ in range(3)])
    out = io.BytesIO()
    Image.blend(image, grain, 0.3).save(out, "JPEG", quality=92)
    return out.getvalue()


def small_photo(colour) -> dict:
    """A photo already about the size the phone sends (the shrinking is measured above)."""
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), colour).save(out, "JPEG", quality=80)
    return {"name": "IMG_2042.JPG", "mimeType": "image/jpeg", "buffer": out.getvalue()}


@pytest.fixture(scope="module")
def camera_file():
    return {"name": "IMG_2041.JPG", "mimeType": "image/jpeg", "buffer": twelve_megapixel_photo()}


@pytest.fixture
def village(fixtures_loaded, make_user, settings, tmp_path, monkeypatch):
    return make_village(make_user, settings, tmp_path, monkeypatch)


def test_offline_writes_are_kept_shown_and_sent_exactly_once(
    phone_app, live_server, village, camera_file
):
    page, context = phone_app, phone_app.context
    sent = []
    page.on(
        "request",
        lambda r: sent.append(r) if r.method == "POST" and r.headers.get("x-outbox") else None,
    )
    open_cached_village(page, live_server, village)
    before = counts()

    go_offline(context)
    # The first with the camera's 12-megapixel photo (the bytes sent are measured on it).
    record_offline(page, live_server, sign_of(village, "廉洁工作站"), camera_file)
    record_offline(page, live_server, sign_of(village, "村务监督站"), small_photo((90, 110, 70)))
    record_offline(page, live_server, sign_of(village, "妇女之家"), small_photo((130, 90, 80)))
    # The bulk form of the cached village page, offline: two signs at once.
    for title in ("农家书屋", "科普站"):
        page.locator(f"#tick-{sign_of(village, title).pk}").check()
    with page.expect_navigation():  # back to the village page, kept
        page.get_by_role("button", name="摘除所选牌子").click()
    expect(page.get_by_test_id("outbox-flash")).to_be_visible()
    page.goto(f"{live_server.url}/v/{village.code}/signs/new/")
    page.locator('input[name="title"]').fill("党员活动室")
    page.locator('select[name="kind"]').select_option("plaque")
    with page.expect_navigation():
        page.get_by_role("button", name="添加").click()
    expect(page.get_by_test_id("outbox-flash")).to_be_visible()

    page.reload()  # still offline: the page from the service worker, the outbox from IndexedDB
    expect(badge(page)).to_have_text("6 条待上传")
    opened = page.evaluate("performance.getEntriesByType('navigation')[0].duration")
    print(f"\ncached village page opened offline in {opened:.0f} ms")
    expect(page.locator("[data-testid=sign] [data-testid=outbox-state]")).to_have_count(5)
    expect(page.get_by_test_id("outbox-new-sign")).to_contain_text("党员活动室")
    assert counts() == before, "nothing reached the server while offline"
    page.screenshot(path=shot("offline-village"), full_page=True)
    page.goto(f"{live_server.url}/outbox/")
    expect(page.get_by_test_id("outbox-entry")).to_have_count(5)  # the bulk is one entry
    page.screenshot(path=shot("offline-outbox"), full_page=True)

    # Back online: the first removal's answer is lost after the server has committed it.
    lost = []

    def lose_the_answer(route):
        if not lost:
            route.fetch()  # the server saves it
            lost.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    first = sign_of(village, "廉洁工作站")
    page.route(re.compile(rf"/s/{first.pk}/remove/$"), lose_the_answer)
    context.set_offline(False)
    page.goto(f"{live_server.url}/v/{village.code}/")
    expect(badge(page)).to_be_hidden(timeout=30_000)
    assert lost, "the answer was not lost"

    removals = Removal.objects.filter(signboard__village=village, revoked_at=None)
    assert removals.count() == 5 and Removal.objects.count() == before[0] + 5
    assert Signboard.objects.filter(village=village, title="党员活动室").count() == 1
    with_photo = removals.exclude(photo="")
    assert {r.signboard.title for r in with_photo} == {"妇女之家", "村务监督站", "廉洁工作站"}
    assert all(r.photo_thumb for r in with_photo)
    assert SubmittedForm.objects.count() == before[2] + 5  # one token per entry, the bulk's one

    # Bytes per removal with a 12-megapixel photo (the camera's file is ~5 MB).
    photo_posts = [len(r.post_data_buffer or b"") for r in sent if f"/s/{first.pk}/" in r.url]
    assert len(camera_file["buffer"]) > 4_000_000
    assert photo_posts and max(photo_posts) <= BYTES_PER_REMOVAL, photo_posts
    print(f"\nbytes per removal with a 12 MP photo: {photo_posts}")

    # Every confirmed request sent again: each answered "saved", nothing written.
    written = counts()
    for request in {r.url + str(r.post_data_buffer): r for r in sent}.values():
        again = context.request.post(
            request.url,
            data=request.post_data_buffer,
            headers={
                "content-type": request.headers["content-type"],
                "x-outbox": "1",
                "x-csrftoken": request.headers["x-csrftoken"],
                "referer": live_server.url + "/",
            },
        )
        assert again.json()["state"] == "saved", again.json()
    assert counts() == written


def test_a_conflict_is_said_plainly_and_the_outbox_is_each_users_own(
    phone_app, live_server, village
):
    page, context = phone_app, phone_app.context
    open_cached_village(page, live_server, village)
    sign = sign_of(village, "调解室")
    go_offline(context)
    record_offline(page, live_server, sign)
    expect(badge(page)).to_have_text("1 条待上传")

    # Meanwhile a colleague, online, removes the same sign; and this phone's session ends.
    colleague = User.objects.get(username="staff_online")
    services.removal_record(
        signboard=sign, user=colleague, removed_on=timezone.localdate(), reason="no_business"
    )
    context.clear_cookies()
    context.set_offline(False)  # the kept village page sends the outbox: sign in again, it says
    expect(badge(page)).to_have_class(re.compile("btn-warning"))
    page.goto(f"{live_server.url}/outbox/")  # the login page
    page.get_by_label("用户名").fill("staff_offline")
    page.get_by_label("密码").fill("pw-Test-2024")
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    assert page.url.endswith("/outbox/")  # signed in again, the outbox is sent from here
    entry = page.get_by_test_id("outbox-entry")
    expect(entry).to_have_attribute("data-state", "conflict")
    expect(entry.get_by_test_id("outbox-message")).to_have_text("该牌子已摘除，不能重复登记。")
    expect(entry.get_by_test_id("outbox-state")).to_have_text("未能上传")
    assert Removal.objects.filter(signboard=sign).count() == 1  # nothing written twice
    page.screenshot(path=shot("offline-conflict"), full_page=True)

    # Another user on the same phone sees none of it; its owner finds it again.
    page.get_by_role("button", name="退出").click()
    sign_in(page, live_server, "staff_online")
    page.goto(f"{live_server.url}/outbox/")
    expect(page.get_by_test_id("outbox-empty")).to_be_visible()
    expect(badge(page)).to_be_hidden()
    page.get_by_role("button", name="退出").click()
    sign_in(page, live_server, "staff_offline")
    page.goto(f"{live_server.url}/outbox/")
    expect(page.get_by_test_id("outbox-entry")).to_have_count(1)

    # Discarding asks first; cancelled, it stays.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="放弃").click()
    expect(page.get_by_test_id("outbox-entry")).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="放弃").click()
    expect(page.get_by_test_id("outbox-empty")).to_be_visible()
    assert Removal.objects.filter(signboard=sign).count() == 1
