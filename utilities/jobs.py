"""Long work off the request: a Job row per request for work, run by RQ workers or in the request.

A module of an app declares what may run (settings.JOB_MODULES, imported when the apps are
ready):

    @jobs.task("ledger", time_limit=1800)
    def ledger(run):                      # run: a Run — its job, owner, params, progress, file
        run.write_file(lambda out: write_ledger(out, ...), name="台账.xlsx", progress=...)

and a view starts it with `jobs.start(user=..., task="ledger", title=..., params={...})`, then
redirects to the job's page (`jobs.page_url(job)`), which shows its progress and its file.

With settings.REDIS_URL the job goes to the RQ queue settings.JOB_QUEUE and a worker
(`manage.py rqworker <queue>`, on any host) runs `execute(pk)`; without it `start` runs it at
once, in the request, and the job's page shows it done. Either way:

- the file is written to a temporary file and saved to the `job_results` storage only when whole,
  so a worker killed mid-job never leaves half a file;
- a job still running past its deadline (its worker killed, its host gone) or still queued past
  JOB_QUEUED_LIMIT_SECONDS (no worker) is marked failed by `sweep`, with a message saying to
  start it again; a late finish after that is discarded;
- an error of the database or the file system is retried by RQ at most `retries` times; any other
  error fails the job at once, with a ValidationError's own Chinese message where there is one;
- a finished job's file is deleted after JOB_RESULT_HOURS (`sweep`, also run by
  `manage.py jobs_sweep` from cron).
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import storages
from django.db import DatabaseError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Job, JobState

logger = logging.getLogger(__name__)

# A job's deadline is its start plus its time limit plus this, so that RQ's own timeout (the
# time limit) acts first where the worker is alive.
GRACE_SECONDS = 30
# Progress is written at most this often (and only when the whole percent changes).
PROGRESS_EVERY_SECONDS = 0.5
# Errors worth another attempt: the database or the shared folder was away for a moment.
RETRIED_ERRORS = (DatabaseError, OSError)


class QueueUnavailable(Exception):
    """The job queue (Redis) cannot be reached: nothing was started."""


@dataclass(frozen=True)
class Task:
    name: str
    func: Callable[[Run], Any]
    time_limit: int
    retries: int


_TASKS: dict[str, Task] = {}


def task(name: str, *, time_limit: int = 600, retries: int = 1):
    """Declare `func(run)` as the task `name`; it returns what goes into Job.result (JSON)."""

    def register(func):
        _TASKS[name] = Task(name=name, func=func, time_limit=time_limit, retries=retries)
        return func

    return register


def load_tasks() -> None:
    for module in settings.JOB_MODULES:
        import_module(module)


def queued() -> bool:
    """Whether jobs go to a queue (REDIS_URL set) rather than run in the request."""
    return bool(settings.REDIS_URL)


def _queue():
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
    return Queue(settings.JOB_QUEUE, connection=connection)


def start(*, user, task: str, title: str, params: dict | None = None) -> Job:
    """Record the job and queue it, or run it now when there is no queue.

    Raises QueueUnavailable, with no job left behind, when Redis cannot take it."""
    spec = _TASKS[task]
    job = Job.objects.create(
        owner=user, task=task, title=title, params=params or {}, time_limit=spec.time_limit
    )
    if not queued():
        execute(job.pk)
        job.refresh_from_db()
        return job
    from redis.exceptions import RedisError
    from rq import Retry

    try:
        _queue().enqueue(
            execute,
            job.pk,
            job_id=f"hengzhou-job-{job.pk}-{uuid.uuid4().hex[:8]}",
            job_timeout=spec.time_limit,
            retry=Retry(max=spec.retries, interval=[5, 30]) if spec.retries else None,
            result_ttl=0,
            failure_ttl=7 * 24 * 3600,
        )
    except RedisError as exc:
        job.delete()
        logger.warning("job queue unavailable: %s", exc)
        raise QueueUnavailable(str(exc)) from exc
    return job


def rerun(job: Job) -> Job:
    """The same work again, as a new job (a failed or expired one keeps its record)."""
    return start(user=job.owner, task=job.task, title=job.title, params=job.params)


class Run:
    """What a task sees of its job: who asked, the parameters, progress and the file."""

    def __init__(self, job: Job):
        self.job = job
        self.owner = job.owner
        self.params = job.params
        self.file = ""
        self.name = ""
        self.ascii_name = ""
        self._shown = (0, 0.0)  # (percent, monotonic time) last written

    def progress(self, fraction: float) -> None:
        """Say how far the work is (0 to 1); written to the job now and then."""
        percent = max(0, min(99, int(fraction * 100)))
        last, at = self._shown
        now = time.monotonic()
        if percent > last and now - at >= PROGRESS_EVERY_SECONDS:
            Job.objects.filter(pk=self.job.pk, state=JobState.RUNNING).update(progress=percent)
            self._shown = (percent, now)

    def write_file(
        self, write: Callable[[IO[bytes]], None], *, name: str, ascii_name: str = ""
    ) -> None:
        """Write the result with `write(out)` to a temporary file; keep it only when whole.
        `name` is the download's name, `ascii_name` the one for clients that cannot read it."""
        storage = storages["job_results"]
        suffix = name.rsplit(".", 1)[-1] if "." in name else "bin"
        with tempfile.TemporaryFile() as out:
            write(out)
            out.seek(0)
            self.file = storage.save(f"{self.job.pk}/{uuid.uuid4().hex}.{suffix}", File(out))
        self.name = name
        self.ascii_name = ascii_name or f"hengzhou-job-{self.job.pk}.{suffix}"


