"""Headless Chromium (Debian's, never a downloaded one) driven by Playwright."""

import os
from pathlib import Path

import pytest

from tests.helpers import restore_roles

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1366, "height": 900}

# Playwright's sync API runs an event loop in this thread; the ORM calls in these tests are
# made between browser steps, never inside the loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        yield browser
        browser.close()


def watch_csp(page) -> list:
    """The console messages of what the Content Security Policy blocks on `page` (an inline
    script or style): a test fails when the list is not empty at its end."""
    blocked = []
    page.on(
        "console",
        lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return blocked


def sign_in(page, live_server, username, password="pw-Test-2024"):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def page(request, browser):
    context = browser.new_context(viewport=request.param, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.viewport_name = request.node.callspec.id
    blocked = watch_csp(page)
    yield page
    context.close()
    assert not blocked, f"blocked by the Content Security Policy: {blocked}"


@pytest.fixture
def phone(browser):
    """A 375 px touch phone; like `page`, it fails the test on anything the CSP blocks."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.viewport_name = "phone"
    blocked = watch_csp(page)
    yield page
    context.close()
    assert not blocked, f"blocked by the Content Security Policy: {blocked}"


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under screenshots/ (git-ignored) for a person to look at."""

    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}-{page.viewport_name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(autouse=True)
def roles_after_flush(transactional_db):
    """A transactional test starts from a flushed database: put the migration's roles back."""
    restore_roles()
