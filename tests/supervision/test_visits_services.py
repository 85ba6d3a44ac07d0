"""Guidance visits: the 两随机 draw, rounds, findings, rebounds and closing findings.

The fixtures here (`area`) are shared by the other test_visits_* modules.
"""

import datetime as dt
import random
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from signs import selectors as signs_selectors
from signs import services as signs_services
from signs.models import Removal, Signboard, VillageTally
from supervision.choices import Severity
from supervision.models import Finding, Rebound, Visit, VisitRound, VisitVillage
from supervision.services import visits as services
from villages import roles
from villages.models import AuditEntry, Town, Village


@dataclass
class Area:
    """Town A (3 villages), B (2 villages), C (1 village); three reviewers; staff of A and B.

    Village a1 has a sign removed on 2024-03-01 (it meets the standard), a2 a retained-less
    sign still up.
    """

    towns: dict[str, Town]
    villages: dict[str, Village]
    reviewers: list[User]
    staff: dict[str, User]
    removal: Removal  # in effect, in a1
    other_removal: Removal  # in effect, in b1


@pytest.fixture
def area(fixtures_loaded, make_user) -> Area:
    towns = {key: Town.objects.get(code=f"45018110{n}") for n, key in enumerate("abc")}
    villages = {}
    for key, town in towns.items():
        count = {"a": 3, "b": 2, "c": 1}[key]
        for n in range(1, count + 1):
            villages[f"{key}{n}"] = Village.objects.create(
                town=town, code=f"{town.code}2{n:02d}", name=f"{town.name[:2]}{n}村"
            )
    staff = {
        "a": make_user("staff_a", role=roles.TOWN_STAFF, town=towns["a"]),
        "b": make_user("staff_b", role=roles.TOWN_STAFF, town=towns["b"]),
    }
    reviewers = [make_user(f"reviewer_{n}", role=roles.REVIEWER) for n in (1, 2, 3)]
    removals = []
    for key, title in (("a1", "廉洁工作站"), ("b1", "益农信息社")):
        sign = signs_services.signboard_create(
            village=villages[key],
            user=staff[key[0]],
            kind="guidance",
            title=title,
            location="外墙",
            inventoried_on=dt.date(2024, 1, 2),
        )
        removals.append(
            signs_services.removal_record(
                signboard=sign,
                user=staff[key[0]],
                removed_on=dt.date(2024, 3, 1),
                reason="no_business",
            )
        )
    return Area(towns, villages, reviewers, staff, *removals)


def make_round(area, *, quarter=2, seed=7, year=2024, per_town=2, inspectors=2, on=None):
    if on is None:
        on = services.quarter_bounds(year, quarter)[0] + dt.timedelta(days=10)
    return services.visit_round_create(
        user=area.reviewers[0],
        year=year,
        quarter=quarter,
        seed=seed,
        villages_per_town=per_town,
        inspectors_per_visit=inspectors,
        visited_on=on,
    )


@pytest.fixture
def visit_round(area) -> VisitRound:
    return make_round(area)


@pytest.fixture
def a1_visit(area, visit_round) -> VisitVillage:
    """A visited village a1 (added to town A's visit if the draw left it out)."""
    visit = Visit.objects.get(round=visit_round, town=area.towns["a"])
    vv, _ = VisitVillage.objects.get_or_create(visit=visit, village=area.villages["a1"])
    return vv


def meets_standard(village) -> bool:
    today = timezone.localdate()
    row = signs_selectors.village_progress(
        as_of=today, villages=Village.objects.filter(pk=village.pk)
    ).get()
    tally = VillageTally.objects.get(village=village)
    assert (tally.still_to_remove == 0) == row.meets_standard  # the cache agrees
    return row.meets_standard


# --- the draw ---------------------------------------------------------------------------------


def _draw(area, seed, **kwargs):
    villages = kwargs.pop("villages", list(Village.objects.select_related("town")))
    return services.draw(
        seed=seed,
        villages_per_town=kwargs.pop("villages_per_town", 2),
        inspectors_per_visit=kwargs.pop("inspectors_per_visit", 2),
        villages=villages,
        inspectors=kwargs.pop("inspectors", area.reviewers),
        **kwargs,
    )


def _codes(result):
    return [
        (part.town.code, [v.code for v in part.villages], [u.username for u in part.inspectors])
        for part in result.towns
    ]


def test_draw_is_reproducible_for_a_seed_whatever_the_input_order(area):
    villages = list(Village.objects.select_related("town"))
    first = _draw(area, 2024, villages=villages)
    shuffled = villages[:]
    random.Random(1).shuffle(shuffled)
    again = _draw(area, 2024, villages=shuffled, inspectors=list(reversed(area.reviewers)))
    assert _codes(first) == _codes(again)
    others = {str(_codes(_draw(area, seed))) for seed in range(1, 30)}
    assert len(others) > 1, "the seed must change the draw"


