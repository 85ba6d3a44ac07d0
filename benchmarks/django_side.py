"""The app's side of each measure, run in its own process against one database.

    python -m benchmarks.django_side MEASURE '{"as_of": "2024-06-30", ...}'

The environment (benchmarks.data.django_env) gives DATABASE_URL, the local settings and
DEBUG off. Prints one JSON object on the last line of stdout.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
import sys
import time

import django

from benchmarks.raw_sql import FIGURES


def _as_of(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _figures(rows, city) -> dict:
    figures = {row.town.code: {n: getattr(row, n) for n in FIGURES} for row in rows}
    figures[None] = {n: getattr(city, n) for n in FIGURES}
    return figures


def dashboard(*, as_of: str | None, runs: int) -> dict:
    """GET /dashboard/ as the reviewer through the test client; the selectors' figures too."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from signs import selectors

    client = Client()
    client.force_login(get_user_model().objects.get(username="reviewer"))
    date = _as_of(as_of) if as_of else timezone.localdate()
    query = {"as_of": as_of, "year": str(date.year)} if as_of else {}
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        first = client.get("/dashboard/", query)  # warm-up: templates, translations
    if first.status_code != 200:
        raise SystemExit(f"/dashboard/ answered {first.status_code}")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get("/dashboard/", query)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    selector_times = []
    for _ in range(runs):  # the figures alone, as the raw query computes them
        started = time.perf_counter()
        rows = selectors.town_progress(as_of=date)
        city = selectors.city_progress(as_of=date, rows=rows)
        selector_times.append(time.perf_counter() - started)
    return {
        "as_of": date.isoformat(),
        "times": times,
        "selector_times": selector_times,
        "queries": len(queries),
        "figures": {str(k): v for k, v in _figures(rows, city).items()},
    }


def ledger(*, as_of: str, path: str) -> dict:
    """reports.exports.write_ledger(out, *, as_of, towns=None) for the whole city, once."""
    from reports.exports import write_ledger

    with open(path, "wb") as out:
        started = time.perf_counter()
        write_ledger(out, as_of=_as_of(as_of))
        seconds = time.perf_counter() - started
    return {"seconds": seconds}


def table_export(*, as_of: str, runs: int) -> dict:
    """The dashboard's township table (TownProgressTable, what ?_export=xlsx sends through
    utilities.excel.write_table) against django-tables2's TableExport("xlsx") of the same table.

    The rows are computed once beforehand: only the writing of the workbook is timed.
    """
    from django.conf import settings
    from django.test import RequestFactory
    from django_tables2 import RequestConfig
    from django_tables2.export import TableExport
    from openpyxl import load_workbook

    from reports.tables import TownProgressTable
    from signs import selectors
    from supervision.selectors.review import review_figures_by_town
    from utilities.excel import write_table

    date = _as_of(as_of)
    rows = selectors.town_progress(as_of=date)
    table = TownProgressTable(rows, as_of=date, reviews=review_figures_by_town(as_of=date))
    RequestConfig(RequestFactory().get("/dashboard/"), paginate=False).configure(table)

    def ours() -> bytes:
        out = io.BytesIO()
        write_table(
            out, table, name="乡镇进度", title="各乡镇牌子清理规范工作进度表",
            unit=settings.SITE_UNIT_NAME, as_of=date,
        )  # fmt: skip
        return out.getvalue()

    def tablib() -> bytes:
        return TableExport("xlsx", table).export()

    result = {"rows": len(rows)}
    for name, write in (("write_table", ours), ("TableExport", tablib)):
        content = write()  # warm-up, and the file to check
        sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            write()
            times.append(time.perf_counter() - started)
        result[name] = {"times": times, "max_row": sheet.max_row, "bytes": len(content)}
    return result


