"""A township staffer and a reviewer sign in through the Chinese login page."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from signs.models import Removal, Signboard
from signs.tallies import rebuild_all_tallies
from villages import roles

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def data(fixtures_loaded, make_user, village):
    sign = Signboard.objects.create(
        village=village, kind="guidance", title="廉洁工作站", inventoried_on=dt.date(2024, 1, 2)
    )
    Removal.objects.create(signboard=sign, removed_on=dt.date(2024, 3, 1), reason="no_business")
    make_user("staff_450181100", role=roles.TOWN_STAFF, town=village.town)
    make_user("reviewer", role=roles.REVIEWER)
    rebuild_all_tallies()  # the rows above bypass the services, which keep today's figures


def sign_in(page, live_server, username, password="pw-Test-2024"):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_staff_signs_in_and_sees_own_township(page, live_server, data, screenshot):
    page.goto(live_server.url + "/accounts/login/")
    expect(page.get_by_label("用户名")).to_be_visible()
    screenshot("login")
    sign_in(page, live_server, "staff_450181100")
    # Township staff land on their own township.
    expect(page.get_by_test_id("nav-town")).to_have_text("横州镇")
    expect(page.get_by_role("heading", name="横州镇")).to_be_visible()
    expect(page.get_by_test_id("removed")).to_have_text("1")
    # Bootstrap and app.css came from the app's own static files: the navbar is laid out by
    # Bootstrap and has the app's dark red (white text on it at 6.5:1).
    navbar = page.locator("nav.navbar")
    assert navbar.evaluate("e => getComputedStyle(e).display") == "flex"
    assert navbar.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(176, 42, 55)"
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot("home-staff")


def test_reviewer_signs_in_to_the_city(page, live_server, data, screenshot):
    sign_in(page, live_server, "reviewer")
    expect(page.get_by_test_id("nav-dashboard")).to_be_visible()
    expect(page.get_by_test_id("villages-meeting")).to_have_text("1 / 1")
    expect(page.get_by_test_id("towns-covered")).to_have_text("1 / 17")
    screenshot("home-reviewer")


def test_wrong_password_is_explained(page, live_server, data):
    sign_in(page, live_server, "reviewer", password="nope")
    expect(page.get_by_test_id("login-error")).to_contain_text("请输入一个正确的用户名和密码")


def test_repeated_failures_lock_the_sign_in_with_a_clear_page(page, live_server, data, screenshot):
    for _ in range(4):
        sign_in(page, live_server, "reviewer", password="nope")
        expect(page.get_by_test_id("login-error")).to_be_visible()
    sign_in(page, live_server, "reviewer", password="nope")
    expect(page.get_by_test_id("locked-out")).to_contain_text("连续 5 次登录失败")
    expect(page.get_by_test_id("locked-out")).to_contain_text("30 分钟后再试")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot("locked-out")
    sign_in(page, live_server, "reviewer")  # the right password, still locked
    expect(page.get_by_test_id("locked-out")).to_be_visible()