def test_draw_covers_every_township_with_villages_in_code_order(area):
    result = _draw(area, 5, villages_per_town=2)
    assert [part.town.code for part in result.towns] == ["450181100", "450181101", "450181102"]
    assert [len(part.villages) for part in result.towns] == [2, 2, 1]  # C has only one
    for part in result.towns:
        assert {v.town_id for v in part.villages} == {part.town.pk}
        assert len(part.inspectors) == 2
        assert set(part.inspectors) <= set(area.reviewers)
    assert result.village_count == 5


def test_draw_takes_at_least_one_village_and_at_most_the_reviewers_there_are(area):
    result = _draw(area, 5, villages_per_town=0, inspectors_per_visit=9)
    assert [len(part.villages) for part in result.towns] == [1, 1, 1]
    assert all(len(part.inspectors) == 3 for part in result.towns)


def test_draw_avoids_villages_visited_before_and_falls_back_when_too_few(area):
    avoid = frozenset({area.villages["a1"].pk, area.villages["b1"].pk, area.villages["c1"].pk})
    for seed in range(10):
        result = _draw(area, seed, villages_per_town=2, avoid_village_ids=avoid)
        by_town = {part.town.code: {v.code for v in part.villages} for part in result.towns}
        assert area.villages["a1"].code not in by_town["450181100"]  # a2, a3 are enough
        assert by_town["450181101"] == {area.villages["b1"].code, area.villages["b2"].code}
        assert by_town["450181102"] == {area.villages["c1"].code}  # the only one left


# --- rounds -----------------------------------------------------------------------------------


def test_round_create_saves_the_draw_its_seed_reproduces(area):
    visit_round = make_round(area, seed=99, on=dt.date(2024, 4, 15))
    visits = list(visit_round.visits.order_by("town__code"))
    assert [v.town.code for v in visits] == ["450181100", "450181101", "450181102"]
    assert all(v.visited_on == dt.date(2024, 4, 15) for v in visits)
    saved = [
        (
            v.town.code,
            sorted(v.villages.values_list("village__code", flat=True)),
            sorted(v.inspectors.values_list("username", flat=True)),
        )
        for v in visits
    ]
    redo = services.draw(
        seed=99,
        villages_per_town=2,
        inspectors_per_visit=2,
        villages=Village.objects.select_related("town"),
        inspectors=services.reviewers(),
    )
    assert saved == _codes(redo)
    entry = AuditEntry.objects.get(action="visits.round_create")
    assert entry.actor == area.reviewers[0]
    assert entry.after["draw"]["450181102"]["villages"] == [area.villages["c1"].code]


def test_later_rounds_avoid_villages_visited_earlier_in_the_year(fixtures_loaded, make_user):
    """Three rounds of 2 per township over 17 townships of 6 villages: 102 distinct."""
    reviewer = make_user("reviewer_1", role=roles.REVIEWER)
    make_user("reviewer_2", role=roles.REVIEWER)
    Village.objects.bulk_create(
        Village(town=town, code=f"{town.code}2{n:02d}", name=f"{town.name}{n}村")
        for town in Town.objects.all()
        for n in range(1, 7)
    )
    for quarter in (1, 2, 3):
        services.visit_round_create(
            user=reviewer,
            year=2024,
            quarter=quarter,
            seed=quarter * 11,
            villages_per_town=2,
            inspectors_per_visit=2,
            visited_on=dt.date(2024, 3 * quarter, 10),
        )
    visited = VisitVillage.objects.filter(visit__round__year=2024)
    assert visited.count() == 102
    assert visited.values("village").distinct().count() == 102
    # The fourth round has nothing fresh left: it falls back to villages seen before.
    services.visit_round_create(
        user=reviewer,
        year=2024,
        quarter=4,
        seed=1,
        villages_per_town=2,
        inspectors_per_visit=1,
        visited_on=dt.date(2024, 10, 10),
    )
    assert VisitVillage.objects.filter(visit__round__quarter=4).count() == 34


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"on": dt.date(2024, 7, 1)}, "调研日期须在该季度内"),
        ({"quarter": 5, "on": dt.date(2024, 5, 1)}, "季度须在 1 至 4 之间"),
        ({"per_town": 0}, "至少抽取一个村（社区）和一名督导人员"),
    ],
    ids=["outside-quarter", "bad-quarter", "zero-villages"],
)
def test_round_create_refuses_bad_input_and_writes_nothing(area, change, message):
    with pytest.raises(ValidationError) as caught:
        make_round(area, **change)
    assert message in " ".join(caught.value.messages)
    assert not VisitRound.objects.exists()
    assert not AuditEntry.objects.filter(action="visits.round_create").exists()


