"""Jobs (utilities.jobs) with no queue configured: they run in the request that starts them, and
the job pages, sweeping, expiry and errors behave as with a worker (tests/utilities/
test_job_worker.py runs the same life on a real RQ worker)."""

import datetime as dt
import io

import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from utilities import jobs
from utilities.models import Job, JobState


@pytest.fixture
def as_reviewer(client, reviewer):
    client.force_login(reviewer)
    return client


def file_bytes(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_ledger_runs_as_a_job_whose_page_shows_it_done(as_reviewer, world):
    response = as_reviewer.post(reverse("ledger_export"), {"as_of": "2024-03-01"})
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("job", args=[job.pk])
    assert (job.task, job.state, job.progress, job.params) == (
        "ledger", JobState.DONE, 100, {"as_of": "2024-03-01"})  # fmt: skip
    page = as_reviewer.get(response.url)
    html = page.content.decode()
    assert "截至 2024-03-01" in job.title or "2024-03-01" in job.title
    assert 'value="100"' in html and "已完成" in html
    assert reverse("job_file", args=[job.pk]) in html
    status = as_reviewer.get(reverse("job_status", args=[job.pk])).json()
    assert status | {"state_label": ""} == {
        "state": "done", "state_label": "", "progress": 100, "finished": True, "error": "",
        "download": True, "next": "", "message": "", "url": ""}  # fmt: skip
    workbook = load_workbook(
        io.BytesIO(file_bytes(as_reviewer.get(reverse("job_file", args=[job.pk]))))
    )
    assert workbook.sheetnames[:2] == ["汇总", "村级明细"]
    assert job.expires_at - job.finished_at == dt.timedelta(hours=24)


def test_the_ledger_is_started_by_post_only(as_reviewer):
    assert as_reviewer.get(reverse("ledger_export")).status_code == 405
    assert not Job.objects.exists()


def test_the_job_list_shows_only_the_users_own_jobs(client, reviewer, make_user):
    from villages import roles

    other = make_user("reviewer_b", role=roles.REVIEWER)
    mine = jobs.start(user=reviewer, task="test.count", title="我的数数")
    jobs.start(user=other, task="test.count", title="别人的数数")
    client.force_login(reviewer)
    html = client.get(reverse("jobs")).content.decode()
    assert "我的数数" in html and "别人的数数" not in html
    assert reverse("job_file", args=[mine.pk]) in html


def test_a_refused_job_fails_with_its_own_chinese_message(as_reviewer, reviewer):
    job = jobs.start(user=reviewer, task="test.refuse", title="拒绝")
    assert (job.state, job.error, job.result_file) == (JobState.FAILED, "这份材料不能处理。", "")
    html = as_reviewer.get(reverse("job", args=[job.pk])).content.decode()
    assert "这份材料不能处理。" in html and 'data-testid="job-rerun"' in html
    assert as_reviewer.get(reverse("job_file", args=[job.pk])).status_code == 404


def test_a_crashed_job_fails_with_a_message_and_no_file(reviewer):
    job = jobs.start(user=reviewer, task="test.crash", title="出错")
    assert job.state == JobState.FAILED and "KeyError" in job.error and "重新" in job.error
    assert job.finished_at is not None and job.result_file == ""


def test_a_failed_job_can_be_started_again_as_a_new_job(as_reviewer, reviewer):
    failed = jobs.start(user=reviewer, task="test.refuse", title="拒绝")
    Job.objects.filter(pk=failed.pk).update(task="test.count")  # the cause is gone
    response = as_reviewer.post(reverse("job_rerun", args=[failed.pk]))
    again = Job.objects.exclude(pk=failed.pk).get()
    assert response.url == reverse("job", args=[again.pk]) and again.state == JobState.DONE
    assert Job.objects.get(pk=failed.pk).state == JobState.FAILED  # its record stays


def test_a_running_job_is_not_started_twice(as_reviewer, reviewer):
    job = Job.objects.create(owner=reviewer, task="test.count", title="进行中",
                             state=JobState.RUNNING, started_at=timezone.now(), time_limit=60)  # noqa: E501  # fmt: skip
    as_reviewer.post(reverse("job_rerun", args=[job.pk]))
    assert Job.objects.count() == 1


def test_a_job_stuck_past_its_time_limit_is_marked_failed(as_reviewer, reviewer):
    started = timezone.now() - dt.timedelta(seconds=60 + jobs.GRACE_SECONDS + 1)
    stuck = Job.objects.create(owner=reviewer, task="test.count", title="卡住", progress=40,
                               state=JobState.RUNNING, started_at=started, time_limit=60)  # noqa: E501  # fmt: skip
    fresh = Job.objects.create(owner=reviewer, task="test.count", title="刚开始",
                               state=JobState.RUNNING, started_at=timezone.now(), time_limit=60)  # noqa: E501  # fmt: skip
    status = as_reviewer.get(reverse("job_status", args=[stuck.pk])).json()
    assert status["state"] == "failed" and "时限" in status["error"] and status["finished"]
    assert Job.objects.get(pk=fresh.pk).state == JobState.RUNNING
    assert as_reviewer.get(reverse("job_status", args=[fresh.pk])).json()["state"] == "running"


def test_a_job_no_worker_took_is_marked_failed(reviewer, settings):
    job = Job.objects.create(owner=reviewer, task="test.count", title="没人接", time_limit=60)
    Job.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - dt.timedelta(seconds=settings.JOB_QUEUED_LIMIT_SECONDS + 1)
    )
    assert jobs.sweep() == {"failed": 1, "expired": 0}
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "后台" in job.error


