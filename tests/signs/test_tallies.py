"""Today's figures come from VillageTally: every write path must keep it equal to the signs."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from signs import selectors, services
from signs.models import ApprovedItem, Department, Removal, Signboard, VillageTally
from signs.tallies import rebuild_all_tallies
from supervision.selectors.departments import department_report
from villages.models import Village


@pytest.fixture
def item(fixtures_loaded):
    return ApprovedItem.objects.get(standard__is_current=True, kind="plaque", number=3)


def from_signs(monkeypatch, *, towns=None):
    """Today's township rows and kind counts derived from the base tables, not the tallies."""
    today = timezone.localdate()
    with monkeypatch.context() as patch:
        patch.setattr(selectors, "uses_tallies", lambda as_of: False)
        return (
            selectors.town_progress(as_of=today, towns=towns),
            selectors.removed_by_kind(as_of=today, towns=towns),
        )


def assert_copies_equal_signs():
    """Each removal's copies of its sign's village and department equal the sign's."""
    rows = Removal.objects.values_list(
        "sign_village", "signboard__village", "sign_requested_by", "signboard__requested_by"
    )
    assert rows.exists()
    for copied_village, village, copied_department, department in rows:
        assert (copied_village, copied_department) == (village, department)


def assert_tallies_current(monkeypatch):
    if Removal.objects.exists():
        assert_copies_equal_signs()
    today = timezone.localdate()
    assert selectors.uses_tallies(today)
    rows, kinds = from_signs(monkeypatch)
    assert selectors.town_progress(as_of=today) == rows
    assert selectors.removed_by_kind(as_of=today) == kinds
    # And village by village against the ORM's definitions (signboards_at).
    tallies = {t.village_id: t for t in VillageTally.objects.all()}
    for village in selectors.village_progress(as_of=today):
        tally = tallies.get(village.pk, VillageTally())
        for name in ("on_wall", "retained", "still_to_remove", "removed", "removed_rule",
                     "last_removed_on"):  # fmt: skip
            assert getattr(tally, name) == getattr(village, name), (village.name, name)


def test_every_service_keeps_the_tallies_current(monkeypatch, staff, village, other_town, item):
    other = Village.objects.create(town=other_town, code="450181101201", name="百合村")
    kept = services.signboard_create(
        village=village, user=staff, kind="plaque", title="党员活动室", approved_item=item,
        inventoried_on=dt.date(2024, 1, 2),
    )  # fmt: skip
    assert_tallies_current(monkeypatch)
    dup = services.signboard_create(
        village=village, user=staff, kind="plaque", title="党员活动室（旧）", approved_item=item,
        inventoried_on=dt.date(2024, 1, 3),
    )  # fmt: skip
    signs = [
        services.signboard_create(
            village=v, user=staff, kind=kind, title=f"牌子{n}", inventoried_on=dt.date(2024, 1, 2)
        )
        for n, (v, kind) in enumerate([(village, "rule"), (village, "guidance"), (other, "honour")])
    ]
    tally = VillageTally.objects.get(village=village)
    assert (tally.on_wall, tally.retained, tally.still_to_remove) == (4, 1, 3)
    assert_tallies_current(monkeypatch)

    removal = services.removal_record(
        signboard=signs[0], user=staff, removed_on=dt.date(2024, 3, 1), reason="no_business"
    )
    services.removals_record_bulk(
        signboards=[dup, signs[2]], user=staff, removed_on=dt.date(2024, 3, 2), reason="duplicate"
    )
    tally.refresh_from_db()
    assert (tally.removed, tally.removed_rule, tally.removed_plaque) == (2, 1, 1)
    assert tally.last_removed_on == dt.date(2024, 3, 2)
    assert_tallies_current(monkeypatch)

    services.removal_revoke(removal=removal, user=staff, reason="错录")
    tally.refresh_from_db()
    assert (tally.removed, tally.removed_rule, tally.still_to_remove) == (1, 0, 2)
    assert_tallies_current(monkeypatch)
    assert kept.pk  # the retained sign never counted as still to remove


def test_a_village_without_signs_meets_the_standard_without_a_tally(monkeypatch, village):
    assert not VillageTally.objects.exists()
    row = next(r for r in selectors.town_progress(as_of=timezone.localdate()) if r.villages)
    assert (row.villages, row.villages_meeting) == (1, 1)
    assert_tallies_current(monkeypatch)


