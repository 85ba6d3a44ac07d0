"""The Definitions (docs/definitions.md), pinned on a small hand-built data set."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from signs import selectors
from signs.choices import SignStatus
from signs.models import ApprovedItem, Removal, Signboard
from signs.tallies import rebuild_all_tallies
from villages.models import DemonstrationSite, Town, Village

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def world(town, other_town):
    """Village A: a retained rule, its duplicate, a removal, a revoked removal, a late sign."""
    rule = ApprovedItem.objects.get(standard__is_current=True, kind="rule", number=18)
    plaque = ApprovedItem.objects.get(standard__is_current=True, kind="plaque", number=3)
    a = Village.objects.create(town=town, code="450181100201", name="城东村")
    b = Village.objects.create(town=town, code="450181100202", name="城西村")
    c = Village.objects.create(town=other_town, code="450181101201", name="百合村")

    def sign(village, title, kind, on, item=None):
        return Signboard.objects.create(
            village=village, title=title, kind=kind, inventoried_on=on, approved_item=item
        )

    def removal(signboard, on, **kw):
        return Removal.objects.create(
            signboard=signboard,
            removed_on=on,
            reason="no_business",
            recorded_at=local(on.year, on.month, on.day, 17),
            **kw,
        )

    s = {
        "kept": sign(a, "村规民约", "rule", D(2024, 1, 1), rule),
        "dup": sign(a, "村规民约（旧）", "rule", D(2024, 1, 5), rule),
        "taken": sign(a, "廉洁工作站", "guidance", D(2024, 1, 1)),
        "revoked": sign(a, "脱贫攻坚领导小组", "rule", D(2024, 1, 1)),
        "late": sign(a, "益农信息社", "guidance", D(2024, 6, 1)),
        "b_kept": sign(b, "党员活动室", "plaque", D(2024, 1, 1), plaque),
        "c_taken": sign(c, "科普宣传室", "plaque", D(2024, 1, 1)),
    }
    removal(s["taken"], D(2024, 3, 1))
    # Revoked half an hour after midnight on 10 April in Hengzhou, i.e. 9 April in UTC.
    removal(
        s["revoked"],
        D(2024, 2, 1),
        revoked_at=local(2024, 4, 10, 0, 30),
        revoke_reason="登记错了，牌子仍在",
    )
    removal(s["c_taken"], D(2024, 2, 1))
    DemonstrationSite.objects.create(village=b, year_designated=2024, investment=Decimal("40000"))
    rebuild_all_tallies()  # rows written with the ORM, as a bulk load would: tallies rebuilt
    return {"a": a, "b": b, "c": c, "town": town, "other": other_town, **s}


def figures(village, as_of):
    row = selectors.village_progress(as_of=as_of).get(pk=village.pk)
    return {
        "on_wall": row.on_wall,
        "retained": row.retained,
        "still": row.still_to_remove,
        "removed": row.removed,
        "rule": row.removed_rule,
        "guidance": row.removed_guidance,
        "meets": row.meets_standard,
    }


def test_village_figures_at_a_date(world):
    assert figures(world["a"], D(2024, 3, 1)) == {
        "on_wall": 2,  # the retained rule and its duplicate
        "retained": 1,
        "still": 1,  # the duplicate
        "removed": 2,
        "rule": 1,
        "guidance": 1,
        "meets": False,
    }
    assert figures(world["b"], D(2024, 3, 1))["meets"] is True
    assert figures(world["c"], D(2024, 3, 1)) == {
        "on_wall": 0, "retained": 0, "still": 0, "removed": 1, "rule": 0, "guidance": 1,
        "meets": True,
    }  # fmt: skip


def test_nothing_counts_before_it_happened(world):
    assert figures(world["a"], D(2024, 1, 1)) == {
        "on_wall": 3, "retained": 1, "still": 2, "removed": 0, "rule": 0, "guidance": 0,
        "meets": False,
    }  # fmt: skip
    assert figures(world["c"], D(2024, 1, 31))["meets"] is False


def test_revoked_removal_counts_until_the_local_day_of_revocation(world):
    # 9 April: revoked at 00:30 on 10 April local time (still 9 April in UTC) — in effect.
    assert figures(world["a"], D(2024, 4, 9))["removed"] == 2
    # 10 April: no longer in effect; the sign is up and to remove again.
    assert figures(world["a"], D(2024, 4, 10))["removed"] == 1
    assert figures(world["a"], D(2024, 4, 10))["still"] == 2


def test_sign_inventoried_after_the_date_is_not_counted(world):
    assert figures(world["a"], D(2024, 5, 31))["still"] == 2
    assert figures(world["a"], D(2024, 6, 1))["still"] == 3


def test_statuses(world):
    rows = selectors.signboards_at(
        as_of=D(2024, 3, 1), signboards=Signboard.objects.filter(village=world["a"])
    )
    status = {row.title: row.status for row in rows}
    assert status == {
        "村规民约": SignStatus.RETAINED,
        "村规民约（旧）": SignStatus.DUPLICATE,
        "廉洁工作站": SignStatus.REMOVED,
        "脱贫攻坚领导小组": SignStatus.REMOVED,
    }
    still = selectors.still_to_remove(as_of=D(2024, 4, 10))
    assert {s.title for s in still} == {"村规民约（旧）", "脱贫攻坚领导小组"}


def test_duplicate_is_the_later_sign_even_when_entered_first(world):
    # Entered after the others but hung earlier: it becomes the retained one.
    older = Signboard.objects.create(
        village=world["a"],
        title="村规民约（最早）",
        kind="rule",
        inventoried_on=D(2023, 12, 1),
        approved_item=world["kept"].approved_item,
    )
    rows = selectors.signboards_at(as_of=D(2024, 3, 1), signboards=Signboard.objects.all())
    status = {row.pk: row.status for row in rows}
    assert status[older.pk] == SignStatus.RETAINED
    assert status[world["kept"].pk] == SignStatus.DUPLICATE


def test_township_progress_and_coverage(world):
    rows = {row.town.code: row for row in selectors.town_progress(as_of=D(2024, 3, 1))}
    assert len(rows) == 17
    mine = rows[world["town"].code]
    assert (mine.villages, mine.villages_meeting, mine.removed, mine.still_to_remove) == (
        2,
        1,
        2,
        1,
    )
    assert mine.progress == Decimal("66.7")
    assert mine.fully_covered is False
    assert mine.last_removed_on == D(2024, 3, 1)
    other = rows[world["other"].code]
    assert other.fully_covered is True
    assert other.progress == Decimal("100.0")
    # A township without villages is not "covered".
    assert rows["450181204"].fully_covered is False


@pytest.mark.parametrize("as_of", [D(2024, 1, 1), D(2024, 3, 1), D(2024, 4, 9), D(2024, 6, 1)])
def test_township_rows_agree_with_their_villages(world, as_of):
    """Two ways of counting (per village, per township) must give the same figures."""
    villages = list(selectors.village_progress(as_of=as_of))
    for row in selectors.town_progress(as_of=as_of):
        mine = [v for v in villages if v.town_id == row.town.pk]
        assert row.villages == len(mine)
        assert row.villages_meeting == sum(v.meets_standard for v in mine)
        for name in ("on_wall", "retained", "still_to_remove", "removed", "removed_rule"):
            assert getattr(row, name) == sum(getattr(v, name) for v in mine), name
        dates = [v.last_removed_on for v in mine if v.last_removed_on]
        assert row.last_removed_on == max(dates, default=None)


@pytest.mark.parametrize("as_of", [D(2024, 1, 1), D(2024, 3, 1), D(2024, 4, 9), D(2024, 6, 1)])
def test_the_ledger_rows_agree_with_the_per_village_definitions(world, as_of):
    """The one-pass SQL of the 台账 (village_rows_at, sign_rows_at) against the ORM's."""
    rows = selectors.village_rows_at(as_of=as_of)
    retained = selectors.signboards_at(as_of=as_of).filter(status=SignStatus.RETAINED)
    present = {}
    for sign in retained.select_related("approved_item"):
        rules, plaques = present.get(sign.village_id, (0, 0))
        kind = sign.approved_item.kind
        present[sign.village_id] = (rules + (kind == "rule"), plaques + (kind == "plaque"))
    for v in selectors.village_progress(as_of=as_of):
        row = rows.get(v.pk, selectors.VillageRow())
        assert (row.still_to_remove, row.removed, row.removed_rule, row.meets_standard) == (
            v.still_to_remove,
            v.removed,
            v.removed_rule,
            v.meets_standard,
        )
        assert (row.retained_rules, row.retained_plaques) == present.get(v.pk, (0, 0))
    statuses = {s.title: s.status for s in selectors.signboards_at(as_of=as_of)}
    signs = list(selectors.sign_rows_at(as_of=as_of))
    assert {title: status for _t, _n, _v, title, _k, _l, status, *_ in signs} == statuses
    for *_, status, _item, on, _reason, _photo, _note, _department in signs:
        assert (on is not None) == (status == "removed") and (on is None or on <= as_of)