def execute(pk: int) -> None:
    """Run job `pk` (in an RQ worker, or in the request). Only a queued job runs; its messages
    are in the site's language (a worker has no request to take one from)."""
    with translation.override(settings.LANGUAGE_CODE):
        _execute(pk)


def _execute(pk: int) -> None:
    started = timezone.now()
    spec = _TASKS.get(Job.objects.filter(pk=pk).values_list("task", flat=True).first() or "")
    if spec is None:  # a task this code no longer has
        Job.objects.filter(pk=pk, state=JobState.QUEUED).update(
            state=JobState.FAILED,
            finished_at=started,
            error=_("This kind of job is no longer available."),
        )
        return
    claimed = Job.objects.filter(pk=pk, state=JobState.QUEUED).update(
        state=JobState.RUNNING,
        started_at=started,
        progress=0,
        attempts=F("attempts") + 1,
        error="",
    )
    if not claimed:
        return
    job = Job.objects.select_related("owner").get(pk=pk)
    run = Run(job)
    try:
        outcome = spec.func(run)
    except ValidationError as exc:
        _fail(job, "\n".join(exc.messages))
    except RETRIED_ERRORS as exc:
        logger.exception("job %s (%s) failed", pk, job.task)
        if queued() and job.attempts <= spec.retries:
            Job.objects.filter(pk=pk, state=JobState.RUNNING).update(state=JobState.QUEUED)
            raise  # RQ's Retry queues it again
        _fail(job, _error_message(exc))
    except Exception as exc:
        logger.exception("job %s (%s) failed", pk, job.task)
        _fail(job, _error_message(exc))
    else:
        now = timezone.now()
        done = Job.objects.filter(pk=pk, state=JobState.RUNNING).update(
            state=JobState.DONE,
            progress=100,
            finished_at=now,
            expires_at=now + dt.timedelta(hours=settings.JOB_RESULT_HOURS),
            result=outcome,
            result_file=run.file,
            result_name=run.name,
            result_ascii_name=run.ascii_name,
        )
        if not done and run.file:  # marked failed meanwhile (past its deadline): not kept
            storages["job_results"].delete(run.file)


def _error_message(exc: Exception) -> str:
    return _(
        "The job stopped with an error (%(error)s). Start it again; if it fails again, "
        "tell the system administrator."
    ) % {"error": type(exc).__name__}


def _fail(job: Job, message: str) -> None:
    Job.objects.filter(pk=job.pk, state=JobState.RUNNING).update(
        state=JobState.FAILED, error=message, finished_at=timezone.now()
    )


def deadline(job: Job) -> dt.datetime | None:
    if job.started_at is None:
        return None
    return job.started_at + dt.timedelta(seconds=job.time_limit + GRACE_SECONDS)


def sweep(jobs=None, *, now: dt.datetime | None = None) -> dict[str, int]:
    """Mark jobs stuck past their time limit failed and delete results past their expiry.

    `jobs` narrows it (a user's jobs, when their page opens); None: every job (jobs_sweep)."""
    now = now or timezone.now()
    jobs = Job.objects.all() if jobs is None else jobs
    stuck = [
        job.pk
        for job in jobs.filter(state=JobState.RUNNING).only("pk", "started_at", "time_limit")
        if deadline(job) < now
    ]
    failed = Job.objects.filter(pk__in=stuck, state=JobState.RUNNING).update(
        state=JobState.FAILED,
        finished_at=now,
        error=_(
            "The job did not finish within its time limit (its worker may have stopped). "
            "Start it again."
        ),
    )
    waiting = now - dt.timedelta(seconds=settings.JOB_QUEUED_LIMIT_SECONDS)
    failed += jobs.filter(state=JobState.QUEUED, created_at__lt=waiting).update(
        state=JobState.FAILED,
        finished_at=now,
        error=_(
            "No worker took the job in time. Start it again later, or tell the "
            "system administrator."
        ),  # fmt: skip
    )
    expired = 0
    storage = storages["job_results"]
    for job in jobs.filter(state=JobState.DONE, expires_at__lt=now):
        if job.result_file:
            storage.delete(job.result_file)
        expired += Job.objects.filter(pk=job.pk, state=JobState.DONE).update(
            state=JobState.EXPIRED, result_file=""
        )
    return {"failed": failed, "expired": expired}


def latest(*, owner, task: str, token) -> Job | None:
    """The owner's latest job of `task` for the pending upload `token` (params["token"]),
    swept first: one stuck past its deadline is failed, a file past its expiry is gone."""
    job = Job.objects.filter(owner=owner, task=task, params__token=str(token)).order_by("-pk")
    job = job.first()
    if job is not None:
        sweep(Job.objects.filter(pk=job.pk))
        job.refresh_from_db()
    return job


def page_url(job: Job) -> str:
    return reverse("job", args=[job.pk])


def open_result(job: Job):
    """The job's file, opened from its storage (the caller closes it)."""
    return storages["job_results"].open(job.result_file, "rb")