def test_a_finish_after_the_job_was_marked_failed_is_discarded(reviewer):
    storage = storages["job_results"]
    job = Job.objects.create(owner=reviewer, task="test.count", title="迟到", time_limit=60)

    saved = []

    def late(run):
        run.write_file(lambda out: out.write(b"late"), name="迟到.txt")
        saved.append(run.file)
        Job.objects.filter(pk=job.pk).update(state=JobState.FAILED, error="超时")  # the sweep
        return {}

    jobs._TASKS["test.late"] = jobs.Task("test.late", late, time_limit=60, retries=0)
    try:
        Job.objects.filter(pk=job.pk).update(task="test.late")
        jobs.execute(job.pk)
    finally:
        del jobs._TASKS["test.late"]
    job.refresh_from_db()
    assert (job.state, job.result_file) == (JobState.FAILED, "")
    assert saved and not storage.exists(saved[0])


def test_a_transient_error_is_retried_a_bounded_number_of_times(reviewer, settings):
    """With a queue, an OSError goes back to RQ for another attempt, `retries` times at most."""
    calls = []

    def flaky(run):
        calls.append(1)
        raise OSError("共享目录暂时不可用")

    jobs._TASKS["test.flaky"] = jobs.Task("test.flaky", flaky, time_limit=60, retries=1)
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # queued mode; execute is called as RQ would
    try:
        job = Job.objects.create(owner=reviewer, task="test.flaky", title="不稳", time_limit=60)
        with pytest.raises(OSError):
            jobs.execute(job.pk)  # attempt 1: back to the queue for RQ's retry
        job.refresh_from_db()
        assert (job.state, job.attempts) == (JobState.QUEUED, 1)
        jobs.execute(job.pk)  # attempt 2: the last
        job.refresh_from_db()
        assert (job.state, job.attempts, len(calls)) == (JobState.FAILED, 2, 2)
        assert "OSError" in job.error
        jobs.execute(job.pk)  # a third delivery runs nothing
        assert len(calls) == 2
    finally:
        del jobs._TASKS["test.flaky"]


def test_a_finished_file_is_deleted_after_its_expiry(as_reviewer, reviewer):
    storage = storages["job_results"]
    job = jobs.start(user=reviewer, task="test.count", title="数数", params={"steps": 3})
    path = job.result_file
    assert storage.open(path).read() == b"0\n1\n2"
    assert file_bytes(as_reviewer.get(reverse("job_file", args=[job.pk]))) == b"0\n1\n2"
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    html = as_reviewer.get(reverse("jobs")).content.decode()  # the list sweeps the user's jobs
    job.refresh_from_db()
    assert job.state == JobState.EXPIRED and job.result_file == "" and "已过期" in html
    assert not storage.exists(path)
    assert as_reviewer.get(reverse("job_file", args=[job.pk])).status_code == 404


def test_jobs_sweep_command_reports_what_it_did(reviewer, capsys):
    job = jobs.start(user=reviewer, task="test.count", title="数数")
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    call_command("jobs_sweep")
    assert "expired 1" in capsys.readouterr().out


def test_the_queue_being_down_is_said_in_chinese_and_nothing_is_recorded(as_reviewer, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = as_reviewer.post(reverse("ledger_export"), {"as_of": "2024-03-01"})
    assert response.status_code == 503
    assert "后台任务服务暂时无法连接" in response.content.decode()
    assert not Job.objects.exists()


def test_rebuild_tallies_as_a_job(reviewer, capsys):
    call_command("rebuild_tallies", queue=reviewer.username)
    job = Job.objects.get()
    assert job.state == JobState.DONE and job.result["villages"] >= 0
    assert f"任务 {job.pk}" in capsys.readouterr().out


def test_a_large_table_export_is_made_by_a_job_equal_to_the_direct_one(
    as_reviewer, world, settings
):  # noqa: E501
    query = {"as_of": "2024-03-01", "year": "2024", "_export": "xlsx"}
    direct = as_reviewer.get(reverse("dashboard"), query)
    settings.EXPORT_JOB_ROWS = 1  # the hand-built world has two townships
    started = as_reviewer.get(reverse("dashboard"), query)
    job = Job.objects.get()
    assert started.url == reverse("job", args=[job.pk]) and job.task == "table_export"
    assert job.state == JobState.DONE, job.error
    assert job.result_name == "各乡镇进度_截至2024-03-01.xlsx"
    assert job.result_ascii_name == "hengzhou-townships-2024-03-01.xlsx"
    made = file_bytes(as_reviewer.get(reverse("job_file", args=[job.pk])))
    sheet = load_workbook(io.BytesIO(made)).active
    expected = load_workbook(io.BytesIO(file_bytes(direct))).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        list(r) for r in expected.iter_rows(values_only=True)
    ]


def test_a_staffers_large_export_job_keeps_the_pages_scope(client, world, make_user, settings):  # noqa: E501
    from villages import roles

    staff = make_user("staff_x", role=roles.TOWN_STAFF, town=world["town"])
    client.force_login(staff)
    settings.EXPORT_JOB_ROWS = 0
    other = world["c"].town  # another township's page, by its URL
    assert client.get(reverse("town", args=[other.code]), {"_export": "xlsx"}).status_code == 404
    assert not Job.objects.exists()
    client.get(reverse("town", args=[world["town"].code]), {"_export": "xlsx"})
    job = Job.objects.get()
    assert job.state == JobState.DONE, job.error
    rows = list(load_workbook(storages["job_results"].open(job.result_file)).active.values)
    names = {row[1] for row in rows}
    assert {"城东村", "城西村"} <= names and "百合村" not in names