def test_a_sign_removed_twice_at_a_date_counts_once(world):
    """A backdated new removal and a later-revoked old one can both cover a date."""
    Removal.objects.create(
        signboard=world["revoked"],
        removed_on=D(2024, 3, 15),
        reason="damaged",
        recorded_at=local(2024, 4, 12, 9),
    )
    assert figures(world["a"], D(2024, 3, 20))["removed"] == 2
    city = selectors.city_progress(as_of=D(2024, 3, 20))
    assert city.removed == 3


def test_city_headline(world):
    city = selectors.city_progress(as_of=D(2024, 3, 1))
    assert (city.villages, city.villages_meeting) == (3, 2)
    assert (city.removed, city.removed_rule, city.removed_guidance) == (3, 1, 2)
    assert city.still_to_remove == 1
    assert city.progress == Decimal("75.0")
    assert (city.towns, city.towns_fully_covered) == (17, 1)
    assert city.demonstration_sites == 1
    assert selectors.yuan_to_wan(city.investment) == Decimal("4.00")


def test_city_scoped_to_towns(world):
    scoped = selectors.city_progress(as_of=D(2024, 3, 1), towns=[world["other"]])
    assert (scoped.villages, scoped.removed, scoped.towns, scoped.towns_fully_covered) == (
        1, 1, 1, 1,
    )  # fmt: skip
    assert scoped.demonstration_sites == 0


