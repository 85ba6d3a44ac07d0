"""我的任务/下载: a user's jobs (utilities.jobs), their progress, their files, a second try.

Every job is its owner's only: another user's job is a 404, whatever its number.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import jobs
from .excel import content_disposition
from .models import Job, JobState

JOBS_SHOWN = 50


def _own(request, pk: int) -> Job:
    mine = Job.objects.filter(owner=request.user)
    jobs.sweep(mine.filter(pk=pk))
    return get_object_or_404(mine, pk=pk)


def _result(job: Job) -> dict:
    return (job.result or {}) if job.state == JobState.DONE else {}


def status_of(job: Job) -> dict:
    """What the progress bar needs (the JSON the page polls)."""
    return {
        "state": job.state,
        "state_label": job.get_state_display(),
        "progress": job.progress,
        "finished": job.finished,
        "error": job.error,
        "download": job.state == JobState.DONE and bool(job.result_file),
        # Where the work goes on (拍照识牌's proposals, an import's preview): the page goes
        # there by itself when the job is done.
        "next": _result(job).get("url", "") if _result(job).get("go") else "",
        "message": _result(job).get("message", ""),
        "url": _result(job).get("url", ""),
    }


@login_required
def job_list(request):
    mine = Job.objects.filter(owner=request.user)
    jobs.sweep(mine)
    return render(
        request,
        "utilities/jobs.html",
        {"jobs": mine[:JOBS_SHOWN], "result_hours": settings.JOB_RESULT_HOURS},
    )


@login_required
def job_page(request, pk: int):
    job = _own(request, pk)
    return render(request, "utilities/job.html", {"job": job, "status": status_of(job)})


@login_required
def job_status(request, pk: int):
    response = JsonResponse(status_of(_own(request, pk)))
    response["Cache-Control"] = "no-store"
    return response


@login_required
def job_file(request, pk: int):
    job = _own(request, pk)
    if job.state != JobState.DONE or not job.result_file:
        raise Http404
    response = FileResponse(jobs.open_result(job))
    response["Content-Disposition"] = content_disposition(
        job.result_name, ascii_name=job.result_ascii_name
    )
    if job.result_name.endswith(".xlsx"):
        response["Content-Type"] = (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def job_rerun(request, pk: int):
    job = _own(request, pk)
    if not job.finished:
        messages.info(request, _("This job is still running."))
        return redirect("job", pk=job.pk)
    try:
        again = jobs.rerun(job)
    except jobs.QueueUnavailable:
        return queue_unavailable(request)
    return redirect("job", pk=again.pk)


def queue_unavailable(request):
    """The page a job could not start from says so; nothing was recorded."""
    return render(request, "utilities/queue_unavailable.html", status=503)


def start_and_show(request, **start):
    """Start a job (jobs.start's arguments) and show its page; the 503 page without a queue."""
    try:
        job = jobs.start(user=request.user, **start)
    except jobs.QueueUnavailable:
        return queue_unavailable(request)
    return redirect("job", pk=job.pk)


def export_or_job(request, *, rows: int, respond, title: str):
    """A table's Excel export: `respond()` at once up to EXPORT_JOB_ROWS rows (or inside the
    job), else a job (utilities.job_tasks.table_export) that makes the same export as the user,
    whose page shows its progress and then the file."""
    from .job_tasks import IN_JOB

    if rows <= settings.EXPORT_JOB_ROWS or getattr(request, IN_JOB, False):
        return respond()
    params = {"path": request.get_full_path(), "rows": rows}
    return start_and_show(request, task="table_export", title=title, params=params)


urlpatterns = [
    path("jobs/", job_list, name="jobs"),
    path("jobs/<int:pk>/", job_page, name="job"),
    path("jobs/<int:pk>/status.json", job_status, name="job_status"),
    path("jobs/<int:pk>/file", job_file, name="job_file"),
    path("jobs/<int:pk>/rerun", job_rerun, name="job_rerun"),
]
