"""Reads of the guidance visits: coverage, counts per round and visit, follow-ups, rebounds,
and what nobody has looked at."""
# The fixtures imported from test_visits_services are parameters here, which F811 takes
# for redefinitions.
# ruff: noqa: F811

import datetime as dt

import pytest
from django.utils import timezone

from signs import services as signs_services
from supervision.choices import ReviewStatus, Severity
from supervision.models import RemovalReview, VisitVillage
from supervision.selectors import visits as selectors
from supervision.services import visits as services

from .test_visits_services import a1_visit, area, make_round, visit_round  # noqa: F401  (fixtures)


def visited_codes(visit_round):
    return set(
        VisitVillage.objects.filter(visit__round=visit_round).values_list(
            "village__code", flat=True
        )
    )


def test_coverage_counts_distinct_villages_and_townships_of_the_year(area):
    first = make_round(area, quarter=1, seed=1)
    second = make_round(area, quarter=2, seed=2)
    make_round(area, year=2023, quarter=4, seed=3)
    covered = visited_codes(first) | visited_codes(second)
    result = selectors.coverage(year=2024)
    assert (result.rounds, result.villages_covered, result.towns_covered) == (2, len(covered), 3)
    # Six villages in all: two rounds of two per township (C has one) see every village.
    assert len(covered) == 6
    assert set(selectors.visited_village_ids(year=2024)) == {v.pk for v in area.villages.values()}
    assert selectors.coverage(year=2022).villages_covered == 0
    only_b = selectors.coverage(year=2024, towns=[area.towns["b"]])
    assert (only_b.villages_covered, only_b.towns_covered) == (2, 1)


def test_rounds_and_visits_count_findings_open_findings_and_rebounds(area, a1_visit):
    services.finding_record(
        visit_village=a1_visit, user=area.reviewers[0], problem="p", severity="minor", action="a"
    )
    closed = services.finding_record(
        visit_village=a1_visit, user=area.reviewers[0], problem="q", severity="minor", action="b"
    )
    services.finding_close(finding=closed, user=area.staff["a"], note="已整改")
    services.rebound_record(
        visit_village=a1_visit,
        user=area.reviewers[0],
        removal=area.removal,
        found_on=dt.date(2024, 4, 11),
    )
    row = selectors.rounds(year=2024).get()
    assert (row.n_visits, row.n_findings, row.n_open, row.n_rebounds) == (3, 3, 2, 1)
    assert row.n_villages == VisitVillage.objects.count()
    only_b = selectors.rounds(towns=[area.towns["b"]]).get()
    assert (only_b.n_visits, only_b.n_findings, only_b.n_rebounds) == (1, 0, 0)
    visits = {v.town.code: v for v in selectors.round_visits(visit_round=row)}
    a = visits["450181100"]
    assert (a.n_findings, a.n_open, a.n_rebounds) == (3, 2, 1)
    assert visits["450181101"].n_findings == 0
    staff_view = selectors.town_visits(town=area.towns["a"]).get()
    assert (staff_view.n_findings, staff_view.n_open, staff_view.n_rebounds) == (3, 2, 1)


def test_open_findings_and_rebounds_of_a_year_are_scoped_to_townships(area, a1_visit):
    rebound = services.rebound_record(
        visit_village=a1_visit,
        user=area.reviewers[0],
        removal=area.removal,
        found_on=dt.date(2024, 4, 11),
    )
    assert list(selectors.open_findings(towns=[area.towns["a"]])) == [rebound.finding]
    assert not selectors.open_findings(towns=[area.towns["b"]]).exists()
    assert list(selectors.rebounds_in_year(year=2024)) == [rebound]
    assert not selectors.rebounds_in_year(year=2024, towns=[area.towns["b"]]).exists()
    assert not selectors.rebounds_in_year(year=2023).exists()


