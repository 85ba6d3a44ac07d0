"""The annual assessment's figures on a small data set whose every number is worked out by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from signs import selectors as signs_selectors
from signs.models import Removal, Signboard
from signs.tallies import rebuild_all_tallies
from supervision.models import (
    AssessmentRemark,
    AssessmentWeight,
    Finding,
    Rebound,
    Visit,
    VisitRound,
    VisitVillage,
    WorkItem,
    WorkList,
)
from supervision.selectors.assessment import (
    AssessmentRow,
    as_of_for,
    assessment,
    percent,
    rank_rows,
    weighted_score,
    weights,
)
from villages.models import Town, Village

D = Decimal
UTC = dt.UTC


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def sign(village, title, *, on=dt.date(2024, 1, 2), removed_on=None) -> Signboard:
    board = Signboard.objects.create(
        village=village, title=title, kind="guidance", location="外墙", inventoried_on=on
    )
    if removed_on:
        Removal.objects.create(signboard=board, removed_on=removed_on, reason="low_demand")
    return board


def rebound(visit_village, *, removed: Signboard, again: Signboard, found_on) -> Rebound:
    finding = Finding.objects.create(
        visit_village=visit_village, problem="牌子又挂上了", action="再次摘除",
        closed_at=utc(found_on.year, found_on.month, found_on.day, 8), closing_note="已摘",
    )  # fmt: skip
    return Rebound.objects.create(
        visit_village=visit_village,
        removal=removed.removals.get(),
        signboard=again,
        finding=finding,
        found_on=found_on,
    )


def visit(year, quarter, town, *villages) -> list[VisitVillage]:
    round_, _ = VisitRound.objects.get_or_create(year=year, quarter=quarter, defaults={"seed": 1})
    v = Visit.objects.create(round=round_, town=town, visited_on=dt.date(year, quarter * 3, 1))
    return [VisitVillage.objects.create(visit=v, village=village) for village in villages]


def item(work_list, town, *, done_at=None) -> WorkItem:
    return WorkItem.objects.create(
        work_list=work_list, town=town, text="清理反弹牌子", done_at=done_at,
        done_note="已完成" if done_at else "",
    )  # fmt: skip


@dataclass
class Data:
    a: Town  # 横州镇: a bit of everything
    b: Town  # 百合镇: all done but one late work-list item
    c: Town  # 那阳镇: no villages, nothing at all
    d: Town  # 南乡镇: like 那阳镇, to tie with it
    towns: list[Town]


@pytest.fixture
def data(fixtures_loaded) -> Data:
    """Three townships and an empty fourth, in 2024, with a little of 2023 and 2025 that must
    not count. The figures worked out by hand are in the tests below."""
    a, b, c, d = (Town.objects.get(code=f"4501811{n:02d}") for n in (0, 1, 2, 3))
    a1 = Village.objects.create(town=a, code="450181100201", name="城东村")
    a2 = Village.objects.create(town=a, code="450181100202", name="城西村")
    b1 = Village.objects.create(town=b, code="450181101201", name="百合村")

    # Signs. 横州镇: s1, s3, s4 (the rebound, taken down again) and s5 (a 2023 rebound,
    # taken down) are removed; s2 is still up in 城东村.
    sign(a1, "廉洁工作站", removed_on=dt.date(2024, 3, 1))
    sign(a1, "益农信息社")
    s3 = sign(a2, "科普宣传室", removed_on=dt.date(2024, 4, 1))
    s4 = sign(a2, "科普宣传室", on=dt.date(2024, 6, 1), removed_on=dt.date(2024, 6, 10))
    s0 = sign(a1, "志愿者服务站", on=dt.date(2023, 1, 2), removed_on=dt.date(2023, 3, 1))
    s5 = sign(a1, "志愿者服务站", on=dt.date(2023, 11, 5), removed_on=dt.date(2023, 11, 20))
    sign(b1, "基层立法联系点", removed_on=dt.date(2024, 5, 1))

    # Visits: 2023 Q4 found s5 in 城东村; 2024 Q2 found s4 in 城西村.
    (old,) = visit(2023, 4, a, a1)
    rebound(old, removed=s0, again=s5, found_on=dt.date(2023, 11, 5))
    Finding.objects.create(visit_village=old, problem="旧问题", action="整改")  # 2023: ignored
    vv_a2, vv_a1 = visit(2024, 2, a, a2, a1)
    rebound(vv_a2, removed=s3, again=s4, found_on=dt.date(2024, 6, 1))  # its finding closed
    Finding.objects.create(visit_village=vv_a1, problem="制度牌过多", action="精简")  # open
    Finding.objects.create(
        visit_village=vv_a1, problem="指引牌重复", action="合并",
        closed_at=utc(2025, 1, 5, 2), closing_note="已合并",
    )  # closed only after the year: open at 2024-12-31  # fmt: skip

    # Work lists: an item done at 23:30 in Hengzhou on the due day is on time; 00:30 the
    # next day is late.
    jan = WorkList.objects.create(year=2024, month=1, title="一月清单", due_on=dt.date(2024, 1, 31))
    feb = WorkList.objects.create(year=2024, month=2, title="二月清单", due_on=dt.date(2024, 2, 29))
    dec = WorkList.objects.create(
        year=2023, month=12, title="十二月清单", due_on=dt.date(2023, 12, 31)
    )
    item(jan, a, done_at=utc(2024, 1, 31, 15, 30))  # 2024-01-31 23:30 local: on time
    item(jan, a, done_at=utc(2024, 1, 31, 16, 30))  # 2024-02-01 00:30 local: late
    item(feb, a)  # never done
    item(feb, a, done_at=utc(2024, 2, 10, 2))  # on time
    item(dec, a)  # 2023: ignored
    item(jan, b, done_at=utc(2024, 2, 5, 2))  # late

    AssessmentRemark.objects.create(town=b, year=2024, remarks="成效明显")
    AssessmentRemark.objects.create(town=a, year=2023, remarks="去年的意见")
    rebuild_all_tallies()  # rows written with the ORM, as a bulk load would: tallies rebuilt
    return Data(a=a, b=b, c=c, d=d, towns=[a, b, c, d])


def by_code(rows: list[AssessmentRow]) -> dict[str, AssessmentRow]:
    return {row.town.code: row for row in rows}


def test_the_weights_come_from_the_database_in_indicator_order(db):
    assert weights() == {
        "progress": 30,
        "meeting": 25,
        "no_rebound": 15,
        "work_on_time": 15,
        "findings_closed": 15,
    }
    AssessmentWeight.objects.filter(indicator="progress").update(weight=40)
    assert weights()["progress"] == 40


def test_as_of_is_the_year_end_or_today():
    today = timezone.localdate()
    assert as_of_for(2024) == dt.date(2024, 12, 31)
    assert as_of_for(today.year) == today
    assert as_of_for(today.year + 1) == today  # never the future


def test_percent_and_score_round_half_up_and_nothing_counts_as_full():
    assert percent(1, 3) == D("33.3")
    assert percent(2, 3) == D("66.7")
    assert percent(0, 0) == D("100.0")
    values = {"a": D("80.0"), "b": D("33.3")}
    assert weighted_score(values, {"a": 1, "b": 1}) == D("56.7")  # 56.65 → 56.7
    assert weighted_score(values, {"a": 0, "b": 0}) == D("0.0")


def test_township_with_a_bit_of_everything(data):
    row = by_code(assessment(year=2024, towns=data.towns))[data.a.code]
    # Removed s0, s1, s3, s4, s5 (5) against s2 still up (1): 5 ÷ 6.
    assert row.progress == D("83.3")
    assert row.meeting == D("50.0")  # 城西村 meets, 城东村 (s2) does not
    assert row.rebounds == 1  # 2024's in 城西村; 城东村's was found in 2023
    assert row.no_rebound == D("50.0")  # 城东村 of 2 villages
    assert row.work_on_time == D("50.0")  # 23:30 local and 10 Feb of 4 items
    assert row.findings_closed == D("33.3")  # the rebound's of 3 (one closed in 2025)
    # (30×83.3 + 25×50 + 15×50 + 15×50 + 15×33.3) ÷ 100 = 5748.5 ÷ 100 = 57.485 → 57.5
    assert row.score == D("57.5")
    assert row.remarks == ""  # 2023's remarks are not 2024's


def test_progress_and_meeting_are_the_dashboards_figures(data):
    rows = by_code(assessment(year=2024, towns=data.towns))
    for progress in signs_selectors.town_progress(as_of=dt.date(2024, 12, 31), towns=data.towns):
        row = rows[progress.town.code]
        assert row.progress == progress.progress
        assert row.meeting == progress.villages_meeting_percent


def test_other_townships_and_ties(data):
    rows = assessment(year=2024, towns=data.towns)
    b, c, d = (by_code(rows)[t.code] for t in (data.b, data.c, data.d))
    assert (b.progress, b.meeting, b.no_rebound, b.findings_closed) == (D("100.0"),) * 4
    assert b.work_on_time == D("0.0")  # its one item was done late
    assert b.score == D("85.0")  # (3000 + 2500 + 1500 + 0 + 1500) ÷ 100
    assert b.remarks == "成效明显"
    # No villages: nothing to remove (100%), no village meets (0%), nothing else to count.
    assert (c.progress, c.meeting, c.no_rebound, c.work_on_time, c.findings_closed) == (
        D("100.0"), D("0.0"), D("100.0"), D("100.0"), D("100.0"),
    )  # fmt: skip
    assert c.score == d.score == D("75.0")
    assert [(row.town.code, row.rank) for row in rows] == [
        (data.b.code, 1),
        (data.c.code, 2),
        (data.d.code, 2),  # tied with 那阳镇: same rank, in code order
        (data.a.code, 4),
    ]


def test_new_weights_change_scores_and_ranks(data):
    AssessmentWeight.objects.all().update(weight=0)
    AssessmentWeight.objects.filter(indicator="work_on_time").update(weight=100)
    rows = assessment(year=2024, towns=data.towns)
    assert [(row.town.code, row.score, row.rank) for row in rows] == [
        (data.c.code, D("100.0"), 1),
        (data.d.code, D("100.0"), 1),
        (data.a.code, D("50.0"), 3),
        (data.b.code, D("0.0"), 4),
    ]


def test_rank_is_competition_ranking(fixtures_loaded):
    towns = list(Town.objects.order_by("code")[:5])
    scores = ["90.0", "80.0", "95.5", "80.0", "70.0"]
    rows = [
        AssessmentRow(town=t, progress=D(0), meeting=D(0), no_rebound=D(0), work_on_time=D(0),
                      findings_closed=D(0), rebounds=0, score=D(s))
        for t, s in zip(towns, scores, strict=True)
    ]  # fmt: skip
    ranked = rank_rows(list(reversed(rows)))
    assert [(row.town.code, row.rank) for row in ranked] == [
        (towns[2].code, 1),
        (towns[0].code, 2),
        (towns[1].code, 3),
        (towns[3].code, 3),
        (towns[4].code, 5),
    ]


def test_another_year_has_its_own_figures(data):
    row = by_code(assessment(year=2023, towns=data.towns))[data.a.code]
    # 31 Dec 2023: s0 and s5 removed, nothing else inventoried yet; both villages meet.
    assert (row.progress, row.meeting) == (D("100.0"), D("100.0"))
    assert row.rebounds == 1 and row.no_rebound == D("50.0")
    assert row.work_on_time == D("0.0")  # the December item, never done
    assert row.findings_closed == D("50.0")  # the rebound's closed, the other open
    assert row.remarks == "去年的意见"


def test_all_townships_by_default(data):
    rows = assessment(year=2024)
    assert len(rows) == Town.objects.count() == 17
    assert sorted(row.rank for row in rows)[0] == 1
    # Ranked among all 17: the 15 townships without villages tie with 那阳镇.
    assert by_code(rows)[data.c.code].rank == by_code(rows)[data.d.code].rank


@pytest.mark.parametrize("this_year", [False, True], ids=["past year", "this year"])
def test_query_count_does_not_grow_with_townships(data, django_assert_max_num_queries, this_year):
    year = timezone.localdate().year if this_year else 2024
    for n, town in enumerate(Town.objects.all()):
        village = Village.objects.create(town=town, code=f"{town.code}9{n:02d}", name=f"村{n}")
        sign(village, "廉洁工作站", removed_on=dt.date(2024, 3, 1))
        WorkList.objects.get_or_create(
            year=year, month=3, defaults={"title": "三月清单", "due_on": dt.date(year, 3, 31)}
        )
        item(WorkList.objects.get(year=year, month=3), town)
    with django_assert_max_num_queries(10):
        rows = assessment(year=year)
    assert len(rows) == 17


def test_an_item_not_yet_due_counts_only_once_done(fixtures_loaded):
    """This year: an open item on a list due after today cannot be late yet; done, it counts."""
    today = timezone.localdate()
    if today >= dt.date(today.year, 12, 31):
        pytest.skip("on 31 December every list of the year is due")
    town = Town.objects.order_by("code").first()
    due = WorkList.objects.create(
        year=today.year, month=1, title="一月", due_on=dt.date(today.year, 1, 31)
    )
    later = WorkList.objects.create(
        year=today.year, month=12, title="十二月", due_on=dt.date(today.year, 12, 31)
    )
    item(due, town, done_at=utc(today.year, 1, 20, 2))
    open_item = item(later, town)
    row = by_code(assessment(year=today.year))[town.code]
    assert row.work_on_time == D("100.0")  # the December item waits, not late
    item(due, town)  # past its due date and not done: late
    assert by_code(assessment(year=today.year))[town.code].work_on_time == D("50.0")
    WorkItem.objects.filter(pk=open_item.pk).update(
        done_at=utc(today.year, 1, 21, 2), done_note="提前完成"
    )
    assert by_code(assessment(year=today.year))[town.code].work_on_time == D("66.7")


def test_rates_with_nothing_to_count_are_shown_as_none_but_score_as_full(data):
    rows = by_code(assessment(year=2024, towns=data.towns))
    a, c = rows[data.a.code], rows[data.c.code]
    # 那阳镇 has no villages, no work-list items and no findings in 2024.
    assert c.nothing_to_count == {"no_rebound", "work_on_time", "findings_closed"}
    shown = c.shown_values()
    assert (shown["no_rebound"], shown["work_on_time"], shown["findings_closed"]) == (None,) * 3
    assert shown["progress"] == D("100.0") and shown["meeting"] == D("0.0")
    assert c.indicator_values()["work_on_time"] == D("100.0")  # the score's full mark
    assert [value for _label, value in c.indicators][2:] == [None, None, None]
    # A township with something to count shows every figure.
    assert a.nothing_to_count == frozenset()
    assert None not in a.shown_values().values()
