"""The guidance-visit pages: who sees what, the writes they make, and their query counts."""
# The fixtures imported from test_visits_services are parameters here, which F811 takes
# for redefinitions.
# ruff: noqa: F811

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from signs.models import Signboard
from supervision.models import Finding, Rebound, Visit, VisitRound, VisitVillage
from supervision.services import visits as services
from tests.helpers import with_token
from villages import roles
from villages.models import AuditEntry

from .test_visits_services import a1_visit, area, make_round, visit_round  # noqa: F401  (fixtures)


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def admin_user(make_user):
    return make_user("sysadmin", role=roles.SYSTEM_ADMIN)


@pytest.fixture
def finding(area, a1_visit) -> Finding:
    return services.finding_record(
        visit_village=a1_visit,
        user=area.reviewers[0],
        problem="<b>制度牌</b>未更新",
        severity="major",
        action="按汇编更新",
    )


def visit_of(visit_round, town) -> Visit:
    return visit_round.visits.get(town=town)


def is_login(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("login"))


# --- anonymous and outsiders ------------------------------------------------------------------


def test_every_page_sends_anonymous_users_to_login(area, a1_visit, finding):
    visit = a1_visit.visit
    urls = [
        reverse("visit_rounds"),
        reverse("visit_round_create"),
        reverse("not_looked_at"),
        reverse("visit_round", args=[visit.round_id]),
        reverse("visit_detail", args=[visit.pk]),
        reverse("finding_create", args=[a1_visit.pk]),
        reverse("rebound_create", args=[a1_visit.pk]),
        reverse("finding_close", args=[finding.pk]),
        reverse("followups", args=[area.towns["a"].code]),
    ]
    for url in urls:
        assert is_login(Client().get(url)), url
        assert is_login(Client().post(url, with_token())), url


def test_a_user_without_township_or_role_gets_404(area, a1_visit, make_user):
    nobody = client_for(make_user("nobody", role=roles.TOWN_STAFF))
    for url in (
        reverse("visit_rounds"),
        reverse("not_looked_at"),
        reverse("visit_round", args=[a1_visit.visit.round_id]),
        reverse("visit_detail", args=[a1_visit.visit_id]),
        reverse("followups", args=[area.towns["a"].code]),
    ):
        assert nobody.get(url).status_code == 404, url


# --- rounds -----------------------------------------------------------------------------------


def test_reviewer_sees_every_round_with_the_years_coverage(
    area, visit_round, django_assert_max_num_queries
):
    make_round(area, quarter=1, seed=3)
    client = client_for(area.reviewers[0])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("visit_rounds"), {"year": 2024})
    assert response.status_code == 200
    assert len(response.context["rounds"]) == 2
    assert response.context["coverage"].rounds == 2
    assert response.context["coverage"].towns_covered == 3
    assert response.context["can_create"]
    assert "2024年第2季度调研指导" in response.content.decode()


def test_rounds_open_on_the_latest_rounds_year_not_an_empty_current_year(area, visit_round):
    client = client_for(area.reviewers[0])
    for params in ({}, {"year": "abc"}, {"year": "1900"}):
        response = client.get(reverse("visit_rounds"), params)
        assert response.context["year"] == visit_round.year == 2024
        assert response.context["coverage"].rounds == 1
    assert client.get(reverse("visit_rounds"), {"year": 2025}).context["coverage"].rounds == 0


def test_rounds_open_on_this_year_before_any_round(area):
    response = client_for(area.reviewers[0]).get(reverse("visit_rounds"))
    assert response.context["year"] == timezone.localdate().year


def test_staff_see_only_their_townships_visits(area, visit_round, finding):
    response = client_for(area.staff["b"]).get(reverse("visit_rounds"))
    assert response.status_code == 200
    visits = response.context["visits"]
    assert [v.town for v in visits] == [area.towns["b"]]
    assert visits[0].n_findings == 0  # town A's finding is not B's
    assert "rounds" not in response.context


def test_round_page_shows_each_township_to_reviewers_and_own_to_staff(
    area, visit_round, finding, django_assert_max_num_queries
):
    url = reverse("visit_round", args=[visit_round.pk])
    client = client_for(area.reviewers[1])
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert [v.town.code for v in response.context["visits"]] == [
        "450181100", "450181101", "450181102",
    ]  # fmt: skip
    page = response.content.decode()
    for visit in visit_round.visits.all():
        for vv in visit.villages.all():
            assert vv.village.name in page
    response = client_for(area.staff["a"]).get(url)
    assert [v.town for v in response.context["visits"]] == [area.towns["a"]]
    assert response.context["visits"][0].n_findings == 1


def test_round_without_the_staffers_township_is_404(area, visit_round):
    other = VisitRound.objects.create(year=2024, quarter=3, seed=1)
    Visit.objects.create(round=other, town=area.towns["a"], visited_on=dt.date(2024, 8, 1))
    url = reverse("visit_round", args=[other.pk])
    assert client_for(area.staff["b"]).get(url).status_code == 404
    assert client_for(area.staff["a"]).get(url).status_code == 200


