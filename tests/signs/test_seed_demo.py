import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.test import RequestFactory
from django.utils import timezone

from signs.choices import RemovalReason, SignKind
from signs.demo import DEMO_PASSWORD
from signs.models import Removal, Signboard, VillageTally
from signs.selectors import city_progress, town_progress, village_progress
from tests.helpers import restore_roles
from villages import roles
from villages.choices import VillageKind
from villages.models import AuditEntry, DemonstrationSite, Town, TownStaff, Village

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2024, 9, 6)


def seed_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "towns": Town.objects.count(),
        "villages": Village.objects.count(),
        "signboards": Signboard.objects.count(),
        "removals": Removal.objects.count(),
        "sites": DemonstrationSite.objects.count(),
        "users": get_user_model().objects.count(),
        "town_staff": TownStaff.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def removal_keys() -> set[tuple[str, str, dt.date]]:
    return set(
        Removal.objects.values_list("signboard__title", "signboard__village__code", "removed_on")
    )


def assert_article_shape() -> None:
    """The figures PRODUCT.md asks of the default demo data set, read through the selectors."""
    assert Town.objects.count() == 17
    assert Village.objects.count() == 308
    totals = city_progress(as_of=AS_OF)
    assert 3000 <= totals.removed <= 3999
    assert totals.removed_rule >= 2100
    assert totals.removed_guidance >= 1200
    assert totals.towns_fully_covered == 5
    assert 60 <= totals.demonstration_sites <= 69
    assert Decimal("2400000") <= totals.investment <= Decimal("2490000")
    for row in town_progress(as_of=AS_OF):
        assert row.fully_covered or row.still_to_remove > 0, row.town


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker) -> str:
    """The default demo, seeded once for the module (2.5 s) inside a transaction rolled back at
    its end; each test runs in a savepoint of it, so what a test writes is undone as usual."""
    with django_db_blocker.unblock(), transaction.atomic():
        if not Group.objects.exists():  # a transactional test on this worker flushed them
            restore_roles()
        yield seed_demo()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(seeded_once, db) -> str:
    return seeded_once


def test_townships_and_villages(seeded):
    assert "308" in seeded and DEMO_PASSWORD in seeded
    assert Town.objects.count() == 17
    assert Village.objects.count() == 308
    towns = Town.objects.annotate(
        n=Count("villages"),
        communities=Count("villages", filter=Q(villages__kind=VillageKind.COMMUNITY)),
    )
    for town in towns:
        assert town.n in (18, 19)
        assert town.communities >= 2
    assert sorted(t.n for t in towns).count(19) == 2
    for code, kind, town_code in Village.objects.values_list("code", "kind", "town__code"):
        assert len(code) == 12 and code.isdigit() and code.startswith(town_code)
        suffix = int(code[-3:])
        assert suffix < 200 if kind == VillageKind.COMMUNITY else suffix >= 201
    assert Village.objects.filter(name__endswith="社区", kind=VillageKind.COMMUNITY).exists()
    assert Village.objects.filter(name__endswith="村", kind=VillageKind.VILLAGE).count() >= 250


def test_signs_per_village(seeded):
    per_village = Signboard.objects.count() / Village.objects.count()
    assert 35 <= per_village <= 45
    kinds = set(Signboard.objects.values_list("kind", flat=True))
    assert kinds == set(SignKind.values)
    village = Village.objects.filter(kind=VillageKind.VILLAGE).first()
    titles = set(village.signboards.values_list("title", flat=True))
    assert f"中共{village.name}委员会" in titles
    assert f"{village.name}务监督委员会" in titles
    community = Village.objects.filter(kind=VillageKind.COMMUNITY).first()
    assert f"{community.name}居民委员会" in set(
        community.signboards.values_list("title", flat=True)
    )
    # Organization plaques are matched to their item; surplus signs to none.
    assert (
        not Signboard.objects.filter(kind=SignKind.ORGANIZATION, title__startswith="中共")
        .filter(approved_item=None)
        .exists()
    )
    assert Signboard.objects.filter(approved_item=None, kind=SignKind.RULE).exists()
    # The checklist varies from village to village.
    kept = village_progress(as_of=AS_OF).values_list("retained", flat=True)
    assert len(set(kept)) > 5
    first = Signboard.objects.order_by("inventoried_on").first().inventoried_on
    last = Signboard.objects.order_by("-inventoried_on").first().inventoried_on
    assert dt.date(2023, 11, 1) <= first <= last <= dt.date(2023, 12, 31)