def test_round_create_refuses_a_future_date(area):
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    _first, last = services.quarter_bounds(today.year, quarter)
    if last == today:
        pytest.skip("the last day of a quarter has no future day in it")
    with pytest.raises(ValidationError) as caught:
        make_round(area, year=today.year, quarter=quarter, on=today + dt.timedelta(days=1))
    assert "调研日期不能晚于今天" in " ".join(caught.value.messages)
    assert not VisitRound.objects.exists()


def test_round_create_refuses_a_second_round_in_the_quarter(area, visit_round):
    with pytest.raises(ValidationError) as caught:
        make_round(area, seed=1)
    assert "该季度已有一轮调研指导" in " ".join(caught.value.messages)
    assert VisitRound.objects.count() == 1
    assert Visit.objects.count() == 3


def test_round_create_refuses_without_active_reviewers(area):
    User.objects.filter(groups__name=roles.REVIEWER).update(is_active=False)
    with pytest.raises(ValidationError) as caught:
        make_round(area)
    assert "没有可抽取的审核员" in " ".join(caught.value.messages)
    assert not VisitRound.objects.exists()


def test_quarter_bounds():
    assert services.quarter_bounds(2024, 1) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert services.quarter_bounds(2024, 4) == (dt.date(2024, 10, 1), dt.date(2024, 12, 31))


def test_visit_update_changes_date_note_and_inspectors(area, visit_round):
    visit = visit_round.visits.get(town=area.towns["a"])
    services.visit_update(
        visit=visit,
        user=area.reviewers[0],
        visited_on=dt.date(2024, 5, 20),
        note=" 走访了村委 ",
        inspectors=[area.reviewers[2]],
    )
    visit.refresh_from_db()
    assert (visit.visited_on, visit.note) == (dt.date(2024, 5, 20), "走访了村委")
    assert list(visit.inspectors.all()) == [area.reviewers[2]]
    assert AuditEntry.objects.filter(action="visits.visit_update", town=area.towns["a"]).exists()
    with pytest.raises(ValidationError):
        services.visit_update(
            visit=visit, user=area.reviewers[0], visited_on=dt.date(2024, 8, 1), note="",
            inspectors=[area.reviewers[2]],
        )  # fmt: skip


# --- findings ---------------------------------------------------------------------------------


def test_finding_record_writes_and_audits(area, a1_visit):
    finding = services.finding_record(
        visit_village=a1_visit,
        user=area.reviewers[1],
        problem=" 台账不全 ",
        severity=Severity.MAJOR,
        action="补齐台账",
        due_on=dt.date(2024, 6, 30),
    )
    assert finding.problem == "台账不全"
    assert finding.recorded_by == area.reviewers[1]
    entry = AuditEntry.objects.get(action="visits.finding")
    assert entry.town == area.towns["a"]
    assert entry.after["severity"] == "major"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"problem": "  "}, "此字段不能为空"),
        ({"due_on": dt.date(2024, 1, 1)}, "整改期限不能早于调研日期"),
        ({"severity": "fatal"}, "不是有效选项"),
    ],
    ids=["blank-problem", "due-before-visit", "bad-severity"],
)
def test_finding_record_refuses_bad_input(area, a1_visit, fields, message):
    data = {"problem": "牌子未摘", "severity": "minor", "action": "摘除", **fields}
    with pytest.raises(ValidationError) as caught:
        services.finding_record(visit_village=a1_visit, user=area.reviewers[0], **data)
    assert message in " ".join(caught.value.messages)
    assert not Finding.objects.exists()


# --- rebounds ---------------------------------------------------------------------------------


def test_rebound_puts_the_sign_back_and_the_village_stops_meeting_the_standard(area, a1_visit):
    village = area.villages["a1"]
    assert meets_standard(village)
    rebound = services.rebound_record(
        visit_village=a1_visit,
        user=area.reviewers[0],
        removal=area.removal,
        found_on=dt.date(2024, 4, 11),
        note="换了新框",
    )
    assert not meets_standard(village)
    sign = rebound.signboard
    old = area.removal.signboard
    assert (sign.village, sign.kind, sign.title, sign.location, sign.approved_item) == (
        old.village, old.kind, old.title, old.location, old.approved_item,
    )  # fmt: skip
    assert sign.inventoried_on == dt.date(2024, 4, 11)
    assert sign.pk != old.pk
    assert rebound.removal == area.removal
    finding = rebound.finding
    assert finding.severity == Severity.SERIOUS
    assert finding.problem.startswith("反弹：廉洁工作站")
    assert "换了新框" in finding.problem
    assert finding.action == "重新摘除并说明原因"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"visits.rebound", "visits.finding", "signboard.create"} <= actions