def test_checklist(world):
    items = selectors.village_checklist(village=world["a"], as_of=D(2024, 3, 1))
    present = {item.title for item in items if item.present}
    assert present == {"村规民约"}
    counts = selectors.standard_counts()
    assert len(items) == counts["rule"] + counts["plaque"] + counts["organization"]


def test_progress_percent_edges():
    assert selectors.progress_percent(0, 0) == Decimal("100.0")
    assert selectors.progress_percent(1, 2) == Decimal("33.3")
    assert selectors.progress_percent(0, 5) == Decimal("0.0")


def test_end_of_day_is_local_midnight():
    assert selectors.end_of_day(D(2024, 4, 9)) == dt.datetime(2024, 4, 9, 16, tzinfo=dt.UTC)


@pytest.mark.parametrize("villages", [3, 30])
def test_query_counts_do_not_grow_with_villages(world, villages, django_assert_num_queries):
    town = Town.objects.get(code="450181102")
    Village.objects.bulk_create(
        Village(town=town, code=f"450181102{n:03d}", name=f"村{n}") for n in range(villages)
    )
    with django_assert_num_queries(1):
        list(selectors.village_progress(as_of=D(2024, 3, 1)))
    # A past date sums each village's row of its latest change day (VillageDayTally).
    with django_assert_num_queries(3):
        selectors.town_progress(as_of=D(2024, 3, 1))
    with django_assert_num_queries(4):
        selectors.city_progress(as_of=D(2024, 3, 1))


def test_township_figures_are_plain_ints_on_every_path(db, town, village):
    """PostgreSQL's SUM gives numeric; the past-date path must still hand out ints."""
    Signboard.objects.create(
        village=village, title="益农信息社", kind="guidance", inventoried_on=dt.date(2024, 1, 2)
    )
    rebuild_all_tallies()
    for as_of in (dt.date(2024, 6, 30), timezone.localdate()):
        row = next(r for r in selectors.town_progress(as_of=as_of) if r.town == town)
        for name in ("on_wall", "retained", "still_to_remove", "removed", "removed_rule"):
            assert type(getattr(row, name)) is int, (as_of, name)
        assert all(type(n) is int for n in row.removed_kinds.values())