def test_removals_match_the_article(seeded):
    totals = city_progress(as_of=AS_OF)
    assert 3000 <= totals.removed <= 3999
    assert totals.removed_rule >= 2100
    assert totals.removed_guidance >= 1200
    # Duplicates of approved items come down too.
    assert Removal.objects.filter(signboard__approved_item__isnull=False).exists()


def test_five_townships_fully_covered_and_others_behind(seeded):
    rows = town_progress(as_of=AS_OF)
    assert len(rows) == 17
    covered = [row for row in rows if row.fully_covered]
    assert len(covered) == 5
    for row in rows:
        if not row.fully_covered:
            assert row.still_to_remove > 0
            assert row.villages_meeting < row.villages
    behind = village_progress(as_of=AS_OF).filter(still_to_remove__gt=0)
    assert behind.exists()
    assert city_progress(as_of=AS_OF).towns_fully_covered == 5


def test_demonstration_sites(seeded):
    totals = city_progress(as_of=AS_OF)
    assert 60 <= totals.demonstration_sites <= 69
    assert Decimal("2400000") <= totals.investment <= Decimal("2490000")
    assert set(DemonstrationSite.objects.values_list("year_designated", flat=True)) == {2024}
    # Showcase villages meet the standard.
    sites = village_progress(as_of=AS_OF).filter(demonstration_site__isnull=False)
    assert all(site.still_to_remove == 0 for site in sites)


def test_removal_dates_and_records(seeded):
    dates = Removal.objects.values_list("removed_on", flat=True)
    assert min(dates) >= dt.date(2024, 1, 1)
    assert max(dates) <= AS_OF
    assert len({d.month for d in dates}) == 9
    assert not Removal.objects.filter(reason=RemovalReason.OTHER, note="").exists()
    removal = Removal.objects.select_related("signboard__village__town", "recorded_by").first()
    assert removal.recorded_by.username == f"staff_{removal.signboard.village.town.code}"
    for removal in Removal.objects.select_related("signboard").order_by("?")[:50]:
        recorded = timezone.localtime(removal.recorded_at)
        assert recorded.date() == removal.removed_on
        assert removal.removed_on >= removal.signboard.inventoried_on
    # Revoked removals are followed by a removal in effect for the same sign.
    for revoked in Removal.objects.exclude(revoked_at=None):
        assert revoked.revoke_reason
        assert revoked.signboard.removals.filter(revoked_at=None).count() == 1


def test_accounts(seeded):
    User = get_user_model()
    admin = User.objects.get(username="admin")
    assert admin.is_staff and not admin.is_superuser  # 三员分立: no all-powerful account
    assert admin.groups.filter(name=roles.SYSTEM_ADMIN).exists()
    for username, role in (("security", roles.SECURITY_ADMIN), ("auditor", roles.AUDIT_ADMIN)):
        user = User.objects.get(username=username)
        assert user.is_staff and not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [role]
    reviewer = User.objects.get(username="reviewer")
    assert not reviewer.is_staff
    assert list(reviewer.groups.values_list("name", flat=True)) == [roles.REVIEWER]
    staff = User.objects.get(username="staff_450181100")
    assert list(staff.groups.values_list("name", flat=True)) == [roles.TOWN_STAFF]
    assert staff.town_staff.town.name == "横州镇"
    assert TownStaff.objects.count() == 17
    for username in ("admin", "reviewer", "staff_450181100"):
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username=username, password=DEMO_PASSWORD) is not None
    assert "staff_450181204" in seeded


def test_one_audit_entry(seeded):
    entry = AuditEntry.objects.get(action="demo.seed")
    assert entry.object_type == "demo"
    assert entry.after == {
        "villages": 308,
        "signboards": Signboard.objects.count(),
        "removals": Removal.objects.count(),
    }


def test_second_run_changes_nothing(seeded):
    before = counts()
    keys = removal_keys()
    out = seed_demo()
    assert "--reset" in out
    assert counts() == before
    assert removal_keys() == keys


def test_reset_with_another_seed_keeps_the_shape(seeded):
    keys = removal_keys()
    users = get_user_model().objects.count()
    seed_demo("--reset", "--seed", "7")
    assert_article_shape()
    assert removal_keys() != keys
    assert get_user_model().objects.count() == users
    assert TownStaff.objects.count() == 17
    assert AuditEntry.objects.count() == 1


def test_the_tallies_match_the_signs_after_seeding(seeded, monkeypatch):
    from tests.signs.test_tallies import assert_tallies_current

    assert VillageTally.objects.count() == Village.objects.count() == 308
    assert_tallies_current(monkeypatch)
