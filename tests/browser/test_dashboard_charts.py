"""The dashboard's ECharts, served locally, carry exactly the selectors' figures."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from signs import selectors
from signs.models import Removal, Signboard
from signs.tallies import rebuild_all_tallies
from villages import roles
from villages.models import Town, Village

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data(fixtures_loaded, make_user):
    towns = list(Town.objects.all()[:3])
    for n, town in enumerate(towns):
        village = Village.objects.create(town=town, code=f"{town.code}201", name=f"示例村{n}")
        for month in range(1, 4 + n):
            sign = Signboard.objects.create(
                village=village, title=f"牌子{month}", kind="rule",
                inventoried_on=dt.date(2024, 1, 1),
            )  # fmt: skip
            Removal.objects.create(
                signboard=sign, removed_on=dt.date(2024, month, 10), reason="no_business"
            )
        Signboard.objects.create(
            village=village, title="待摘牌子", kind="guidance", inventoried_on=dt.date(2024, 1, 1)
        )
    rebuild_all_tallies()  # the rows above bypass the services, which keep the figures by day
    make_user("reviewer", role=roles.REVIEWER)


def chart_option(page, testid):
    return page.get_by_test_id(testid).evaluate("el => echarts.getInstanceByDom(el).getOption()")


def test_charts_show_the_selectors_figures(page, live_server, data, screenshot):
    blocked = []
    page.route(
        lambda url: not url.startswith(live_server.url),
        lambda route: (blocked.append(route.request.url), route.abort()),
    )
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名").fill("reviewer")
    page.get_by_label("密码").fill("pw-Test-2024")
    page.get_by_role("button", name="登录").click()
    page.goto(live_server.url + "/dashboard/?as_of=2024-06-30&year=2024")
    expect(page.get_by_test_id("chart-monthly").locator("canvas")).to_be_visible()
    expect(page.get_by_test_id("chart-progress").locator("canvas")).to_be_visible()

    as_of = dt.date(2024, 6, 30)
    monthly = selectors.removed_by_month(as_of=as_of, year=2024)
    rows = selectors.town_progress(as_of=as_of)

    option = chart_option(page, "chart-monthly")
    assert option["xAxis"][0]["data"] == [f"2024-{m:02d}" for m in range(1, 7)]
    series = {s["name"]: s["data"] for s in option["series"]}
    assert series["全市合计"] == monthly.city == [3, 6, 9, 11, 12, 12]
    for row in rows:
        assert series[row.town.name] == monthly.by_town.get(row.town.pk, [0] * 6)

    option = chart_option(page, "chart-progress")
    assert option["yAxis"][0]["data"] == [row.town.name for row in rows]
    assert option["series"][0]["data"] == [float(row.progress) for row in rows]

    # A tooltip on hover is drawn too (the page fixture fails on anything the CSP blocks).
    page.get_by_test_id("chart-monthly").hover()
    page.wait_for_function(
        "el => echarts.getInstanceByDom(el).getOption().tooltip[0].renderMode === 'richText'",
        arg=page.get_by_test_id("chart-monthly").element_handle(),
    )
    assert blocked == []  # nothing was fetched from outside the app
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot("dashboard")