def _round_post(**fields):
    data = {
        "year": 2024,
        "quarter": 3,
        "seed": 4242,
        "villages_per_town": 2,
        "inspectors_per_visit": 2,
        "visited_on": "2024-08-15",
    }
    return with_token({**data, **fields})


def test_round_create_previews_then_saves_the_same_draw(area):
    client = client_for(area.reviewers[0])
    url = reverse("visit_round_create")
    form = client.get(url).context["form"]
    assert form["seed"].value() and form["villages_per_town"].value() == 2
    data = _round_post()
    preview = client.post(url, {**data, "preview": "1"})
    assert preview.status_code == 200
    assert not VisitRound.objects.exists()
    drawn = {p.town.code: [v.code for v in p.villages] for p in preview.context["preview"].towns}
    response = client.post(url, data)
    visit_round = VisitRound.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("visit_round", args=[visit_round.pk])
    saved = {
        v.town.code: sorted(v.villages.values_list("village__code", flat=True))
        for v in visit_round.visits.all()
    }
    assert saved == drawn
    again = client.post(url, data)  # the same form sent twice writes once
    assert again.status_code == 302
    assert VisitRound.objects.count() == 1


def test_round_create_shows_the_services_refusal(area, visit_round):
    client = client_for(area.reviewers[0])
    response = client.post(reverse("visit_round_create"), _round_post(quarter=2))
    assert response.status_code == 200
    assert "该季度已有一轮调研指导" in response.content.decode()
    response = client.post(reverse("visit_round_create"), _round_post(visited_on="2024-01-05"))
    assert "调研日期须在该季度内" in response.content.decode()
    assert VisitRound.objects.count() == 1


def test_round_create_is_for_reviewers_only(area, admin_user):
    for user in (area.staff["a"], admin_user):
        client = client_for(user)
        assert client.get(reverse("visit_round_create")).status_code == 404
        assert client.post(reverse("visit_round_create"), _round_post()).status_code == 404
    assert not VisitRound.objects.exists()


# --- a township's visit -----------------------------------------------------------------------


def test_visit_page_scoped_to_the_township(area, visit_round, finding):
    a = visit_of(visit_round, area.towns["a"])
    url = reverse("visit_detail", args=[a.pk])
    assert client_for(area.staff["b"]).get(url).status_code == 404
    response = client_for(area.staff["a"]).get(url)
    assert response.status_code == 200
    assert response.context["can_close"] and not response.context["can_record"]
    page = response.content.decode()
    assert f'data-testid="close-{finding.pk}"' in page
    assert "&lt;b&gt;制度牌&lt;/b&gt;" in page  # user text is escaped
    response = client_for(area.reviewers[0]).get(url)
    assert response.context["can_record"] and not response.context["can_close"]
    assert f'data-testid="close-{finding.pk}"' not in response.content.decode()


def test_reviewer_corrects_a_visits_date_and_inspectors(area, visit_round, admin_user):
    visit = visit_of(visit_round, area.towns["a"])
    url = reverse("visit_edit", args=[visit.pk])
    client = client_for(area.reviewers[0])
    form = client.get(url).context["form"]
    assert form["visited_on"].value() == visit.visited_on
    data = with_token(visited_on="2024-05-21", inspectors=[area.reviewers[2].pk], note="走访村委")
    response = client.post(url, data)
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.visited_on == dt.date(2024, 5, 21)
    assert list(visit.inspectors.all()) == [area.reviewers[2]]
    outside = client.post(
        url, with_token(visited_on="2024-09-01", inspectors=[area.reviewers[2].pk])
    )
    assert outside.status_code == 200 and "调研日期须在该季度内" in outside.content.decode()
    for user in (area.staff["a"], admin_user):
        assert client_for(user).post(url, data).status_code == 404
    assert client_for(area.staff["a"]).get(url).status_code == 404


def test_visit_page_query_count_does_not_grow_with_findings(
    area, visit_round, a1_visit, django_assert_max_num_queries
):
    for n in range(6):
        services.finding_record(
            visit_village=a1_visit, user=area.reviewers[0], problem=f"p{n}", severity="minor",
            action="a",
        )  # fmt: skip
    services.rebound_record(
        visit_village=a1_visit,
        user=area.reviewers[0],
        removal=area.removal,
        found_on=dt.date(2024, 4, 11),
    )
    client = client_for(area.reviewers[0])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("visit_detail", args=[a1_visit.visit_id]))
    assert response.content.decode().count('data-testid="finding"') == 7


def test_reviewer_records_a_finding(area, a1_visit):
    url = reverse("finding_create", args=[a1_visit.pk])
    client = client_for(area.reviewers[1])
    assert client.get(url).status_code == 200
    data = with_token(problem="台账缺照片", severity="minor", action="补拍", due_on="2024-06-30")
    response = client.post(url, data)
    assert response.status_code == 302
    assert response.url == reverse("visit_detail", args=[a1_visit.visit_id])
    finding = Finding.objects.get()
    assert (finding.problem, finding.recorded_by) == ("台账缺照片", area.reviewers[1])
    assert client.post(url, data).status_code == 302  # sent twice: written once
    assert Finding.objects.count() == 1


