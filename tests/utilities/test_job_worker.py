"""Jobs on a real RQ worker process (tests/jobs.py), on both databases: the 台账's whole life,
progress seen while it runs, a worker killed mid-job, scoping of the file."""

import datetime as dt
import io

import pytest
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.jobs import stored_files, wait_for
from utilities import jobs
from utilities.models import Job, JobState
from villages import roles

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_ledger_on_a_worker_is_queued_done_downloaded_expired(client, world, make_user, worker):
    reviewer = make_user("reviewer_w", role=roles.REVIEWER)
    other = make_user("reviewer_x", role=roles.REVIEWER)
    client.force_login(reviewer)
    response = client.post(reverse("ledger_export"), {"as_of": "2024-03-01"})
    job = Job.objects.get()
    assert response.url == reverse("job", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "排队中" in page and "js/job-progress.js" in page  # the page polls
    assert client.get(reverse("job_status", args=[job.pk])).json()["state"] == "queued"

    printed = worker.burst()
    job.refresh_from_db()
    assert job.state == JobState.DONE, printed
    assert (job.progress, job.attempts) == (100, 1)
    assert job.started_at <= job.finished_at
    status = client.get(reverse("job_status", args=[job.pk])).json()
    assert status["finished"] and status["download"] and status["progress"] == 100
    download = client.get(reverse("job_file", args=[job.pk]))
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert workbook.sheetnames == ["汇总", "村级明细", "摘牌记录", "牌子台账", "保留清单", "按部门"]

    client.force_login(other)  # another user: not even the file's existence
    assert client.get(reverse("job_file", args=[job.pk])).status_code == 404
    assert client.get(reverse("job", args=[job.pk])).status_code == 404

    client.force_login(reviewer)
    path = job.result_file
    jobs.sweep(now=job.expires_at + dt.timedelta(seconds=1))
    job.refresh_from_db()
    assert job.state == JobState.EXPIRED and not storages["job_results"].exists(path)
    assert client.get(reverse("job_file", args=[job.pk])).status_code == 404


def test_a_worker_killed_mid_job_is_failed_and_a_rerun_makes_a_whole_file(client, reviewer, worker):
    job = jobs.start(user=reviewer, task="test.count", title="数数",
                     params={"steps": 40, "pause": 0.08})  # fmt: skip
    assert job.state == JobState.QUEUED
    files = stored_files()
    worker.start()
    seen = wait_for(
        lambda: Job.objects.filter(pk=job.pk, state=JobState.RUNNING, progress__gt=0).first(),
        what="the job to show progress",
    )
    assert 0 < seen.progress < 100
    assert worker.kill()  # the worker and the work horse running the job
    killed_at = Job.objects.get(pk=job.pk).progress
    job.refresh_from_db()
    assert job.state == JobState.RUNNING and job.result_file == ""
    assert stored_files() == files  # no half file

    client.force_login(reviewer)
    assert client.get(reverse("job_status", args=[job.pk])).json()["state"] == "running"
    later = job.started_at + dt.timedelta(seconds=job.time_limit + jobs.GRACE_SECONDS + 1)
    assert Job.objects.get(pk=job.pk).progress == killed_at  # nothing runs it any more
    assert jobs.sweep(now=later)["failed"] == 1
    page = client.get(reverse("job", args=[job.pk])).content.decode()
    assert "时限" in page and 'data-testid="job-rerun"' in page

    response = client.post(reverse("job_rerun", args=[job.pk]))
    again = Job.objects.exclude(pk=job.pk).get()
    assert response.url == reverse("job", args=[again.pk]) and again.state == JobState.QUEUED
    Job.objects.filter(pk=again.pk).update(params={"steps": 40, "pause": 0})
    worker.burst()
    again.refresh_from_db()
    assert again.state == JobState.DONE
    whole = storages["job_results"].open(again.result_file).read().decode().split("\n")
    assert whole == [str(i) for i in range(40)]
    assert Job.objects.get(pk=job.pk).state == JobState.FAILED


def test_a_staffers_ledger_on_a_worker_holds_only_their_township(
    client, world, make_user, town, worker
):
    staff = make_user("staff_w", role=roles.TOWN_STAFF, town=town)
    client.force_login(staff)
    client.post(reverse("ledger_export"), {"as_of": timezone.localdate().isoformat()})
    worker.burst()
    job = Job.objects.get()
    assert job.state == JobState.DONE, job.error
    sheet = load_workbook(storages["job_results"].open(job.result_file))["汇总"]
    names = {row[1] for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert names - {None} == {town.name, "1 个乡镇"}, names  # one township, and its total
