"""The outbox where the network is worse than none, or the browser less than Chrome (issue 16;
docs/offline.md): one bar of signal, no service worker (WeChat on an iPhone), no JavaScript;
and the outbox and offline pages at both widths."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from signs.models import Removal
from utilities.models import SubmittedForm

from .conftest import sign_in
from .offline_support import badge, make_village, sign_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def village(fixtures_loaded, make_user, settings, tmp_path, monkeypatch):
    return make_village(make_user, settings, tmp_path, monkeypatch)


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
