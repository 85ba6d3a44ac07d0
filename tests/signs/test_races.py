"""Races on PostgreSQL: many requests at once write once, and every loser is told why.

Each thread loads the form itself and so posts its own one-time token: what stops the second
removal is then the partial unique constraint (one removal in effect per sign) or the guarded
UPDATE of a revoke, not the token. One test alone sends one page load's token from every
thread, to race the token's own unique constraint. SQLite serialises writers, so there is no
race to lose there; benchmarks/http_race.py runs the same race through gunicorn.

The last test needs no threads: it commits a revoke between the two queries of the village page,
as a concurrent request can, to show the page then still renders.
"""

import datetime as dt
import importlib
import re
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from signs import selectors
from signs.models import Removal, Signboard, VillageTally
from utilities.models import SubmittedForm
from villages.models import AuditEntry

pytestmark = [pytest.mark.django_db(transaction=True)]
only_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers, so nothing races; the constraints are raced on "
    "PostgreSQL (set DATABASE_URL=postgres://…, as the CI's PostgreSQL pass does)",
)

THREADS = 16
ROOT = Path(__file__).resolve().parents[2]
ALREADY_REMOVED = "该牌子已摘除"
ALREADY_REVOKED = "该摘除记录已被撤销"
ALREADY_SAVED = "该表单已保存过"
TOKEN_INPUT = re.compile(r'<input[^>]*name="form_token"[^>]*>')


@dataclass
class Reply:
    status: int
    said: str  # the page and the messages queued for the next one: what the user is told
    error: str = ""  # the traceback, when the view raised (a 500 for a real user)


def at_once(n: int, prepare: Callable[[int], object], send: Callable[[int, object], Reply]):
    """Run `prepare(i)` in n threads, then `send(i, prepared)` in all of them at one moment.

    A thread's exception becomes a Reply with status 500 and its traceback. Each thread closes
    its own database connections, or the test database could not be dropped.
    """
    barrier = threading.Barrier(n, timeout=30)

    def worker(i: int) -> Reply:
        try:
            prepared = prepare(i)
            barrier.wait()
            return send(i, prepared)
        except Exception:
            barrier.abort()  # the others stop waiting for a thread that will never come
            return Reply(status=500, said="", error=traceback.format_exc())
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(worker, range(n)))


def token_in(html: str) -> str:
    # From the HTML, not response.context: the test client's template signal is global, so a
    # thread's context list can hold another thread's form (and so its token).
    tag = TOKEN_INPUT.search(html)
    assert tag, "the page has no form_token"
    return re.search(r'value="([0-9a-f-]{36})"', tag.group()).group(1)


def post_at_once(user, urls: list[str], data: dict, *, token: str | None = None) -> list[Reply]:
    """Each thread signs in with its own client, loads its form (unless `token` is given, one
    page load's token for all), and then all of them post at once."""

    def prepare(i: int) -> tuple[Client, str]:
        client = Client()
        client.force_login(user)
        if token is not None:
            return client, token
        page = client.get(urls[i])
        assert page.status_code == 200, page.status_code
        return client, token_in(page.content.decode())

    def send(i: int, prepared: tuple[Client, str]) -> Reply:
        client, form_token = prepared
        response = client.post(urls[i], {**data, "form_token": form_token})
        messages = [str(m) for m in get_messages(response.wsgi_request)]
        return Reply(response.status_code, "\n".join([response.content.decode(), *messages]))

    replies = at_once(len(urls), prepare, send)
    errors = [r.error for r in replies if r.error]
    assert not errors, errors[0]
    assert all(r.status in (200, 302) for r in replies), [r.status for r in replies]
    return replies


def told(replies: list[Reply], text: str) -> int:
    return sum(text in r.said for r in replies)


@pytest.fixture(autouse=True)
def roles(db):
    """A transactional test starts from a flushed database: put the migration's roles back."""
    from django.apps import apps

    importlib.import_module("signs.migrations.0002_roles").create_roles(apps, None)


@pytest.fixture
def signs(village) -> list[Signboard]:
    return [
        Signboard.objects.create(
            village=village,
            title=f"廉洁工作站{i}",
            kind="guidance",
            location="外墙",
            inventoried_on=dt.date(2024, 1, 2),
        )
        for i in range(THREADS)
    ]


@pytest.fixture
def removals(signs, staff) -> list[Removal]:
    return [
        Removal.objects.create(
            signboard=sign, removed_on=dt.date(2024, 3, 1), reason="no_business", recorded_by=staff
        )
        for sign in signs
    ]


REMOVE = {"removed_on": "2024-03-02", "reason": "no_business", "note": ""}
REVOKE = {"reason": "录错了村"}


