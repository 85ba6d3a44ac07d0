"""Every export sorts as Excel expects: dates are typed dates, and the plain file name is a
readable ASCII name for the clients that ignore the Chinese filename*."""

import datetime as dt
import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from supervision.models import WorkList
from tests.helpers import ledger_download

# A date typed as text: what the exports wrote before ("2024-09-04"), or any Chinese form.
DATE_AS_TEXT = re.compile(r"^\s*\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}")
DATE_HEADER = re.compile(r"日期|时间")
PLAIN_NAME = re.compile(
    r'filename="(hengzhou-[a-z]+(?:-[a-z]+)*(?:-\d+)*(?:-\d{4}-\d{2}-\d{2})?\.xlsx)"'
)


@pytest.fixture
def demo(db):
    """A small demo: 40 villages and its supervision (work lists, visits, reviews)."""
    call_command("seed_demo", "--villages", "40", stdout=io.StringIO())
    call_command("seed_supervision", stdout=io.StringIO())


def content(response) -> bytes:
    assert response.status_code == 200, response
    return b"".join(response.streaming_content) if response.streaming else response.content


def date_cells(content_bytes):
    """(sheet, header, value) of every non-empty cell under a 日期/时间 header, and the text
    cells anywhere below the headers that read as a date."""
    workbook = load_workbook(io.BytesIO(content_bytes))
    typed, as_text = [], []
    for ws in workbook.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        if len(rows) < 4:
            continue
        headers = rows[2]
        for row in rows[3:]:
            if all(v is None for v in row):  # the blank line before the signature footer
                break
            for header, value in zip(headers, row, strict=False):
                if isinstance(value, str) and DATE_AS_TEXT.match(value):
                    as_text.append((ws.title, header, value))
                elif header and DATE_HEADER.search(str(header)) and value not in (None, ""):
                    typed.append((ws.title, header, value))
    return typed, as_text


def exports(client_for):
    """(name, response) of each export, run as the user who may run it."""
    reviewer = client_for("reviewer")
    staff = client_for("staff_450181100")
    work_list = WorkList.objects.order_by("pk").first()
    yield "ledger", ledger_download(reviewer, {"as_of": "2024-09-06"})
    yield (
        "dashboard",
        reviewer.get(
            reverse("dashboard"), {"as_of": "2024-09-06", "year": "2024", "_export": "xlsx"}
        ),
    )
    yield "town", staff.get(reverse("town", args=["450181100"]), {"_export": "xlsx"})
    yield (
        "worklist",
        reviewer.get(reverse("worklist_detail", args=[work_list.pk]), {"_export": "xlsx"}),
    )
    yield "assessment", reviewer.get(reverse("assessment"), {"year": "2024", "_export": "xlsx"})


@pytest.fixture
def client_for(demo):
    def make(username):
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    return make


@pytest.mark.django_db
def test_every_date_in_every_export_is_a_typed_date(client_for):
    checked = {}
    for name, response in exports(client_for):
        typed, as_text = date_cells(content(response))
        assert as_text == [], f"{name}: dates written as text: {as_text[:5]}"
        for sheet, header, value in typed:
            assert isinstance(value, dt.datetime), f"{name} {sheet} {header}: {value!r}"
        checked[name] = len(typed)
    # The exports that hold dates do carry them (the check above is not vacuous).
    assert checked["ledger"] > 100 and checked["town"] > 0 and checked["dashboard"] == 17
    assert checked["worklist"] > 0


@pytest.mark.django_db
def test_last_removal_dates_read_back_as_the_dates_on_screen(client_for):
    staff = client_for("staff_450181100")
    url = reverse("town", args=["450181100"])
    on_screen = {row.name: row.last_removed_on for row in staff.get(url).context["table"].data}
    workbook = load_workbook(io.BytesIO(content(staff.get(url, {"_export": "xlsx"}))))
    ws = workbook.worksheets[0]
    headers = [c.value for c in ws[3]]
    name_col, date_col = headers.index("村(社区)"), headers.index("最近摘除日期")
    exported = {
        row[name_col]: row[date_col]
        for row in ws.iter_rows(min_row=4, values_only=True)
        if isinstance(row[0], int)
    }
    assert exported.keys() == on_screen.keys()
    for village, day in on_screen.items():
        assert exported[village] == (dt.datetime.combine(day, dt.time()) if day else None)


@pytest.mark.django_db
def test_plain_file_names_are_readable_ascii(client_for):
    names = {}
    for name, response in exports(client_for):
        header = response["Content-Disposition"]
        assert "filename*=UTF-8''" in header
        match = PLAIN_NAME.search(header)
        assert match, f"{name}: {header}"
        names[name] = match.group(1)
    staff = client_for("staff_450181100")
    template = staff.get(reverse("sign_import_template", args=["450181100"]))
    names["template"] = PLAIN_NAME.search(template["Content-Disposition"]).group(1)
    assert names["ledger"] == "hengzhou-ledger-2024-09-06.xlsx"
    assert names["dashboard"] == "hengzhou-townships-2024-09-06.xlsx"
    assert names["town"].startswith("hengzhou-town-450181100-")
    assert names["assessment"] == "hengzhou-assessment-2024.xlsx"
    assert names["template"] == "hengzhou-sign-import-450181100.xlsx"
    assert len(set(names.values())) == len(names)
