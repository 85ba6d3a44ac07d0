"""A ledger import with a job queue: the read and plan of the preview and the commit of the
confirm run on a real RQ worker (tests/jobs.py); the web process never reads the file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from signs import imports
from signs.models import Removal, Signboard
from tests.security.support import SIGN_HEADERS, sign_row, xlsx
from utilities.models import Job, JobState
from villages import roles

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff_client(client, make_user, village, settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "pending")
    client.force_login(make_user("staff_ledger", role=roles.TOWN_STAFF, town=village.town))
    return client


@pytest.fixture
def web_never_reads(monkeypatch):
    def not_here(*args, **kwargs):
        raise AssertionError("the web process read the ledger")

    monkeypatch.setattr(imports, "read_sign_sheet", not_here)


def ledger(village, rows: int, **row) -> SimpleUploadedFile:
    data = xlsx([sign_row(village, title=f"牌子{n}", **row) for n in range(rows)], SIGN_HEADERS,
                sheet="牌子清单")  # fmt: skip
    return SimpleUploadedFile("台账.xlsx", data)


def test_the_preview_and_the_commit_run_on_the_worker(
    staff_client, village, worker, web_never_reads
):  # noqa: E501
    town = village.town
    upload = staff_client.post(reverse("sign_import", args=[town.code]),
                               {"file": ledger(village, 30, removed="2024-03-01",
                                               reason="无实际业务")})  # fmt: skip
    preview_url = upload.url
    waiting = staff_client.get(preview_url)
    plan_job = Job.objects.get(task="sign_import_plan")
    assert waiting.url == reverse("job", args=[plan_job.pk])
    assert staff_client.get(preview_url).url == waiting.url  # not planned yet: the same job

    worker.burst()
    plan_job.refresh_from_db()
    assert plan_job.state == JobState.DONE, plan_job.error
    assert plan_job.result["summary"]["signs"] == 30
    status = staff_client.get(reverse("job_status", args=[plan_job.pk])).json()
    assert status["next"] == preview_url
    preview = staff_client.get(preview_url)
    assert preview.status_code == 200
    html = preview.content.decode()
    assert 'data-testid="count-signs">30<' in html and 'data-testid="count-removals">30<' in html

    confirm = staff_client.post(preview_url)
    commit_job = Job.objects.get(task="sign_import_commit")
    assert confirm.url == reverse("job", args=[commit_job.pk])
    assert not Signboard.objects.exists()  # nothing written before the worker
    worker.burst()
    commit_job.refresh_from_db()
    assert commit_job.state == JobState.DONE, commit_job.error
    assert Signboard.objects.filter(village=village).count() == 30
    assert Removal.objects.filter(signboard__village=village).count() == 30
    page = staff_client.get(reverse("job", args=[commit_job.pk])).content.decode()
    assert "导入完成：新增牌子 30 块、摘牌记录 30 条" in page
    assert reverse("town", args=[town.code]) in page

    again = staff_client.post(preview_url)  # a second confirm changes nothing
    worker.burst()
    second = Job.objects.get(pk=int(again.url.rstrip("/").rsplit("/", 1)[1]))
    assert second.state == JobState.FAILED and "变化" in second.error
    assert Signboard.objects.count() == 30


def test_a_ledger_with_bad_rows_fails_its_job_with_every_located_error(
    staff_client, village, worker
):  # noqa: E501
    town = village.town
    upload = staff_client.post(reverse("sign_import", args=[town.code]),
                               {"file": ledger(village, 3, removed="2099-01-01",
                                               reason="无实际业务")})  # fmt: skip
    staff_client.get(upload.url)
    worker.burst()
    job = Job.objects.get(task="sign_import_plan")
    assert job.state == JobState.FAILED
    assert len(job.error.splitlines()) == 3 and "第2行" in job.error
    refused = staff_client.get(upload.url)  # the preview gives the upload page its errors
    assert refused.status_code == 200 and "第4行" in refused.content.decode()
    assert not Signboard.objects.exists()


def test_with_the_queue_down_the_preview_says_so_and_keeps_no_copy(staff_client, village, settings):  # noqa: E501
    from pathlib import Path

    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    upload = staff_client.post(reverse("sign_import", args=[village.town.code]),
                               {"file": ledger(village, 2)})  # fmt: skip
    inputs = set(Path(settings.JOB_RESULTS_ROOT).rglob("*.ledger"))
    response = staff_client.get(upload.url)
    assert response.status_code == 503 and not Job.objects.exists()
    assert set(Path(settings.JOB_RESULTS_ROOT).rglob("*.ledger")) == inputs