@only_postgresql
def test_sixteen_removals_of_one_sign_record_one(staff, signs):
    sign = signs[0]
    replies = post_at_once(staff, [reverse("removal_create", args=[sign.pk])] * THREADS, REMOVE)

    assert Removal.objects.filter(signboard=sign).count() == 1
    assert AuditEntry.objects.filter(action="removal.record").count() == 1
    assert told(replies, f"已登记“{sign.title}”的摘除") == 1
    assert told(replies, ALREADY_REMOVED) == THREADS - 1
    # Every page load had its own token, and the losers' tokens were rolled back unspent.
    assert SubmittedForm.objects.count() == 1


@only_postgresql
def test_sixteen_removals_of_sixteen_signs_record_all(staff, signs):
    urls = [reverse("removal_create", args=[sign.pk]) for sign in signs]
    replies = post_at_once(staff, urls, REMOVE)

    assert Removal.objects.filter(revoked_at__isnull=True).count() == THREADS
    assert set(Removal.objects.values_list("signboard", flat=True)) == {s.pk for s in signs}
    assert AuditEntry.objects.filter(action="removal.record").count() == THREADS
    assert all(r.status == 302 for r in replies)
    assert told(replies, ALREADY_REMOVED) == 0
    # Each write refreshed the village's tally after the others committed: none was lost.
    assert_tally_current(signs[0].village)
    assert VillageTally.objects.get(village=signs[0].village).removed == THREADS


@only_postgresql
def test_sixteen_revokes_of_one_removal_revoke_once(staff, removals):
    removal = removals[0]
    replies = post_at_once(staff, [reverse("removal_revoke", args=[removal.pk])] * THREADS, REVOKE)

    removal.refresh_from_db()
    assert removal.revoked_at is not None and removal.revoke_reason == REVOKE["reason"]
    assert AuditEntry.objects.filter(action="removal.revoke").count() == 1
    assert told(replies, "已撤销该摘除记录") == 1
    assert told(replies, ALREADY_REVOKED) == THREADS - 1
    assert SubmittedForm.objects.count() == 1


@only_postgresql
def test_sixteen_revokes_of_sixteen_removals_revoke_all(staff, removals):
    urls = [reverse("removal_revoke", args=[removal.pk]) for removal in removals]
    replies = post_at_once(staff, urls, REVOKE)

    assert not Removal.objects.filter(revoked_at__isnull=True).exists()
    assert AuditEntry.objects.filter(action="removal.revoke").count() == THREADS
    assert all(r.status == 302 for r in replies)
    assert told(replies, ALREADY_REVOKED) == 0
    assert_tally_current(removals[0].signboard.village)
    assert VillageTally.objects.get(village=removals[0].signboard.village).removed == 0


def assert_tally_current(village):
    today = timezone.localdate()
    figures = selectors.village_figures(as_of=today, village_ids=[village.pk])
    tally = VillageTally.objects.get(village=village)
    for name, value in figures[village.pk].items():
        assert getattr(tally, name) == value, name


@only_postgresql
def test_one_page_load_sent_sixteen_times_adds_one_sign(client, staff, village):
    url = reverse("signboard_create", args=[village.code])
    client.force_login(staff)
    token = token_in(client.get(url).content.decode())
    data = {
        "title": "党员活动室",
        "kind": "plaque",
        "location": "二楼",
        "inventoried_on": "2024-05-01",
    }
    replies = post_at_once(staff, [url] * THREADS, data, token=token)

    assert Signboard.objects.filter(title="党员活动室").count() == 1
    assert AuditEntry.objects.filter(action="signboard.create").count() == 1
    assert told(replies, "已添加“党员活动室”") == 1
    assert told(replies, ALREADY_SAVED) == THREADS - 1


@only_postgresql
def test_the_http_race_script_records_one_removal_of_32():
    """benchmarks/http_race.py: gunicorn on a throwaway database beside DATABASE_URL's."""
    script = ROOT / "benchmarks" / "http_race.py"
    # The test settings' fast password hasher makes the 32 sign-ins quick; the race is the same.
    command = [sys.executable, str(script), "--settings", "hengzhou.settings.test"]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "32 attempts: 1 removal recorded, 31 told it was already removed, 0 5xx" in out.stdout


def test_the_village_page_survives_a_revoke_between_its_queries(client, staff, removals, village):
    """The page reads each sign's status, then its removal in effect: a revoke committed in
    between (a concurrent request's) leaves a removed sign with no removal to link to."""
    removal, fired = removals[0], []

    def revoke_before_the_removals_are_read(execute, sql, params, many, context):
        if not fired and '"signs_removal"."signboard_id" IN' in sql:
            fired.append(sql)
            Removal.objects.filter(pk=removal.pk).update(
                revoked_at=timezone.now(), revoked_by=staff, revoke_reason=REVOKE["reason"]
            )
        return execute(sql, params, many, context)

    client.force_login(staff)
    with connection.execute_wrapper(revoke_before_the_removals_are_read):
        response = client.get(reverse("village", args=[village.code]))
    assert fired, "the page no longer reads the removals in a query of their own"
    assert response.status_code == 200
