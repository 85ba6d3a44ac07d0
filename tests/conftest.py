import datetime as dt

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection

from tests.helpers import restore_roles
from villages import roles
from villages.models import Town, TownStaff, Village


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"database: {db['ENGINE'].rsplit('.', 1)[-1]} ({db.get('HOST') or 'local file'})"


@pytest.fixture
def fixtures_loaded(db):
    call_command("loaddata", "towns", "standard_example", verbosity=0)


@pytest.fixture
def town(fixtures_loaded) -> Town:
    return Town.objects.get(code="450181100")


@pytest.fixture
def other_town(fixtures_loaded) -> Town:
    return Town.objects.get(code="450181101")


@pytest.fixture
def village(town) -> Village:
    return Village.objects.create(town=town, code="450181100201", name="城东村")


@pytest.fixture
def make_user(db):
    def make(username: str, *, role: str, town: Town | None = None) -> User:
        if not Group.objects.filter(name=role).exists():
            restore_roles()  # a transactional test before this one flushed the database
        user = User.objects.create_user(username=username, password="pw-Test-2024")
        user.groups.add(Group.objects.get(name=role))
        if town is not None:
            TownStaff.objects.create(user=user, town=town)
        return user

    return make


@pytest.fixture
def staff(make_user, town) -> User:
    return make_user("staff_a", role=roles.TOWN_STAFF, town=town)


@pytest.fixture
def reviewer(make_user) -> User:
    return make_user("reviewer_a", role=roles.REVIEWER)


@pytest.fixture
def d():
    """Short date literals: d(3, 1) is 2024-03-01, the demo year."""

    def make(month: int, day: int, year: int = 2024) -> dt.date:
        return dt.date(year, month, day)

    return make


@pytest.fixture
def db_vendor(db) -> str:
    return connection.vendor


@pytest.fixture(autouse=True)
def default_language():
    """A request in English leaves its language active in the thread; reset it per test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def empty_cache():
    """Cached figures (signs.selectors.removed_by_month) must not leak from one test's data."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
