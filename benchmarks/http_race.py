"""32 browsers remove the same sign at the same moment, through gunicorn, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python \
        benchmarks/http_race.py [--clients 32] [--workers 4] [--threads 1]

The URL gives the server and credentials only: the script creates a throwaway database beside
it (hengzhou_race_<pid>, from the maintenance database `postgres`), migrates it, loads the
townships and the standard, and adds one village, one sign and one township staffer. It starts
gunicorn on a free port, and each client signs in, loads the removal form (its own one-time
token and CSRF token) and waits; then all post at once. It prints what they were told, counts
the removals in the database, and exits non-zero unless exactly one was recorded, every other
client was told the sign was already removed, and no response was a 5xx. gunicorn is stopped
and the database dropped in every case.

The app runs with the local settings (as `make run`) and DEBUG off: the production settings
expect HTTPS in front (secure cookies, redirect to https), which a plain-HTTP benchmark lacks.
"""

from __future__ import annotations

import argparse
import html
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import dj_database_url
import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
TIME_LIMIT = 55  # seconds, all included
USERNAME = "race_staff"
RECORDED = "已登记“"
ALREADY_REMOVED = "该牌子已摘除"

# Runs in a subprocess with the throwaway DATABASE_URL; prints the ids the clients need.
SETUP = """
import datetime as dt, json, os
import django
django.setup()
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from signs.models import Signboard
from villages import roles
from villages.models import Town, TownStaff, Village

call_command("migrate", interactive=False, verbosity=0)
call_command("loaddata", "towns", "standard_example", verbosity=0)
town = Town.objects.get(code="450181100")
village = Village.objects.create(town=town, code="450181100201", name="城东村")
sign = Signboard.objects.create(
    village=village, title="廉洁工作站", kind="guidance", location="外墙",
    inventoried_on=dt.date(2024, 1, 2),
)
user = User.objects.create_user(os.environ["RACE_USERNAME"], password=os.environ["RACE_PASSWORD"])
user.groups.add(Group.objects.get(name=roles.TOWN_STAFF))
TownStaff.objects.create(user=user, town=town)
print(json.dumps({"sign": sign.pk, "village": village.code}))
"""


def fail(message: str) -> None:
    print(message, file=sys.stderr)
    sys.exit(2)


def remaining(started: float) -> float:
    left = TIME_LIMIT - (time.monotonic() - started)
    if left <= 0:
        raise TimeoutError(f"the race did not finish within {TIME_LIMIT} s")
    return left


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hidden(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    value = tag and re.search(r'value="([^"]*)"', tag.group())
    if not value:
        raise RuntimeError(f"no {name} on the page")
    return html.unescape(value.group(1))


class KeepRedirects(urllib.request.HTTPRedirectHandler):
    """Hand back a 302 as it is: its status is what the race is about."""

    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's browser: its own cookies (session, CSRF, messages)."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), KeepRedirects()
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        # A browser posting a form sends its origin; Django checks it against the host.
        headers = {"Origin": self.base} if data is not None else {}
        req = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            response = self.opener.open(req, timeout=30)
        except urllib.error.HTTPError as exc:  # 3xx (not followed), 4xx, 5xx
            response = exc
        with response:
            text = response.read().decode("utf-8", "replace")
            return response.status, response.headers.get("Location", ""), text

    def sign_in(self, password: str) -> None:
        status, _, page = self.request("/accounts/login/")
        if status != 200:
            raise RuntimeError(f"the sign-in page answered {status}")
        token = hidden(page, "csrfmiddlewaretoken")
        status, _, _ = self.request(
            "/accounts/login/",
            {"username": USERNAME, "password": password, "csrfmiddlewaretoken": token},
        )
        if status != 302:
            raise RuntimeError(f"sign-in answered {status}, not a redirect")


def race(
    base: str, password: str, sign: int, clients: int, marks: dict[str, float], deadline: float
) -> list[tuple[int, str]]:
    """Every client signs in and loads the form, then all post at once: (status, told)."""
    barrier = threading.Barrier(
        clients, action=lambda: marks.setdefault("all signed in", time.monotonic()), timeout=40
    )
    answered: list[float] = []
    results: list[tuple[int, str] | None] = [None] * clients
    path = f"/s/{sign}/remove/"

    def client(i: int) -> None:
        try:
            browser = Browser(base)
            browser.sign_in(password)
            status, _, page = browser.request(path)
            if status != 200:
                raise RuntimeError(f"the removal form answered {status}")
            data = {
                "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"),
                "form_token": hidden(page, "form_token"),
                "removed_on": "2024-03-02",
                "reason": "no_business",
                "note": "",
            }
            barrier.wait()
            status, location, page = browser.request(path, data)
            answered.append(time.monotonic())
            if status == 302 and location:  # read the message where the user lands
                _, _, page = browser.request(urllib.parse.urljoin(path, location))
            results[i] = (status, page)
        except Exception as exc:
            barrier.abort()
            results[i] = (0, f"client {i}: {exc!r}")

    # Daemon threads, joined against the time limit: a hung request cannot keep the script
    # from stopping gunicorn and dropping the database.
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.1, deadline - time.monotonic()))
    if answered:
        marks["all posts answered"] = max(answered)
    marks["messages read"] = time.monotonic()
    return [r or (0, "no result") for r in results]