def test_finding_form_shows_errors(area, a1_visit):
    client = client_for(area.reviewers[1])
    url = reverse("finding_create", args=[a1_visit.pk])
    response = client.post(
        url, with_token(problem="p", severity="minor", action="a", due_on="2024-01-01")
    )
    assert response.status_code == 200
    assert "整改期限不能早于调研日期" in response.content.decode()
    assert not Finding.objects.exists()


def test_only_reviewers_write_findings_and_rebounds(area, a1_visit, admin_user):
    data = with_token(problem="p", severity="minor", action="a")
    for name in ("finding_create", "rebound_create"):
        url = reverse(name, args=[a1_visit.pk])
        for user in (area.staff["a"], area.staff["b"]):
            assert client_for(user).get(url).status_code == 404
            assert client_for(user).post(url, data).status_code == 404
        # The administrator reads the page, without a form, and cannot send one.
        response = client_for(admin_user).get(url)
        assert response.status_code == 200 and not response.context["can_record"]
        assert client_for(admin_user).post(url, data).status_code == 404
    assert not Finding.objects.exists()


def test_reviewer_records_a_rebound_and_the_village_page_shows_it_behind(area, a1_visit):
    village_url = reverse("village", args=[area.villages["a1"].code])
    staff = client_for(area.staff["a"])
    assert staff.get(village_url).context["removable_count"] == 0
    url = reverse("rebound_create", args=[a1_visit.pk])
    client = client_for(area.reviewers[0])
    form = client.get(url).context["form"]
    assert list(form.fields["removal"].queryset) == [area.removal]
    assert form["found_on"].value() == a1_visit.visit.visited_on
    response = client.post(url, with_token(removal=area.removal.pk, found_on="2024-04-11", note=""))
    assert response.status_code == 302
    rebound = Rebound.objects.get()
    assert rebound.signboard.title == "廉洁工作站"
    assert staff.get(village_url).context["removable_count"] == 1
    assert "不再达标" in client.get(response.url).content.decode()


def test_rebound_form_refuses_another_villages_removal(area, a1_visit):
    client = client_for(area.reviewers[0])
    url = reverse("rebound_create", args=[a1_visit.pk])
    signs_before = Signboard.objects.count()
    response = client.post(url, with_token(removal=area.other_removal.pk, found_on="2024-04-11"))
    assert response.status_code == 200  # not a choice of this village's form
    assert response.context["form"].errors["removal"]
    assert Signboard.objects.count() == signs_before
    assert not Rebound.objects.exists()


# --- closing and follow-ups -------------------------------------------------------------------


def test_staff_close_their_townships_finding(area, finding):
    url = reverse("finding_close", args=[finding.pk])
    for user in (area.staff["b"], area.reviewers[0]):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).post(url, with_token(note="x")).status_code == 404
    client = client_for(area.staff["a"])
    assert client.get(url).status_code == 200
    empty = client.post(url, with_token(note=" "))
    assert empty.status_code == 200 and empty.context["form"].errors
    response = client.post(url + "?back=followups", with_token(note="已按汇编更新"))
    assert response.status_code == 302
    assert response.url == reverse("followups", args=[area.towns["a"].code])
    finding.refresh_from_db()
    assert finding.closing_note == "已按汇编更新" and finding.closed_by == area.staff["a"]
    again = client.get(url)  # an old page: says so, writes nothing
    assert again.status_code == 302
    assert AuditEntry.objects.filter(action="visits.finding_close").count() == 1


def test_followups_list_the_townships_open_findings(area, finding, django_assert_max_num_queries):
    url = reverse("followups", args=[area.towns["a"].code])
    assert client_for(area.staff["b"]).get(url).status_code == 404
    client = client_for(area.staff["a"])
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.context["open"] == [finding]
    assert response.context["can_close"]
    response = client_for(area.reviewers[0]).get(url)
    assert response.context["open"] == [finding] and not response.context["can_close"]
    b = client_for(area.reviewers[0]).get(reverse("followups", args=[area.towns["b"].code]))
    assert b.context["open"] == []


# --- what was not looked at -------------------------------------------------------------------


def test_not_looked_at_for_reviewers_covers_every_township(
    area, visit_round, django_assert_max_num_queries
):
    client = client_for(area.reviewers[0])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("not_looked_at"), {"year": 2024})
    report = response.context["report"]
    assert len(report.towns) == 17
    visited = VisitVillage.objects.count()
    assert report.not_this_year == 6 - visited
    assert report.unverified_removals == 2
    last_year = client.get(reverse("not_looked_at"), {"year": 2023}).context["report"]
    assert last_year.not_this_year == 6
    assert last_year.never_visited == 6 - visited


def test_not_looked_at_for_staff_is_their_township_only(area, visit_round):
    response = client_for(area.staff["b"]).get(reverse("not_looked_at"), {"year": 2024})
    report = response.context["report"]
    assert [row.town for row in report.towns] == [area.towns["b"]]
    assert report.unverified_removals == 1
    assert area.villages["a1"].name not in response.content.decode()