def test_a_second_rebound_waits_until_the_sign_is_removed_again(area, a1_visit):
    first = services.rebound_record(
        visit_village=a1_visit,
        user=area.reviewers[0],
        removal=area.removal,
        found_on=dt.date(2024, 4, 11),
    )
    with pytest.raises(ValidationError) as caught:
        services.rebound_record(
            visit_village=a1_visit,
            user=area.reviewers[0],
            removal=area.removal,
            found_on=dt.date(2024, 4, 12),
        )
    assert "反弹已登记" in " ".join(caught.value.messages)
    assert Rebound.objects.count() == 1
    signs_services.removal_record(
        signboard=first.signboard,
        user=area.staff["a"],
        removed_on=dt.date(2024, 4, 20),
        reason="no_basis",
    )
    assert meets_standard(area.villages["a1"])
    services.rebound_record(
        visit_village=a1_visit,
        user=area.reviewers[0],
        removal=area.removal,
        found_on=dt.date(2024, 5, 2),
    )
    assert Rebound.objects.count() == 2
    assert not meets_standard(area.villages["a1"])


@pytest.mark.parametrize("case", ["other-village", "revoked", "before-removal", "future"], ids=str)
def test_rebound_refusals_write_nothing(area, a1_visit, case):
    removal, found_on = area.removal, dt.date(2024, 4, 11)
    if case == "other-village":
        removal = area.other_removal
        message = "这条摘除记录属于其他村"
    elif case == "revoked":
        signs_services.removal_revoke(removal=removal, user=area.staff["a"], reason="登记错了")
        message = "这条摘除记录已撤销"
    elif case == "before-removal":
        found_on = dt.date(2024, 2, 1)
        message = "不能早于摘除日期（2024-03-01）"
    else:
        found_on = timezone.localdate() + dt.timedelta(days=1)
        message = "发现日期不能晚于今天"
    signs_before = Signboard.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.rebound_record(
            visit_village=a1_visit, user=area.reviewers[0], removal=removal, found_on=found_on
        )
    assert message in " ".join(caught.value.messages)
    assert Signboard.objects.count() == signs_before
    assert not Rebound.objects.exists()
    assert not Finding.objects.exists()


# --- closing findings -------------------------------------------------------------------------


@pytest.fixture
def finding(area, a1_visit) -> Finding:
    return services.finding_record(
        visit_village=a1_visit,
        user=area.reviewers[0],
        problem="制度牌未按汇编更新",
        severity=Severity.MINOR,
        action="按汇编更新",
    )


def test_township_staff_close_their_finding_once(area, finding):
    services.finding_close(finding=finding, user=area.staff["a"], note=" 已更新 ")
    finding.refresh_from_db()
    assert finding.closed_by == area.staff["a"]
    assert finding.closing_note == "已更新"
    assert finding.closed_at is not None
    entry = AuditEntry.objects.get(action="visits.finding_close")
    assert entry.before["closed_at"] is None and entry.after["closing_note"] == "已更新"
    with pytest.raises(ValidationError) as caught:
        services.finding_close(finding=finding, user=area.staff["a"], note="再关一次")
    assert "已经整改办结" in " ".join(caught.value.messages)
    finding.refresh_from_db()
    assert finding.closing_note == "已更新"


@pytest.mark.parametrize("who", ["staff_b", "reviewer", "no-note"])
def test_finding_close_refusals(area, finding, who):
    user = {"staff_b": area.staff["b"], "reviewer": area.reviewers[0]}.get(who, area.staff["a"])
    note = "  " if who == "no-note" else "已整改"
    with pytest.raises(ValidationError):
        services.finding_close(finding=finding, user=user, note=note)
    finding.refresh_from_db()
    assert finding.closed_at is None
    assert not AuditEntry.objects.filter(action="visits.finding_close").exists()


def test_a_rebounds_finding_closes_only_once_the_sign_is_down_again(area, a1_visit):
    rebound = services.rebound_record(
        visit_village=a1_visit,
        user=area.reviewers[0],
        removal=area.removal,
        found_on=dt.date(2024, 4, 11),
    )
    with pytest.raises(ValidationError) as caught:
        services.finding_close(finding=rebound.finding, user=area.staff["a"], note="已摘")
    assert "仍在墙上" in " ".join(caught.value.messages)
    signs_services.removal_record(
        signboard=rebound.signboard,
        user=area.staff["a"],
        removed_on=dt.date(2024, 4, 20),
        reason="no_basis",
    )
    services.finding_close(finding=rebound.finding, user=area.staff["a"], note="已摘")
    assert Finding.objects.get(pk=rebound.finding.pk).closed_at is not None
