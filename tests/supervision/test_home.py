"""The supervision's front page and the nav link to it."""

import datetime as dt

import pytest
from django.urls import reverse

from signs.models import Removal, Signboard
from supervision.choices import ReviewStatus, Severity
from supervision.models import (
    Finding,
    RemovalReview,
    Visit,
    VisitRound,
    VisitVillage,
    WorkItem,
    WorkList,
)
from villages import roles

URL = reverse("supervision")


@pytest.fixture
def data(town, other_town, village, reviewer):
    """Town A: one returned and one pending removal, one open item, one open finding;
    town B: the same open item and finding, which A's staff must not count."""
    sign = Signboard.objects.create(
        village=village, title="廉洁工作站", kind="guidance", inventoried_on=dt.date(2024, 1, 2)
    )
    other = Signboard.objects.create(
        village=village, title="科普宣传室", kind="guidance", inventoried_on=dt.date(2024, 1, 2)
    )
    returned = Removal.objects.create(
        signboard=sign, removed_on=dt.date(2024, 3, 1), reason="low_demand"
    )
    Removal.objects.create(signboard=other, removed_on=dt.date(2024, 3, 1), reason="low_demand")
    RemovalReview.objects.create(
        removal=returned,
        status=ReviewStatus.RETURNED,
        comment="照片不清",
        reviewed_by=reviewer,
        reviewed_at=dt.datetime(2024, 3, 5, tzinfo=dt.UTC),
    )
    work_list = WorkList.objects.create(
        year=2024, month=3, title="3月清单", due_on=dt.date(2024, 3, 31)
    )
    visit_round = VisitRound.objects.create(year=2024, quarter=1, seed=1)
    for t in (town, other_town):
        WorkItem.objects.create(work_list=work_list, town=t, text="复核上墙制度")
        visit = Visit.objects.create(round=visit_round, town=t, visited_on=dt.date(2024, 3, 20))
        v = village if t == town else t.villages.create(code=f"{t.code}201", name="百合村")
        Finding.objects.create(
            visit_village=VisitVillage.objects.create(visit=visit, village=v),
            problem="宣传栏过期",
            severity=Severity.MINOR,
            action="清理",
        )


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_staff_see_their_own_townships_work(client, staff, data):
    client.force_login(staff)
    response = client.get(URL)
    assert response.status_code == 200
    assert (response.context["returned"], response.context["open_items"]) == (1, 1)
    assert response.context["open_findings"] == 1
    # Its one village waits on a returned and a pending removal: not 销号.
    assert (response.context["closed"], response.context["villages"]) == (0, 1)
    page = response.content.decode()
    assert reverse("review_returned", args=[staff.town_staff.town.code]) in page
    assert reverse("review_queue") not in page


def test_reviewers_see_the_queue_and_the_years_rounds(client, reviewer, data):
    client.force_login(reviewer)
    response = client.get(URL)
    assert response.context["pending"] == 1  # the returned one waits for the township
    assert response.context["latest_list"].title == "3月清单"
    assert reverse("review_queue") in response.content.decode()


def test_user_without_township_or_review_role_gets_404(client, make_user, data):
    client.force_login(make_user("auditor_x", role=roles.AUDIT_ADMIN))
    assert client.get(URL).status_code == 404


def test_the_nav_links_here_for_staff_and_reviewers_only(client, staff, make_user):
    client.force_login(staff)
    assert (
        'data-testid="nav-supervision"' in client.get(reverse("home"), follow=True).content.decode()
    )
    client.force_login(make_user("admin_x", role=roles.SYSTEM_ADMIN))
    page = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="nav-supervision"' not in page


def test_reviewers_see_the_year_of_the_latest_round(client, reviewer, data):
    client.force_login(reviewer)
    response = client.get(URL)
    assert response.context["year"] == 2024
    assert (response.context["coverage"].rounds, response.context["coverage"].villages_covered) == (
        1,
        2,
    )
