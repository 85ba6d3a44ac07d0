"""长辈模式 at 375 px, and the keyboard alone: the removal form and the review page.

The accessibility watch of conftest checks each page opened here too (axe, 44 px targets,
no sideways scroll).
"""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from signs import services as signs_services
from signs.models import Removal, Signboard
from supervision.models import RemovalReview
from villages import roles
from villages.models import Village

from .conftest import SCREENSHOTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What a focused control must show (WCAG 2.4.7): an outline at least this wide.
MIN_FOCUS_OUTLINE_PX = 2
CONTROLS = "a[href], button, input:not([type=hidden]), select, textarea"


@pytest.fixture
def field(fixtures_loaded, make_user, town):
    village = Village.objects.create(town=town, code="450181100201", name="城东村")
    staff = make_user("staff_450181100", role=roles.TOWN_STAFF, town=town)
    make_user("reviewer_city", role=roles.REVIEWER)
    signs = [
        signs_services.signboard_create(
            village=village,
            user=staff,
            kind="guidance",
            title=title,
            location=room,
            inventoried_on=dt.date(2024, 1, 2),
        )  # fmt: skip
        for title, room in [("廉洁工作站", "党群服务中心一楼大厅"), ("益农信息社", "外墙")]
    ]
    signs_services.removal_record(
        signboard=signs[1], user=staff, removed_on=dt.date(2024, 3, 1), reason="no_business"
    )
    return village


def shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"large-text-{name}.png"), full_page=True)


def text_metrics(page) -> dict:
    return page.evaluate(
        """() => {
          const body = getComputedStyle(document.body);
          const button = document.querySelector('main .btn');
          return {font: parseFloat(body.fontSize), line: parseFloat(body.lineHeight),
                  button: button ? button.getBoundingClientRect().height : null,
                  width: document.documentElement.scrollWidth};
        }"""
    )


def test_large_text_on_the_phone_is_remembered_and_fits(phone, live_server, field):
    page = phone
    sign_in(page, live_server, "staff_450181100")
    expect(page.get_by_role("heading", name="横州镇")).to_be_visible()
    normal = text_metrics(page)
    assert normal["font"] == 16
    page.get_by_test_id("large-text").tap()
    expect(page.locator("html.large-text")).to_have_count(1)
    expect(page.get_by_test_id("large-text")).to_have_attribute("aria-pressed", "true")

    pages = [
        ("village", f"/v/{field.code}/", "village-name"),
        ("removal-form", f"/s/{Signboard.objects.get(title='廉洁工作站').pk}/remove/", None),
        ("dashboard", "/dashboard/", "towns-covered"),
    ]
    for name, path, testid in pages:
        page.goto(live_server.url + path)
        if testid:
            expect(page.get_by_test_id(testid)).to_be_visible()
        metrics = text_metrics(page)
        assert metrics["font"] >= 18, (name, metrics)
        assert metrics["line"] >= 1.3 * metrics["font"], (name, metrics)
        assert metrics["button"] is None or metrics["button"] >= 48, (name, metrics)
        assert metrics["width"] <= 375, f"{name} scrolls sideways: {metrics['width']} px"
        shot(page, name)

    # Remembered for the user: a new sign-in (a fresh session) opens in large text.
    page.context.clear_cookies()
    sign_in(page, live_server, "staff_450181100")
    expect(page.locator("html.large-text")).to_have_count(1)
    page.get_by_test_id("large-text").tap()
    expect(page.locator("html.large-text")).to_have_count(0)
    assert text_metrics(page)["font"] == 16


def tab_to(page, selector, limit=80):
    """Press Tab until the element matching `selector` has the focus; return its handle."""
    target = page.locator(selector)
    expect(target).to_have_count(1)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return target
    raise AssertionError(f"{selector} is not reachable by Tab within {limit} presses")


def assert_focus_ring(locator):
    style = locator.evaluate(
        "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert style[0] != "none" and float(style[1].rstrip("px")) >= MIN_FOCUS_OUTLINE_PX, style


def every_control_is_reached_by_tab(page, limit=120):
    """Tab through the page: every visible link, button and field gets the focus once."""
    controls = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
             .filter((el) => el.getClientRects().length && !el.disabled
                             && getComputedStyle(el).visibility !== 'hidden')
             .map((el, i) => { el.dataset.tabProbe = i; return i; })""",
        CONTROLS,
    )
    reached = set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        probe = page.evaluate("() => document.activeElement.dataset.tabProbe")
        if probe is not None:
            reached.add(int(probe))
        if reached == set(controls):
            return
    missing = page.evaluate(
        "ids => ids.map(i => document.querySelector(`[data-tab-probe='${i}']`).outerHTML"
        ".slice(0, 80))",
        sorted(set(controls) - reached),
    )
    raise AssertionError(f"not reachable by Tab: {missing}")


def test_record_a_removal_with_the_keyboard_alone(page, live_server, field):
    sign = Signboard.objects.get(title="廉洁工作站")
    sign_in(page, live_server, "staff_450181100")
    page.goto(live_server.url + f"/v/{field.code}/")
    expect(page.get_by_test_id("village-name")).to_be_visible()
    every_control_is_reached_by_tab(page)

    page.goto(live_server.url + f"/v/{field.code}/")
    link = tab_to(page, f'[data-testid="remove-{sign.pk}"]')
    assert_focus_ring(link)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="摘除“廉洁工作站”")).to_be_visible()
    # Date and reason come filled in; choose another reason with the arrow keys.
    reason = tab_to(page, "#id_reason")
    assert_focus_ring(reason)
    page.keyboard.press("ArrowDown")
    chosen = reason.input_value()
    assert chosen != "no_business"
    save = tab_to(page, 'button[type="submit"]:has-text("保存摘除记录")')
    assert_focus_ring(save)
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("已登记“廉洁工作站”的摘除")
    removal = Removal.objects.get(signboard=sign)
    assert removal.reason == chosen
    assert removal.removed_on == timezone.localdate()


def test_review_with_the_keyboard_alone(page, live_server, field):
    removal = Removal.objects.get(signboard__title="益农信息社")
    sign_in(page, live_server, "reviewer_city")
    page.goto(live_server.url + "/review/")
    expect(page.get_by_test_id("review-queue")).to_be_visible()
    every_control_is_reached_by_tab(page)
    link = tab_to(page, f'[data-removal-id="{removal.pk}"] a:has-text("益农信息社")')
    assert_focus_ring(link)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("review-title")).to_have_text("益农信息社")
    every_control_is_reached_by_tab(page)
    page.goto(page.url)
    verify = tab_to(page, '[data-testid="verify"]')
    assert_focus_ring(verify)
    page.keyboard.press("Enter")
    expect(page.get_by_text("没有其他待核验的记录了")).to_be_visible()
    assert RemovalReview.objects.get(removal=removal).status == "verified"
