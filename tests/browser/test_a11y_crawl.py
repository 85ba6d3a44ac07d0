"""Every kind of page a staffer reaches at 375 px and a reviewer at desktop width, crawled from
the home page over a small demo: the accessibility watch (conftest) checks each one."""

import io
import re
from urllib.parse import urljoin, urlparse

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, close_page, open_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "Hengzhou-2024"
# Downloads, photos, the admin, sign-out and language switches are not pages to check.
SKIP = re.compile(r"\.(xlsx|jpg|jpeg|png|svg)$|/media/|/admin/|/i18n/|/logout/")
MAX_PAGES = 60


def page_kind(path: str) -> str:
    """/v/450181100201/ and /v/450181100202/ are one kind of page: check one of each."""
    return re.sub(r"\d+", "N", path)


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--villages", "40", stdout=io.StringIO())
    call_command("seed_supervision", stdout=io.StringIO())


def crawl(page, live_server) -> set[str]:
    seen, queue = set(), [page.url]
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        path = urlparse(url).path
        if page_kind(path) in seen:
            continue
        seen.add(page_kind(path))
        response = page.goto(url)
        if not response or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        expect(page.locator("main")).to_be_visible()
        page.a11y.wait(page)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            link = urlparse(urljoin(url, href))
            if link.netloc == urlparse(live_server.url).netloc and not SKIP.search(link.path):
                queue.append(f"{live_server.url}{link.path}")
    return seen


@pytest.mark.parametrize(
    "username, viewport, at_least",
    [("staff_450181100", PHONE, 20), ("reviewer", DESKTOP, 28)],
    ids=["staff-phone", "reviewer-desktop"],
)
def test_every_page_reached_passes_the_accessibility_watch(
    browser, live_server, demo, username, viewport, at_least
):
    page = open_page(browser, "phone" if viewport is PHONE else "desktop", viewport=viewport)
    sign_in(page, live_server, username, password=DEMO_PASSWORD)
    expect(page.locator("nav")).to_be_visible()
    kinds = crawl(page, live_server)
    assert len(kinds) >= at_least, sorted(kinds)
    assert len(page.a11y.loaded) >= len(kinds)
    close_page(page)  # fails on any serious axe violation, small target or sideways scroll
