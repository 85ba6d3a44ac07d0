"""Headless Chromium (Debian's, never a downloaded one) driven by Playwright."""

import os
from pathlib import Path

import pytest

from tests.browser.a11y import A11yWatch

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
    with page.expect_navigation():  # signed in (or the form again) before the next step
        page.get_by_role("button", name="登录").click()


def open_page(browser, viewport_name: str, **context_options):
    """A page in a context of its own, watched for CSP blocks and accessibility problems.

    The service worker (docs/offline.md) is blocked unless `service_workers="allow"`: it is
    tested in test_offline.py, and elsewhere would only add its fetches to each test's time.
    The pages' own outbox script runs everywhere."""
    context_options.setdefault("service_workers", "block")
    context = browser.new_context(locale="zh-CN", **context_options)
    a11y = A11yWatch()
    a11y.attach(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.viewport_name = viewport_name
    page.a11y = a11y
    a11y.watch(page)
    page.csp_blocked = watch_csp(page)
    return page


def close_page(page) -> None:
    """Fail on anything the CSP blocked or any accessibility problem of a page visited."""
    context = page.context
    problems = page.a11y.problems(context)
    context.close()
    assert not page.csp_blocked, f"blocked by the Content Security Policy: {page.csp_blocked}"
    assert not problems, "accessibility problems:\n" + "\n".join(problems)


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def page(request, browser):
    page = open_page(browser, request.node.callspec.id, viewport=request.param)
    yield page
    close_page(page)


@pytest.fixture
def phone(browser):
    """A 375 px touch phone, checked like `page`."""
    page = open_page(browser, "phone", viewport=PHONE, has_touch=True, is_mobile=True)
    yield page
    close_page(page)


@pytest.fixture
def phone_app(browser):
    """The phone with the service worker running: the app as installed (docs/offline.md)."""
    page = open_page(
        browser, "phone", viewport=PHONE, has_touch=True, is_mobile=True, service_workers="allow"
    )
    yield page
    close_page(page)


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under screenshots/ (git-ignored) for a person to look at."""

    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}-{page.viewport_name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
