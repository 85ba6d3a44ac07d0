import datetime as dt

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection

from supervision.models import AssessmentWeight
from tests.helpers import restore_roles, restore_weights
from tests.jobs import worker  # noqa: F401  (a real RQ worker, for the job tests)
from villages import roles
from villages.models import Town, TownStaff, Village


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"database: {db['ENGINE'].rsplit('.', 1)[-1]} ({db.get('HOST') or 'local file'})"


# The slowest files first: pytest-xdist (--dist loadfile) hands out whole files in collection
# order, so starting with these keeps one worker from finishing alone with a long one. After
# pytest-django's own ordering (which puts transactional tests last): `roles_present` puts
# back what their flush removes, so the order is free.
SLOW_FIRST = ("tests/signs/test_ocr_accuracy.py", "tests/browser/")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: not item.nodeid.startswith(SLOW_FIRST))  # stable: files stay whole


@pytest.fixture(autouse=True)
def roles_present(request):
    """The migrations' data (the roles, the assessment weights) is there for every test that
    uses the database.

    A transactional test (the browser tests, the races) ends with Django's flush, which empties
    the groups too; whichever test a worker runs next gets them back here, so no test depends
    on the order pytest-xdist gives it."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not names & {"db", "transactional_db", "live_server"}:
        return
    transactional = bool(
        names & {"transactional_db", "live_server"} or (marker and marker.kwargs.get("transaction"))
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    if not Group.objects.exists():
        restore_roles()
    if not AssessmentWeight.objects.exists():
        restore_weights()


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