def wait_until_up(server: subprocess.Popen, base: str, started: float) -> None:
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(base + "/accounts/login/", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:  # not listening yet, or a worker still starting (URLError, timeout)
            pass
        if remaining(started) < 30:
            raise TimeoutError("gunicorn did not answer in time")
        time.sleep(0.2)


def stop(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (over 1: gthread workers)"
    )
    parser.add_argument(
        "--settings",
        default="hengzhou.settings.local",
        help="hengzhou.settings.test hashes passwords fast: 32 sign-ins take seconds less",
    )
    args = parser.parse_args()
    started = time.monotonic()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        fail(
            "http_race.py needs PostgreSQL: set DATABASE_URL=postgres://user@host:5432/name "
            "(a throwaway database is created beside it). SQLite serialises writers, so there "
            "is no race to test there."
        )
    db = dj_database_url.parse(url)
    name = f"hengzhou_race_{os.getpid()}"
    credentials = {
        "user": db["USER"] or None,
        "password": db["PASSWORD"] or None,
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
    }
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    password = secrets.token_urlsafe(16)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="hengzhou-race-"))
    env = {
        **os.environ,
        "DATABASE_URL": urllib.parse.urlunsplit(
            urllib.parse.urlsplit(url)._replace(path="/" + name, query="")
        ),
        "DJANGO_SETTINGS_MODULE": args.settings,
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "IMPORT_UPLOAD_DIR": str(workdir / "imports"),
        "CONN_MAX_AGE": "0",
        "TMPDIR": str(workdir),  # the test settings make temporary folders: keep them here
        "RACE_USERNAME": USERNAME,
        "RACE_PASSWORD": password,
    }

    maintenance = psycopg2.connect(dbname="postgres", **credentials)
    maintenance.autocommit = True
    server = None
    marks: dict[str, float] = {}
    log = (workdir / "gunicorn.log").open("w+")
    try:
        with maintenance.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        setup = subprocess.run(
            [sys.executable, "-c", SETUP],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=remaining(started),
        )  # fmt: skip
        if setup.returncode != 0:
            raise RuntimeError("setting up the database failed:\n" + setup.stderr)
        ids = json.loads(setup.stdout.strip().splitlines()[-1])
        marks["database ready"] = time.monotonic()

        server = subprocess.Popen(
            [gunicorn, "hengzhou.wsgi", "-w", str(args.workers),
             "--threads", str(args.threads), "-b", f"127.0.0.1:{port}",
             "--timeout", "30", "--graceful-timeout", "5"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_until_up(server, base, started)
        marks["gunicorn up"] = time.monotonic()

        deadline = time.monotonic() + remaining(started)
        results = race(base, password, ids["sign"], args.clients, marks, deadline)

        with psycopg2.connect(dbname=name, **credentials) as conn, conn.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), count(*) FILTER (WHERE revoked_at IS NULL)"
                " FROM signs_removal WHERE signboard_id = %s",
                [ids["sign"]],
            )
            removals, in_effect = cursor.fetchone()
            cursor.execute(
                "SELECT count(*) FROM villages_auditentry WHERE action = 'removal.record'"
            )
            (audited,) = cursor.fetchone()
        conn.close()
    except Exception as exc:
        print(f"FAILED: {exc!r}", file=sys.stderr)
        return 1
    finally:
        stop(server)
        marks["gunicorn stopped"] = time.monotonic()
        log.seek(0)
        server_log = log.read()
        if "Traceback" in server_log or "[ERROR]" in server_log:
            print(f"--- gunicorn log ---\n{server_log[-4000:]}", file=sys.stderr)
        with maintenance.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        maintenance.close()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)

    statuses = Counter(status for status, _ in results)
    recorded = sum(RECORDED in told for _, told in results)
    already = sum(ALREADY_REMOVED in told for _, told in results)
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    broken = [told for status, told in results if status == 0]
    print(
        f"{len(results)} attempts: {removals} removal recorded, {already} told it was already "
        f"removed, {server_errors} 5xx"
    )
    print(
        f"  statuses {dict(sorted(statuses.items()))}; told recorded: {recorded}; "
        f"in effect: {in_effect}; audit rows: {audited}"
    )
    timeline = ", ".join(f"{what} {at - started:.1f} s" for what, at in marks.items())
    print(
        f"  {args.settings}, gunicorn -w {args.workers} --threads {args.threads}; {timeline}; "
        f"done in {time.monotonic() - started:.1f} s"
    )
    for told in broken[:3]:
        print(f"  client failed: {told}")
    for told in [told for status, told in results if status >= 500][:1]:
        # With DEBUG off Django logs no traceback to the console: the page is all there is.
        print("  a 5xx page:", " ".join(told.split())[:300])
    ok = (
        removals == in_effect == audited == recorded == 1
        and already == len(results) - 1
        and server_errors == 0
        and not broken
    )
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
