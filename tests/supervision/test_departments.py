# ruff: noqa: F811 (the fixtures of test_visits_services are imported by name)
"""The department report (docs/definitions.md, "Departments"): figures pinned on a hand-built
set, totals equal to the removals and rebounds counted, and where the department is recorded."""

import datetime as dt

import pytest
from django.db.models import ProtectedError

from signs import selectors as signs_selectors
from signs import services as signs_services
from signs.models import ApprovedItem, Department, Signboard, Standard
from signs.tallies import rebuild_all_tallies
from supervision.models import Rebound
from supervision.selectors.departments import department_report
from supervision.services import visits as services

from .test_visits_services import a1_visit, area, visit_round  # noqa: F401

AS_OF = dt.date(2024, 6, 30)


@pytest.fixture
def departments(area):  # noqa: F811
    """Two departments of the example's 13 asked for the area's two signs (a1 and b1); a third
    sign (a2), asked for by the first, is removed too; a fourth (b2) names none."""
    civil = Department.objects.get(name="市民政局")
    police = Department.objects.get(name="市公安局")
    Signboard.objects.filter(pk=area.removal.signboard_id).update(requested_by=civil)
    Signboard.objects.filter(pk=area.other_removal.signboard_id).update(requested_by=police)
    rebuild_all_tallies()  # the updates above bypass the services, which keep the copies
    for key, title, department in (("a2", "老年协会", civil), ("b2", "农民夜校", None)):
        sign = signs_services.signboard_create(
            village=area.villages[key], user=area.staff[key[0]], kind="guidance", title=title,
            inventoried_on=dt.date(2024, 1, 2), requested_by=department,
        )  # fmt: skip
        signs_services.removal_record(
            signboard=sign, user=area.staff[key[0]], removed_on=dt.date(2024, 3, 2),
            reason="no_business",
        )  # fmt: skip
    return {"civil": civil, "police": police}


def rows_by_name(report):
    return {(row.department.name if row.department else None): row for row in report.rows}


def test_figures_per_department_on_a_hand_built_set(area, departments, a1_visit):  # noqa: F811
    services.rebound_record(
        visit_village=a1_visit, user=area.reviewers[0], removal=area.removal,
        found_on=dt.date(2024, 4, 11),
    )  # fmt: skip
    report = department_report(as_of=AS_OF)
    rows = rows_by_name(report)
    assert len(report.rows) == 14  # the example's 13 departments, then 未注明
    civil, police, unnamed = rows["市民政局"], rows["市公安局"], rows[None]
    assert (civil.removed, civil.rebounds, civil.villages) == (2, 1, 2)  # a1 and a2
    assert civil.rebound_percent == 50.0
    assert (police.removed, police.rebounds, police.villages) == (1, 0, 1)
    assert (unnamed.removed, unnamed.rebounds, unnamed.villages) == (1, 0, 1)
    assert rows["市妇女联合会"].removed == 0 and rows["市妇女联合会"].rebound_percent is None
    # The standard's items each department owns (the example's map, fixtures/standard_example).
    assert "村规民约" in civil.items and "警务室" in police.items
    owned = sum(len(row.items) for row in report.rows)
    assert owned == signs_selectors.standard_items().count()


def test_totals_equal_the_removals_and_rebounds_counted(area, departments, a1_visit):  # noqa: F811
    services.rebound_record(
        visit_village=a1_visit, user=area.reviewers[0], removal=area.removal,
        found_on=dt.date(2024, 4, 11),
    )  # fmt: skip
    report = department_report(as_of=AS_OF)
    assert report.total.removed == signs_selectors.city_progress(as_of=AS_OF).removed == 4
    assert report.total.rebounds == Rebound.objects.count() == 1


def test_dates_and_townships_bound_the_figures(area, departments):  # noqa: F811
    before = rows_by_name(department_report(as_of=dt.date(2024, 3, 1)))
    assert before["市民政局"].removed == 1  # a2's removal is dated 03-02
    town_b = rows_by_name(department_report(as_of=AS_OF, towns=[area.towns["b"]]))
    assert (town_b["市民政局"].removed, town_b["市公安局"].removed, town_b[None].removed) == (
        0, 1, 1,
    )  # fmt: skip


def test_a_rebound_counts_for_the_department_of_the_sign_that_came_back(
    area,
    departments,
    a1_visit,  # noqa: F811
):
    rebound = services.rebound_record(
        visit_village=a1_visit, user=area.reviewers[0], removal=area.removal,
        found_on=dt.date(2024, 4, 11),
    )  # fmt: skip
    assert rebound.signboard.requested_by == departments["civil"]
    # Corrected on the sign that came back, the rebound moves with it.
    Signboard.objects.filter(pk=rebound.signboard_id).update(requested_by=departments["police"])
    rows = rows_by_name(department_report(as_of=AS_OF))
    assert (rows["市民政局"].rebounds, rows["市公安局"].rebounds) == (0, 1)


def test_query_count_does_not_grow_with_departments(
    area,
    departments,
    django_assert_max_num_queries,  # noqa: F811
):
    Department.objects.bulk_create(Department(name=f"市第{n}局", order=100 + n) for n in range(40))
    with django_assert_max_num_queries(4):
        report = department_report(as_of=AS_OF)
    assert len(report.rows) == 54


def test_a_department_named_by_signs_or_items_cannot_be_deleted(departments):
    with pytest.raises(ProtectedError):
        departments["police"].delete()
    unused = Department.objects.create(name="市第二十局")
    unused.delete()
    standard = Standard.objects.get(is_current=True)
    owner = ApprovedItem.objects.filter(standard=standard).exclude(department=None).first()
    with pytest.raises(ProtectedError):
        owner.department.delete()