def test_rebuild_repairs_what_was_written_behind_the_services_back(monkeypatch, village):
    sign = Signboard.objects.create(
        village=village, title="益农信息社", kind="guidance", inventoried_on=dt.date(2024, 1, 2)
    )
    Removal.objects.create(signboard=sign, removed_on=dt.date(2024, 3, 1), reason="no_business")
    rows, _kinds = from_signs(monkeypatch)
    assert selectors.town_progress(as_of=timezone.localdate()) != rows  # stale
    assert rebuild_all_tallies() == 1
    assert_tallies_current(monkeypatch)


def test_an_import_refreshes_the_tallies(monkeypatch, client, staff, village):
    from tests.signs.test_imports import import_url, row, upload, xlsx

    client.force_login(staff)
    rows = [row(title=f"牌子{n}", removed="2024-03-01" if n % 2 else None,
                reason="破损褪色" if n % 2 else None) for n in range(6)]  # fmt: skip
    client.post(upload(client, import_url(), xlsx(rows)).url)
    assert VillageTally.objects.get(village=village).removed == 3
    assert_tallies_current(monkeypatch)


def test_an_admin_edit_refreshes_the_tallies(monkeypatch, client, admin_user, village):
    sign = Signboard.objects.create(
        village=village, title="益农信息社", kind="guidance", inventoried_on=dt.date(2024, 1, 2)
    )
    rebuild_all_tallies()
    client.force_login(admin_user)
    response = client.post(reverse("admin:signs_removal_add"), {
        "signboard": sign.pk, "removed_on": "2024-03-01", "reason": "no_business", "note": "",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    assert VillageTally.objects.get(village=village).removed == 1
    assert_tallies_current(monkeypatch)
    # The sign moved to another village and its department named, in the admin: the
    # removal's copies follow, and the department report with them.
    other = Village.objects.create(town=village.town, code="450181100209", name="城北村")
    civil = Department.objects.get(name="市民政局")
    response = client.post(reverse("admin:signs_signboard_change", args=[sign.pk]), {
        "village": other.pk, "title": sign.title, "kind": sign.kind, "location": "",
        "inventoried_on": "2024-01-02", "requested_by": civil.pk,
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Removal.objects.get().sign_village == other
    assert_tallies_current(monkeypatch)
    rows = department_report(as_of=dt.date(2024, 3, 1)).rows
    assert [(r.department, r.removed, r.villages) for r in rows if r.removed] == [(civil, 1, 1)]


def test_the_dashboard_for_today_reads_the_tallies(client, reviewer, village, staff):
    sign = services.signboard_create(
        village=village, user=staff, kind="guidance", title="廉洁工作站",
        inventoried_on=dt.date(2024, 1, 2),
    )  # fmt: skip
    services.removal_record(
        signboard=sign, user=staff, removed_on=dt.date(2024, 3, 1), reason="no_business"
    )
    VillageTally.objects.filter(village=village).update(removed=42)  # a marker, not the truth
    client.force_login(reviewer)
    assert 'data-testid="removed">42<' in client.get(reverse("dashboard")).content.decode()
    past = client.get(reverse("dashboard"), {"as_of": "2024-06-30"}).content.decode()
    assert 'data-testid="removed">1<' in past  # past dates come from the signs themselves


def test_the_cached_month_chart_follows_every_write(staff, village, django_assert_num_queries):
    today = timezone.localdate()
    sign = services.signboard_create(
        village=village, user=staff, kind="guidance", title="廉洁工作站",
        inventoried_on=today.replace(month=1, day=1),
    )  # fmt: skip
    before = selectors.removed_by_month(as_of=today, year=today.year)
    with django_assert_num_queries(1):  # only the data version: the figures come from the cache
        assert selectors.removed_by_month(as_of=today, year=today.year) == before
    removal = services.removal_record(
        signboard=sign, user=staff, removed_on=today, reason="no_business"
    )
    after = selectors.removed_by_month(as_of=today, year=today.year)
    assert after.city[-1] == before.city[-1] + 1
    services.removal_revoke(removal=removal, user=staff, reason="错录")
    assert selectors.removed_by_month(as_of=today, year=today.year).city[-1] == before.city[-1]


# --- figures by day -------------------------------------------------------------------------


def from_base_tables(monkeypatch, as_of):
    """A past date's township rows derived from the signs, not from the day tallies."""
    with monkeypatch.context() as patch:
        patch.setattr(selectors, "uses_dated_tallies", lambda day: False)
        return selectors.town_progress(as_of=as_of)


def test_day_tallies_equal_the_definitions_after_random_writes(
    monkeypatch, staff, village, other_town, item
):
    """200 writes in random order (signs inventoried in the past, removals backdated or today,
    revocations); then at 20 dates the figures from the day tallies equal those derived from
    the signs, township by township and village by village."""
    import random

    from signs.models import VillageDayTally

    rng = random.Random(19)
    departments = list(Department.objects.all()[:3])
    today = timezone.localdate()
    start = today - dt.timedelta(days=400)
    villages = [village, Village.objects.create(town=other_town, code="450181101201",
                                                name="百合村")]  # fmt: skip
    signs, removals = [], []
    for n in range(200):
        action = rng.random()
        if action < 0.45 or not signs:
            day = start + dt.timedelta(days=rng.randrange(400))
            kind = rng.choice(["rule", "guidance", "plaque", "honour"])
            signs.append(services.signboard_create(
                village=rng.choice(villages), user=staff, kind=kind, title=f"牌子{n}",
                approved_item=item if kind == "plaque" else None, inventoried_on=day,
            ))  # fmt: skip
        elif action < 0.85:
            sign = rng.choice(signs)
            if Removal.objects.in_effect_on(today).filter(signboard=sign).exists():
                continue
            last = (today - sign.inventoried_on).days
            removed_on = sign.inventoried_on + dt.timedelta(days=rng.randrange(last + 1))
            removals.append(services.removal_record(
                signboard=sign, user=staff, removed_on=removed_on, reason="no_business",
                requested_by=rng.choice([None, *departments]),  # named at the wall, or not
            ))  # fmt: skip
        elif removals:
            removal = removals.pop(rng.randrange(len(removals)))
            services.removal_revoke(removal=removal, user=staff, reason="登记错了")
    assert len(signs) > 60 and VillageDayTally.objects.count() > 40
    assert_copies_equal_signs()
    dates = sorted({start - dt.timedelta(days=1), today - dt.timedelta(days=1), *(
        start + dt.timedelta(days=rng.randrange(400)) for _ in range(18))})  # fmt: skip
    for as_of in dates:
        assert selectors.uses_dated_tallies(as_of)
        assert selectors.town_progress(as_of=as_of) == from_base_tables(monkeypatch, as_of), as_of
        by_day = {}
        for t in VillageDayTally.objects.filter(day__lte=as_of).order_by("village", "day"):
            by_day[t.village_id] = t  # the latest change day on or before as_of
        for v in selectors.village_progress(as_of=as_of):
            tally = by_day.get(v.pk, VillageDayTally())
            for name in ("on_wall", "retained", "still_to_remove", "removed", "removed_rule",
                         "last_removed_on"):  # fmt: skip
                assert getattr(tally, name) == getattr(v, name), (as_of, v.name, name)


def test_a_rebuild_gives_the_same_day_tallies(staff, village, item):
    from signs.models import VillageDayTally

    for n, day in enumerate([dt.date(2024, 1, 2), dt.date(2024, 2, 1), dt.date(2024, 1, 2)]):
        sign = services.signboard_create(
            village=village, user=staff, kind="rule", title=f"制度{n}", inventoried_on=day
        )
    services.removal_record(
        signboard=sign, user=staff, removed_on=dt.date(2024, 3, 1), reason="no_business"
    )
    fields = ["village_id", "day", "on_wall", "removed", "still_to_remove", "last_removed_on"]
    written = list(VillageDayTally.objects.order_by("village", "day").values_list(*fields))
    assert [row[1] for row in written] == [
        dt.date(2024, 1, 2), dt.date(2024, 2, 1), dt.date(2024, 3, 1)]  # fmt: skip
    rebuild_all_tallies()
    assert list(VillageDayTally.objects.order_by("village", "day").values_list(*fields)) == written


def test_with_day_tallies_off_writes_skip_them_and_past_dates_come_from_the_signs(
    settings, staff, village, item
):
    """DAY_TALLIES off (only for measuring what they cost): no day rows are written, and a
    past date is then computed from the signs, still right."""
    from signs.models import VillageDayTally

    settings.DAY_TALLIES = False
    sign = services.signboard_create(village=village, user=staff, kind="rule", title="制度",
                                     inventoried_on=dt.date(2024, 1, 2))  # fmt: skip
    services.removal_record(signboard=sign, user=staff, removed_on=dt.date(2024, 3, 1),
                            reason="no_business")  # fmt: skip
    assert not VillageDayTally.objects.exists()
    assert not selectors.uses_dated_tallies(dt.date(2024, 2, 1))
    (before,) = [r for r in selectors.town_progress(as_of=dt.date(2024, 2, 1)) if r.villages]
    (after,) = [r for r in selectors.town_progress(as_of=dt.date(2024, 3, 1)) if r.villages]
    assert (before.removed, before.still_to_remove, after.removed) == (0, 1, 1)
