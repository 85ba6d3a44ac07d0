"""Record-removal POSTs (no photo) through gunicorn: N concurrent clients for T seconds.

Works on a throwaway copy of a benchmark database (CREATE DATABASE … TEMPLATE), because every
POST removes a sign: the copy gets fresh signs to remove, one batch per client's township, and
is dropped afterwards. Each client is a township's staffer: it signs in through the login
page, loads one removal form (for the CSRF token), then posts removals one after another,
each of a different sign with a fresh one-time `form_token` (uuid4), over one keep-alive
http.client connection (gunicorn's sync workers close it after each response: it reopens).

The app runs with the local settings and DEBUG off, as benchmarks/http_race.py does: the
production settings redirect plain HTTP to HTTPS. CONN_MAX_AGE=60 as docs/deploy.md advises.
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import signal
import statistics
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from benchmarks import data
from benchmarks.http_race import free_port, hidden
from benchmarks.raw_sql import SHANGHAI

PASSWORD = "Hengzhou-2024"  # signs.demo.DEMO_PASSWORD, the demo accounts' password
SIGNS_PER_CLIENT = 2000
REASON = "no_business"  # signs.choices.DEFAULT_REMOVAL_REASON


class Client:
    """One staffer's browser: a connection and the session and CSRF cookies."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if name in {"sessionid", "csrftoken"}:  # messages are not read back
                    self.cookies[name] = morsel.value
        return response.status, response.getheader("Location", ""), content.decode()

    def login(self, username: str) -> None:
        _status, _loc, page = self.request("GET", "/accounts/login/")
        form = {
            "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"),
            "username": username,
            "password": PASSWORD,
        }
        status, location, _page = self.request("POST", "/accounts/login/", form)
        if status != 302 or "login" in location:
            raise RuntimeError(f"{username} could not sign in ({status})")


@dataclass
class Worker:
    username: str
    signs: list[int]
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    error: str = ""


def _client_loop(worker: Worker, port: int, ready, start: threading.Event, deadline: list):
    client = Client(port)
    try:
        client.login(worker.username)
        status, _loc, page = client.request("GET", f"/s/{worker.signs[0]}/remove/")
        if status != 200:
            raise RuntimeError(f"removal form answered {status}")
        csrf = hidden(page, "csrfmiddlewaretoken")
    except Exception as exc:  # reported, and the run fails
        worker.error = repr(exc)
        ready.wait()
        return
    ready.wait()
    start.wait()
    today = dt.datetime.now(SHANGHAI).date().isoformat()
    for sign in worker.signs:
        if time.perf_counter() >= deadline[0]:
            return
        form = {
            "csrfmiddlewaretoken": csrf,
            "form_token": str(uuid.uuid4()),
            "removed_on": today,
            "reason": REASON,
            "note": "",
        }
        began = time.perf_counter()
        status, location, _page = client.request("POST", f"/s/{sign}/remove/", form)
        worker.latencies.append(time.perf_counter() - began)
        # Success is the redirect to the village page; 200 is the form again, with errors.
        code = status if status != 302 or "/v/" in location else 399
        worker.statuses[code] = worker.statuses.get(code, 0) + 1
    worker.error = "ran out of signs"


def _prepare_copy(copy: data.Database, clients: int) -> list[Worker]:
    """Fresh signs to remove in each of the first `clients` townships with a staffer."""
    conn = copy.connect()
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                """SELECT u.username, ts.town_id FROM villages_townstaff ts
                   JOIN auth_user u ON u.id = ts.user_id JOIN villages_town t ON t.id = ts.town_id
                   ORDER BY t.code LIMIT %s""",
                [clients],
            )
            staff = cur.fetchall()
            workers = []
            for username, town_id in staff:
                cur.execute(
                    """INSERT INTO signs_signboard
                           (village_id, kind, title, location, inventoried_on, created_at)
                       SELECT v.id, 'other', '压测牌子 ' || n, '压测', DATE '2024-01-02', now()
                       FROM generate_series(1, %s) n
                       JOIN LATERAL (SELECT id FROM villages_village WHERE town_id = %s
                                     ORDER BY code OFFSET n %% (SELECT count(*) FROM
                                     villages_village WHERE town_id = %s) LIMIT 1) v ON true
                       RETURNING id""",
                    [SIGNS_PER_CLIENT, town_id, town_id],
                )
                workers.append(Worker(username, sorted(r[0] for r in cur.fetchall())))
            cur.execute("ANALYZE signs_signboard")
    finally:
        conn.close()
    if len(workers) < clients:
        raise RuntimeError(f"only {len(workers)} township staffers for {clients} clients")
    return workers


def _wait_until_up(server: subprocess.Popen, port: int, timeout: float = 30) -> None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 30 s")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def run(
    template: data.Database, *, clients: int, seconds: float, workers: int, log, **env_extra
) -> dict:
    """Start gunicorn on a copy of `template` (with `env_extra` in its environment), drive it,
    stop it, drop the copy."""
    copy = template.sibling(f"{template.name}_load")
    data.copy_of(template, copy.name)
    server = None
    try:
        plan = _prepare_copy(copy, clients)
        port = free_port()
        env = data.django_env(copy, CONN_MAX_AGE="60", **env_extra)
        gunicorn = str(data.ROOT / ".venv" / "bin" / "gunicorn")
        server = subprocess.Popen(
            [gunicorn, "hengzhou.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}"],
            cwd=data.ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: stopped with its workers
        )
        _wait_until_up(server, port)
        log(f"gunicorn -w {workers} up on :{port}; {clients} clients sign in …")
        ready = threading.Barrier(clients + 1)
        start = threading.Event()
        deadline = [float("inf")]
        threads = [
            threading.Thread(target=_client_loop, args=(w, port, ready, start, deadline))
            for w in plan
        ]
        for thread in threads:
            thread.start()
        ready.wait()
        began = time.perf_counter()
        deadline[0] = began + seconds
        start.set()
        for thread in threads:
            thread.join(seconds + 60)
        elapsed = time.perf_counter() - began
        return _summary(plan, elapsed, copy, log)
    finally:
        if server is not None:
            _stop(server)
        data.drop(copy)


def _summary(plan: list[Worker], elapsed: float, copy: data.Database, log) -> dict:
    errors = [f"{w.username}: {w.error}" for w in plan if w.error]
    setup_errors = [e for e in errors if "ran out" not in e]
    if setup_errors:
        raise RuntimeError("; ".join(setup_errors))
    for message in errors:
        log(f"  warning: {message}")
    latencies = sorted(t for w in plan for t in w.latencies)
    statuses: dict[int, int] = {}
    for w in plan:
        for code, n in w.statuses.items():
            statuses[code] = statuses.get(code, 0) + n
    # What the database says, not only what the clients were told.
    conn = copy.connect()
    with conn, conn.cursor() as cur:
        cur.execute(
            """SELECT count(*) FROM signs_removal r JOIN signs_signboard s ON s.id = r.signboard_id
               WHERE s.location = '压测' AND r.revoked_at IS NULL"""
        )
        recorded = cur.fetchone()[0]
    conn.close()
    return {
        "requests": len(latencies),
        "recorded": recorded,
        "elapsed": elapsed,
        "statuses": statuses,
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p99": statistics.quantiles(latencies, n=100, method="inclusive")[98],
    }
