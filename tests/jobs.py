"""A real RQ worker for the job tests: `manage.py rqworker <this process's queue>` in a child
process, on the test database, Redis at settings.TEST_REDIS_URL.

Without Redis the tests that need it are skipped, unless JOBS_REQUIRE_REDIS is set (as
`.ci/run` sets it), where they fail.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
WORKER_SECONDS = 120


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    def __init__(self, queue_name: str):
        self.queue_name = queue_name
        self.process: subprocess.Popen | None = None

    @property
    def env(self) -> dict:
        """Read when the worker starts: a test's fixtures may have moved the folders."""
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "hengzhou.settings.test",
            "DATABASE_URL": _database_url(),
            "JOB_QUEUE": self.queue_name,
            "JOB_RESULTS_ROOT": str(settings.JOB_RESULTS_ROOT),
            "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "IMPORT_UPLOAD_DIR": str(settings.IMPORT_UPLOAD_DIR),
            "TEST_REDIS_URL": settings.TEST_REDIS_URL,
            "PYTHONUNBUFFERED": "1",
        }

    def _command(self) -> list[str]:
        return [sys.executable, "manage.py", "rqworker", self.queue_name, "--burst"]

    def burst(self) -> str:
        """Run every queued job, then stop; returns what the worker printed."""
        done = subprocess.run(self._command(), cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=WORKER_SECONDS)  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout + done.stderr

    def start(self) -> None:
        """Start the worker in the background (its own process group: the work horse too)."""
        self.process = subprocess.Popen(self._command(), cwd=ROOT, env=self.env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        start_new_session=True)  # fmt: skip

    def kill(self) -> list[int]:
        """SIGKILL the worker and its work horse (returned), as a host going down would.
        RQ's work horse is a fork in a session of its own (os.setsid): found by its parent."""
        horses = _children(self.process.pid)
        os.killpg(self.process.pid, signal.SIGKILL)
        for pid in horses:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        for pid in horses:  # gone before the test goes on (their locks released)
            wait_for(lambda pid=pid: not Path(f"/proc/{pid}").exists() or _zombie(pid),
                     seconds=10, what=f"work horse {pid} to die")  # fmt: skip
        return horses

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _zombie(pid: int) -> bool:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    return True


def wait_for(condition, *, seconds: float = 60, what: str = "the condition"):
    """Poll the database (not the clock) until `condition()` is true."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def worker(settings, transactional_db):
    """A queue of the test's own on the test Redis, jobs sent to it, and its worker."""
    from redis import Redis
    from redis.exceptions import RedisError
    from rq import Queue

    try:
        connection_ = Redis.from_url(settings.TEST_REDIS_URL, socket_connect_timeout=2)
        connection_.ping()
    except RedisError as exc:
        if os.environ.get("JOBS_REQUIRE_REDIS"):
            pytest.fail(f"JOBS_REQUIRE_REDIS is set but Redis is unreachable: {exc}")
        pytest.skip(f"no Redis at {settings.TEST_REDIS_URL}")
    settings.REDIS_URL = settings.TEST_REDIS_URL
    worker = Worker(settings.JOB_QUEUE)
    yield worker
    worker.stop()
    queue = Queue(settings.JOB_QUEUE, connection=connection_)
    queue.empty()
    for registry in (queue.failed_job_registry, queue.started_job_registry):
        for job_id in registry.get_job_ids():
            connection_.delete(f"rq:job:{job_id}")
        connection_.delete(registry.key)


def stored_files() -> set[str]:
    """Every file in the job results' storage."""
    root = Path(settings.JOB_RESULTS_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