def test_removals_to_rebound_leaves_out_signs_already_back_up(area, a1_visit):
    village = area.villages["a1"]
    assert list(selectors.removals_to_rebound(village=village)) == [area.removal]
    rebound = services.rebound_record(
        visit_village=a1_visit,
        user=area.reviewers[0],
        removal=area.removal,
        found_on=dt.date(2024, 4, 11),
    )
    assert not selectors.removals_to_rebound(village=village).exists()
    again = signs_services.removal_record(
        signboard=rebound.signboard,
        user=area.staff["a"],
        removed_on=dt.date(2024, 4, 20),
        reason="no_basis",
    )
    assert set(selectors.removals_to_rebound(village=village)) == {area.removal, again}


def test_not_looked_at_lists_villages_never_and_not_this_year_visited(
    area, django_assert_max_num_queries
):
    old = make_round(area, year=2023, quarter=4, seed=3, per_town=1)
    this_year = make_round(area, year=2024, quarter=1, seed=5, per_town=1)
    seen_2023 = visited_codes(old)
    seen_2024 = visited_codes(this_year)
    with django_assert_max_num_queries(3):
        report = selectors.not_looked_at(year=2024)
        rows = {row.town.code: row for row in report.towns}
    assert len(rows) == 17  # every township, those without villages too
    all_codes = {v.code for v in area.villages.values()}
    never = {v.code for row in report.towns for v in row.never_visited}
    not_this_year = {v.code for row in report.towns for v in row.not_this_year}
    assert never == all_codes - seen_2023 - seen_2024
    assert not_this_year == all_codes - seen_2024
    assert report.villages == 6
    assert (report.never_visited, report.not_this_year) == (len(never), len(not_this_year))
    a = rows["450181100"]
    assert a.villages == 3 and len(a.not_this_year) == 2
    assert rows["450181102"].not_this_year == []  # its one village is visited every round


def test_not_looked_at_counts_removals_awaiting_verification(area, reviewer):
    verified_sign = signs_services.signboard_create(
        village=area.villages["a2"], user=area.staff["a"], kind="other", title="x",
        inventoried_on=dt.date(2024, 1, 2),
    )  # fmt: skip
    verified = signs_services.removal_record(
        signboard=verified_sign,
        user=area.staff["a"],
        removed_on=dt.date(2024, 3, 1),
        reason="no_business",
    )
    RemovalReview.objects.create(
        removal=verified,
        status=ReviewStatus.VERIFIED,
        reviewed_by=reviewer,
        reviewed_at=timezone.now(),
    )
    revoked = signs_services.signboard_create(
        village=area.villages["a3"], user=area.staff["a"], kind="other", title="y",
        inventoried_on=dt.date(2024, 1, 2),
    )  # fmt: skip
    removal = signs_services.removal_record(
        signboard=revoked, user=area.staff["a"], removed_on=dt.date(2024, 3, 1), reason="merged"
    )
    signs_services.removal_revoke(removal=removal, user=area.staff["a"], reason="错了")
    report = selectors.not_looked_at(year=2024)
    rows = {row.town.code: row for row in report.towns}
    # a1's removal waits; a2's is verified; a3's was revoked; b1's waits.
    assert [(v.code, n) for v, n in rows["450181100"].unverified] == [(area.villages["a1"].code, 1)]
    assert rows["450181101"].unverified_removals == 1
    assert report.unverified_removals == 2
    only_a = selectors.not_looked_at(year=2024, towns=[area.towns["a"]])
    assert [row.town.code for row in only_a.towns] == ["450181100"]
    assert only_a.unverified_removals == 1


@pytest.mark.parametrize("severity", [Severity.MINOR])
def test_closed_findings_are_the_latest_closed(area, a1_visit, severity):
    finding = services.finding_record(
        visit_village=a1_visit, user=area.reviewers[0], problem="p", severity=severity, action="a"
    )
    assert selectors.closed_findings(towns=[area.towns["a"]]) == []
    services.finding_close(finding=finding, user=area.staff["a"], note="好了")
    assert selectors.closed_findings(towns=[area.towns["a"]]) == [finding]
    assert not selectors.open_findings(towns=[area.towns["a"]]).exists()