def _pdf_pages(content: bytes) -> int | None:
    """The page count poppler's pdfinfo reads (None where poppler-utils is absent)."""
    if not shutil.which("pdfinfo"):
        return None
    info = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True)
    return int(re.search(rb"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))


def book(*, runs: int) -> dict:
    """一村一本 as the reviewer: the township with most villages, its books' PDF against their
    print page (the same HTML, so the ratio is WeasyPrint's layout and font embedding), and one
    village's print page against its village page (the same scope checks and layout).
    """
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client

    from villages.models import Town

    client = Client()
    client.force_login(get_user_model().objects.get(username="reviewer"))
    town = Town.objects.annotate(n=Count("villages")).order_by("-n", "code").first()
    village = town.villages.order_by("code").first()
    urls = {
        "town_pdf": f"/t/{town.code}/books.pdf",
        "town_page": f"/t/{town.code}/books/",
        "village_book": f"/v/{village.code}/book/",
        "village_page": f"/v/{village.code}/",
    }
    result = {"town": town.name, "villages": town.n}
    for name, url in urls.items():
        first = client.get(url)  # warm-up: templates, fonts, translations
        if first.status_code != 200:
            raise SystemExit(f"{url} answered {first.status_code}")
        times = []
        for _ in range(runs if name != "town_pdf" else min(runs, 3)):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        result[name] = {"times": times}
        if name == "town_pdf":
            content = response.content
            result["pdf_bytes"] = len(content)
            result["pdf_pages"] = _pdf_pages(content)
    return result


def job_start(*, as_of: str, runs: int) -> dict:
    """POST /dashboard/ledger/ as the reviewer with a queue configured (REDIS_URL in the
    environment): how long starting the 台账 job takes. The last job stays queued for the
    worker the benchmark runs next; the others are removed from the table and the queue."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from utilities import jobs
    from utilities.models import Job

    user, _ = get_user_model().objects.get_or_create(username="bench_jobs", is_superuser=True)
    client = Client()
    client.force_login(user)
    times = []
    for _run in range(runs):
        started = time.perf_counter()
        response = client.post("/dashboard/ledger/", {"as_of": as_of})
        times.append(time.perf_counter() - started)
        assert response.status_code == 302, response.status_code
    kept = Job.objects.filter(owner=user).order_by("-pk").first()
    jobs._queue().empty()
    Job.objects.filter(owner=user).exclude(pk=kept.pk).delete()
    Job.objects.filter(pk=kept.pk).update(state="failed")
    again = jobs.rerun(kept)  # alone in the queue
    return {"times": times, "job": again.pk}


def job_result(*, job: int) -> dict:
    """The job's state and its own time (started → finished), after the worker ran it."""
    from utilities.models import Job

    row = Job.objects.get(pk=job)
    seconds = (row.finished_at - row.started_at).total_seconds() if row.finished_at else None
    return {"state": row.state, "seconds": seconds, "error": row.error}


def wall_read_web(*, photos: int) -> dict:
    """拍照识牌's upload as a township staffer with a queue configured (REDIS_URL set): the web
    process's RSS after it, and whether it loaded the OCR engine. The jobs are left queued
    (removed from the queue and the table at the end)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from tests.helpers import plaque_photo
    from utilities import jobs
    from utilities.models import Job
    from villages import roles
    from villages.models import TownStaff, Village

    village = Village.objects.select_related("town").order_by("pk").first()
    user, created = get_user_model().objects.get_or_create(username="bench_wall")
    if created:
        user.groups.add(Group.objects.get(name=roles.TOWN_STAFF))
        TownStaff.objects.create(user=user, town=village.town)
    client = Client()
    client.force_login(user)
    picture = plaque_photo("党员活动室", "村务公开制度", size=(4000, 3000))
    for _n in range(photos):
        upload = SimpleUploadedFile("wall.jpg", picture, "image/jpeg")
        response = client.post(f"/v/{village.code}/read/", {"location": "一楼", "photos": upload})
        assert response.status_code == 302, response.status_code
    with open("/proc/self/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    engine = any(name.startswith(("rapidocr", "onnxruntime")) for name in sys.modules)
    if jobs.queued():
        jobs._queue().empty()
    Job.objects.filter(owner=user).delete()
    user.delete()  # not left as one more township staffer for the POST load test
    return {
        "rss_mb": int(fields["VmRSS"].split()[0]) / 1024,
        "hwm_mb": int(fields["VmHWM"].split()[0]) / 1024,
        "engine_loaded": engine,
    }


MEASURES = {
    "dashboard": dashboard,
    "ledger": ledger,
    "table_export": table_export,
    "book": book,
    "job_start": job_start,
    "job_result": job_result,
    "wall_read_web": wall_read_web,
}


if __name__ == "__main__":
    django.setup()
    measure, arguments = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps(MEASURES[measure](**arguments), default=str))
