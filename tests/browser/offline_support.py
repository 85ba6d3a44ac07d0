"""What the offline browser tests share (test_offline.py, test_offline_fallbacks.py)."""

import datetime as dt

from playwright.sync_api import expect

from signs import readings
from signs.models import Removal, Signboard
from utilities.models import SubmittedForm
from villages import roles
from villages.models import Town, Village

from .conftest import SCREENSHOTS, sign_in


def make_village(make_user, settings, tmp_path, monkeypatch) -> Village:
    """城东村 with six signs to remove, a staffer who will go offline and a colleague online;
    photos saved under tmp_path, and the reader (拍照识牌) sees nothing in them."""
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
    """No network: Chromium's offline mode, which holds for the service worker's fetches too
    (the kept pages open from its cache, test_offline.py)."""
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


def shot(name: str) -> str:
    """Where a phone screenshot of the offline pages goes (screenshots/, git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    return str(SCREENSHOTS / f"{name}-phone.png")
