"""The dashboard: headline figures, township rows, as-of behaviour, chart data, query counts."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from signs import selectors
from tests.signs.test_selectors import world  # noqa: F401  (the hand-built data set)
from villages import roles
from villages.models import Town, Village

D = dt.date
URL = reverse("dashboard")


@pytest.fixture
def as_reviewer(client, reviewer):
    client.force_login(User.objects.get(username="reviewer_a"))
    return client


def get(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_headline_figures(as_reviewer, world):  # noqa: F811
    ctx = get(as_reviewer, as_of="2024-03-01").context
    totals = ctx["totals"]
    assert (totals.villages, totals.villages_meeting, totals.villages_meeting_percent) == (
        3, 2, Decimal("66.7"),
    )  # fmt: skip
    assert (totals.removed, totals.removed_rule, totals.removed_guidance) == (3, 1, 2)
    assert (totals.still_to_remove, totals.progress) == (1, Decimal("75.0"))
    assert (totals.towns_fully_covered, totals.towns) == (1, 17)
    assert (totals.demonstration_sites, ctx["investment_wan"]) == (1, Decimal("4.00"))
    assert dict(ctx["kinds"]) == {
        "上墙制度牌": 1, "功能室牌子": 1, "功能性指引牌": 1, "机构(机制)牌子": 0,
        "荣誉牌": 0, "其他": 0,
    }  # fmt: skip
    page = get(as_reviewer, as_of="2024-03-01").content.decode()
    for text in (
        'data-testid="villages-meeting">2 / 3<',
        'data-testid="removed">3<',
        'data-testid="towns-covered">1 / 17<',
        'data-testid="investment">4.00<',
    ):
        assert text in page, text  # fmt: skip


def test_township_rows_are_the_selectors(as_reviewer, world):  # noqa: F811
    table = get(as_reviewer, as_of="2024-03-01").context["table"]
    rows = {row.town.code: row for row in table.data}
    expected = {row.town.code: row for row in selectors.town_progress(as_of=D(2024, 3, 1))}
    assert rows.keys() == expected.keys() and len(rows) == 17
    for code, row in rows.items():
        assert vars(row) == vars(expected[code])
    mine = rows["450181100"]
    assert (mine.villages, mine.villages_meeting, mine.removed_rule, mine.removed_guidance) == (
        2, 1, 1, 1,
    )  # fmt: skip
    assert (mine.still_to_remove, mine.progress, mine.last_removed_on) == (
        1, Decimal("66.7"), D(2024, 3, 1),
    )  # fmt: skip
    html = get(as_reviewer, as_of="2024-03-01").content.decode()
    assert reverse("town", args=["450181100"]) + "?as_of=2024-03-01" in html


def test_as_of_counts_revoked_removals_until_revoked_and_late_signs_after(as_reviewer, world):  # noqa: F811
    def totals(day):
        return get(as_reviewer, as_of=day).context["totals"]

    assert (totals("2024-04-09").removed, totals("2024-04-10").removed) == (3, 2)
    assert (totals("2024-05-31").still_to_remove, totals("2024-06-01").still_to_remove) == (2, 3)
    assert totals("2024-01-01").removed == 0


def test_table_sorts(as_reviewer, world):  # noqa: F811
    table = get(as_reviewer, as_of="2024-03-01", sort="-still_to_remove").context["table"]
    assert next(iter(table.rows)).record.town.code == "450181100"


def test_chart_data_follows_the_year_and_date(as_reviewer, world):  # noqa: F811
    page = get(as_reviewer, as_of="2024-06-30", year="2024").content.decode()
    start = page.index('<script id="chart-data" type="application/json">')
    data = json.loads(page[page.index(">", start) + 1 : page.index("</script>", start)])
    assert data["months"] == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
    # The revoked removal counts in February and March, not after 10 April.
    assert data["city"]["data"] == [0, 2, 3, 2, 2, 2]
    towns = {t["name"]: t["data"] for t in data["towns"]}
    assert towns["横州镇"] == [0, 1, 2, 1, 1, 1]
    assert towns["百合镇"] == [0, 1, 1, 1, 1, 1]
    assert towns["镇龙乡"] == [0] * 6
    progress = dict(zip(data["progress"]["towns"], data["progress"]["values"], strict=True))
    # 横州镇 on 30 June: 1 removed; the duplicate, the revoked one and the late sign still up.
    assert progress["横州镇"] == 25.0
    assert "2024 年净摘除 2 块" in page


def test_monthly_series_ends_at_the_headline(world):  # noqa: F811
    monthly = selectors.removed_by_month(as_of=D(2024, 9, 6), year=2024)
    assert monthly.ends[-1] == D(2024, 9, 6)
    assert monthly.city[-1] == selectors.city_progress(as_of=D(2024, 9, 6)).removed
    assert (monthly.before_year, monthly.in_year) == (0, 2)
    assert selectors.removed_by_month(as_of=D(2024, 9, 6), year=2025).city == []


def test_a_future_date_is_refused_in_chinese(as_reviewer, world):  # noqa: F811
    from django.utils import timezone

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = get(as_reviewer, as_of=tomorrow.isoformat())
    assert "日期不能晚于今天" in response.content.decode()
    assert response.context["as_of"] == timezone.localdate()


def test_staff_see_their_township_only(client, world, make_user):  # noqa: F811
    make_user("staff_b", role=roles.TOWN_STAFF, town=world["other"])
    client.force_login(User.objects.get(username="staff_b"))
    ctx = get(client, as_of="2024-03-01").context
    assert [row.town.name for row in ctx["table"].data] == ["百合镇"]
    assert (ctx["totals"].villages, ctx["totals"].removed, ctx["totals"].towns) == (1, 1, 1)
    assert "横州镇" not in json.dumps(ctx["charts"], ensure_ascii=False)


@pytest.mark.parametrize("villages", [308, 3000])
def test_query_count_does_not_grow(as_reviewer, world, villages, django_assert_max_num_queries):  # noqa: F811
    towns = list(Town.objects.all())
    Village.objects.bulk_create(
        Village(town=towns[n % 17], code=f"99{n:08d}", name=f"村{n}") for n in range(villages)
    )
    # 22 for progress, charts and supervision; 2 for the books handed out, 6 for the departments.
    with django_assert_max_num_queries(30):
        response = get(as_reviewer, as_of="2024-03-01")
    assert response.context["totals"].villages == villages + 3


def test_definitions_page(as_reviewer):
    html = as_reviewer.get(reverse("definitions")).content.decode()
    assert "<table>" in html and "待摘除" in html and "removal in effect at D" in html
    assert reverse("definitions") in get(as_reviewer).content.decode()


@pytest.mark.django_db
def test_demo_data_has_the_articles_shape(as_reviewer):
    call_command("seed_demo", stdout=io.StringIO())
    totals = get(as_reviewer, as_of="2024-09-06", year="2024").context["totals"]
    assert (totals.towns, totals.villages) == (17, 308)
    assert 3000 <= totals.removed <= 3999
    assert totals.removed_rule >= 2100 and totals.removed_guidance >= 1200
    assert totals.towns_fully_covered == 5


@pytest.mark.django_db
def test_demo_supervision_matches_the_article(as_reviewer):
    """8 work lists, 3 rounds covering 102 villages in all 17 townships, a few rebounds."""
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_supervision", stdout=io.StringIO())
    response = get(as_reviewer, as_of="2024-09-06", year="2024")
    ctx = response.context
    assert ctx["work_lists"] == 8
    assert (ctx["coverage"].rounds, ctx["coverage"].villages_covered) == (3, 102)
    assert ctx["coverage"].towns_covered == 17
    assert 2 <= ctx["rebounds"] <= 6
    page = response.content.decode()
    for text in (
        'data-testid="work-lists">8<',
        'data-testid="visit-rounds">3<',
        'data-testid="villages-visited">102<',
    ):
        assert text in page, text
    review = ctx["review"]
    assert review.verified > 0.9 * review.reported and review.returned > 0
    # Run again: nothing is added.
    out = io.StringIO()
    call_command("seed_supervision", stdout=out)
    assert "未生成" in out.getvalue()
    assert get(as_reviewer, as_of="2024-09-06", year="2024").context["work_lists"] == 8


@pytest.mark.django_db
def test_a_fresh_demo_opens_on_the_campaigns_year_with_its_figures(as_reviewer):
    """The demo's removals are all in 2024: with no year asked for, the dashboard opens on
    2024 (not on an empty current year), and the year field shows it."""
    call_command("seed_demo", "--villages", "40", stdout=io.StringIO())
    response = get(as_reviewer)
    ctx = response.context
    assert ctx["year"] == 2024
    assert ctx["form"]["year"].value() == 2024
    assert ctx["removed_in_year"] > 0
    monthly = ctx["charts"]["city"]["data"]
    assert len(monthly) == 12 and monthly[-1] > monthly[0]  # a rising line, not a flat one
    assert 'value="2024"' in response.content.decode()
    # A year asked for is kept, even an empty one.
    assert get(as_reviewer, year="2025").context["removed_in_year"] == 0


@pytest.mark.django_db
def test_staff_dashboard_opens_on_their_townships_latest_year(client, make_user, town):
    """The default year follows the removals the user may see: none in scope, this year."""
    make_user("staff_x", role=roles.TOWN_STAFF, town=town)
    client.force_login(User.objects.get(username="staff_x"))
    assert get(client).context["year"] == timezone.localdate().year
