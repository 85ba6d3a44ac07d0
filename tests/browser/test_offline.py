"""At the wall with no signal (issue 16; docs/offline.md): a cached village, removals and a new
sign kept in the outbox offline, sent exactly once when the network is back, and a conflict
said plainly. On a 375 px phone, in Debian's Chromium."""

import datetime as dt
import io
import random
import re

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from signs import readings, services
from signs.models import Removal, Signboard
from utilities.models import SubmittedForm
from villages import roles
from villages.models import Town, Village

from .conftest import sign_in

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


@pytest.fixture(scope="module")
def camera_file():
    return {"name": "IMG_2041.JPG", "mimeType": "image/jpeg", "buffer": twelve_megapixel_photo()}


@pytest.fixture
def village(fixtures_loaded, make_user, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(readings, "seen_in_removal_photo", lambda title, upload: "")
    town = Town.objects.get(code="450181100")
    village = Village.objects.create(town=town, code="450181100201", name="城东村")
    make_user("staff_offline", role=roles.TOWN_STAFF, town=town)
    make_user("staff_online", role=roles.TOWN_STAFF, town=town)
    titles = ["廉洁工作站", "村务监督站", "妇女之家", "农家书屋", "科普站", "调解室"]
    for n, title in enumerate(titles):
        Signboard.objects.create(
            village=village, title=title, kind="guidance", location=f"{n % 2 + 1}楼",
            inventoried_on=dt.date(2024, 1, 2),
        )  # fmt: skip
    return village


def sign_of(village, title) -> Signboard:
    return Signboard.objects.get(village=village, title=title)


def go_offline(context):
    """No network for the pages and for the service worker's own fetches."""
    context.set_offline(True)


def open_cached_village(page, live_server, village):
    """Open the village online, once the service worker controls the app's pages, and wait
    until it has kept the village and its forms."""
    sign_in(page, live_server, "staff_offline")
    # Once the worker is active, it takes the next page opened.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.goto(f"{live_server.url}/v/{village.code}/")
    page.wait_for_selector("body[data-offline-kept]", state="attached")
    kept = page.evaluate(
        "caches.open('hz-pages').then(c => c.keys()).then(k => k.map(r => new URL(r.url).pathname))"
    )
    forms = [
        f"/s/{pk}/remove/"
        for pk in Signboard.objects.filter(village=village).values_list("pk", flat=True)
    ]
    wanted = {f"/v/{village.code}/", f"/v/{village.code}/signs/new/", "/outbox/", *forms}
    assert wanted <= set(kept), sorted(wanted - set(kept))


def record_offline(page, live_server, sign, photo=None):
    page.goto(f"{live_server.url}/s/{sign.pk}/remove/")
    if photo:
        page.evaluate("() => document.addEventListener('photo-ready', () => { window.ready = 1 })")
        page.locator('input[name="photo"]').set_input_files(photo)
        page.wait_for_function("() => window.ready === 1")
    page.get_by_role("button", name="保存摘除记录").click()
    expect(page.get_by_test_id("outbox-flash")).to_contain_text("已保存在本机")


def badge(page):
    return page.get_by_test_id("outbox-badge")


def counts():
    return (Removal.objects.count(), Signboard.objects.count(), SubmittedForm.objects.count())


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
    for title in ("廉洁工作站", "村务监督站", "妇女之家"):
        record_offline(page, live_server, sign_of(village, title), camera_file)
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
    page.screenshot(path=_shot("offline-village"), full_page=True)
    page.goto(f"{live_server.url}/outbox/")
    expect(page.get_by_test_id("outbox-entry")).to_have_count(5)  # the bulk is one entry
    page.screenshot(path=_shot("offline-outbox"), full_page=True)

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
    photo_posts = [len(r.post_data_buffer or b"") for r in sent if "/remove/" in r.url]
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
    page.screenshot(path=_shot("offline-conflict"), full_page=True)

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


def _shot(name: str) -> str:
    from .conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(exist_ok=True)
    return str(SCREENSHOTS / f"{name}-phone.png")


def test_one_bar_of_signal_a_send_that_fails_waits_in_the_outbox(phone_app, live_server, village):
    """Online as far as the phone knows, but the requests die: nothing typed is lost, and the
    resend (whose first try the server had saved) writes nothing twice."""
    page = phone_app
    sign_in(page, live_server, "staff_offline")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    sign = sign_of(village, "农家书屋")
    tries = []

    def weak_signal(route):
        tries.append(route.request.headers.get("x-outbox"))
        if len(tries) == 1:
            route.fetch()  # the server saves it; the answer never arrives
            route.abort("timedout")
        elif len(tries) == 2:
            route.abort("internetdisconnected")  # the village page's first resend
        else:
            route.continue_()

    page.route(re.compile(rf"/s/{sign.pk}/remove/$"), lambda r: (
        weak_signal(r) if r.request.method == "POST" else r.continue_()
    ))  # fmt: skip
    page.goto(f"{live_server.url}/s/{sign.pk}/remove/")
    page.get_by_label("备注").fill("门口那块")
    page.get_by_role("button", name="保存摘除记录").click()
    expect(page.get_by_test_id("outbox-flash")).to_contain_text("网络信号太弱")
    expect(badge(page)).to_have_text("1 条待上传")
    expect(page.locator(f'[data-sign-id="{sign.pk}"] [data-testid=outbox-state]')).to_be_visible()
    assert Removal.objects.filter(signboard=sign).count() == 1  # saved, unbeknown to the phone
    # A few seconds on, the outbox tries again by itself, and the page shows what the server has.
    expect(page.get_by_test_id("outbox-flash")).to_contain_text("已上传 1 条", timeout=20_000)
    expect(badge(page)).to_be_hidden()
    # Each try through the outbox, with the page's own token: the resends were replays.
    assert len(tries) == 3 and set(tries) == {"1"}
    assert Removal.objects.filter(signboard=sign).count() == 1
    assert Removal.objects.get(signboard=sign).note == "门口那块"


def test_without_a_service_worker_the_form_keeps_its_entry_on_the_page(
    browser, live_server, village
):
    """WeChat on an iPhone has no service worker: pages do not open offline, but a form open
    when the signal goes keeps its entry, says so, and sends it from the next page opened."""
    from .conftest import PHONE, close_page, open_page

    page = open_page(browser, "phone", viewport=PHONE, service_workers="block")
    try:
        sign_in(page, live_server, "staff_offline")
        sign = sign_of(village, "科普站")
        page.goto(f"{live_server.url}/s/{sign.pk}/remove/")
        page.context.set_offline(True)
        page.get_by_role("button", name="保存摘除记录").click()
        expect(page.get_by_test_id("outbox-flash")).to_contain_text("已保存在本机")
        expect(page.get_by_role("button", name="保存摘除记录")).to_be_disabled()
        expect(badge(page)).to_have_text("1 条待上传")
        page.context.set_offline(False)  # back online: sent from this page, which reloads
        expect(page.get_by_test_id("outbox-flash")).to_contain_text("已上传 1 条")
        expect(badge(page)).to_be_hidden()
        assert Removal.objects.filter(signboard=sign).count() == 1
    finally:
        close_page(page)


def test_the_outbox_and_offline_pages_read_well_at_both_widths(
    page, live_server, village, screenshot
):
    sign_in(page, live_server, "staff_offline")
    page.goto(f"{live_server.url}/outbox/")
    expect(page.get_by_test_id("outbox-empty")).to_have_text("没有待上传的记录。")
    expect(badge(page)).to_be_hidden()
    screenshot("outbox-empty")
    page.goto(f"{live_server.url}/offline/")
    expect(page.get_by_role("heading", name="没有网络")).to_be_visible()
    expect(page.get_by_test_id("nav-town")).to_have_count(0)  # drawn as for nobody
    screenshot("offline-page")


def test_without_javascript_the_plain_form_records_a_removal_with_a_photo(
    browser, live_server, village
):
    """Progressive enhancement: no script, no worker, no outbox; the form posts as it always
    has, and the server makes the camera's photo small."""
    from .conftest import PHONE

    context = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, "staff_offline")
        sign = sign_of(village, "妇女之家")
        page.goto(f"{live_server.url}/s/{sign.pk}/remove/")
        out = io.BytesIO()
        Image.new("RGB", (2400, 1800), (90, 120, 150)).save(out, "JPEG", quality=90)
        page.locator('input[name="photo"]').set_input_files(
            {"name": "IMG_0002.JPG", "mimeType": "image/jpeg", "buffer": out.getvalue()}
        )
        page.get_by_role("button", name="保存摘除记录").click()
        expect(page.locator(".alert-success")).to_contain_text("已登记“妇女之家”的摘除")
        removal = Removal.objects.get(signboard=sign)
        assert removal.photo and removal.photo_thumb
        assert max(Image.open(removal.photo.path).size) == 1600
        assert SubmittedForm.objects.count() == 1  # its page's own token, spent once
    finally:
        context.close()
