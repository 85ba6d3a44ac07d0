"""Formula (CSV/Excel) injection: text that starts like a formula comes back from every export
as a text cell marked as typed text (quotePrefix), never as a formula, on every sheet."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.urls import reverse

from signs.models import ApprovedItem, Standard
from tests.helpers import ledger_download

from .support import OWN, content, workbook_cells

PAYLOADS = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
]
IDS = ["eq", "plus", "minus", "at", "tab", "cr", "hyperlink", "dde"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SUFFIX = {"town": "镇", "village": "村", "title": "牌", "location": "室", "note": "注",
          "person": "人", "item": "项", "standard": "汇编"}  # fmt: skip
# A township name with these cannot name a sheet or a download (the township table and the
# import template do both): test_xss.py and test_township_name_in_download_headers cover them.
NOT_FOR_FILE_NAMES = set("/\\?*:[]\r\n")


@pytest.fixture(params=PAYLOADS, ids=IDS)
def texts(request, world) -> dict:
    """Town A with a formula-like text at the start of every field an export shows."""
    payload = request.param
    texts = {field: payload + suffix for field, suffix in SUFFIX.items()}
    town, village = world.towns[OWN], world.villages[OWN]
    town.name = texts["town"]
    town.save()
    village.name = texts["village"]
    village.save()
    sign = world.signs[OWN]
    sign.title, sign.location = texts["title"], texts["location"]
    sign.save()
    staff = world.staff[OWN]
    staff.first_name = texts["person"]
    staff.save()
    removal = world.removals[OWN]
    removal.note, removal.recorded_by = texts["note"], staff
    removal.save()
    item = ApprovedItem.objects.get(standard__is_current=True, kind="plaque", number=3)
    item.title = texts["item"]
    item.save()
    Standard.objects.filter(is_current=True).update(title=texts["standard"])
    return texts


def assert_no_live_formula(data: bytes, texts: dict, expected: list[str]) -> None:
    """No formula in the sheets' XML; every formula-like text a typed-text string cell; each
    expected field present."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = archive.read(name).decode()
                assert not re.search(r"<f[ >]", xml), f"{name} holds a formula"
    found = set()
    for sheet, cell in workbook_cells(data):
        value = cell.value
        assert cell.data_type != "f", f"{sheet}!{cell.coordinate} is a formula: {value!r}"
        if isinstance(value, str) and value.startswith(FORMULA_START):
            assert cell.data_type == "s", f"{sheet}!{cell.coordinate}"
            assert cell.quotePrefix, f"{sheet}!{cell.coordinate} {value!r} lacks quotePrefix"
        for field in expected:
            if isinstance(value, str) and value.startswith(texts[field]):
                found.add(field)
    missing = set(expected) - found
    assert not missing, f"not in the workbook (so not checked): {sorted(missing)}"


def plain_town_name_where_needed(world, texts) -> list[str]:
    """Give town A a plain name where its payload cannot name a sheet or a file; the fields
    left to expect in the workbook."""
    if NOT_FOR_FILE_NAMES & set(texts["town"]):
        world.towns[OWN].name = "横州镇"
        world.towns[OWN].save()
        return []
    return ["town"]


def test_township_table_export(world, texts):
    town_field = plain_town_name_where_needed(world, texts)
    response = world.client(world.staff[OWN]).get(
        reverse("town", args=[world.towns[OWN].code]), {"_export": "xlsx"}
    )
    assert response.status_code == 200
    # The title row starts with the township's name.
    assert_no_live_formula(content(response), texts, ["village", *town_field])


def test_dashboard_table_export(world, texts):
    response = world.client(world.reviewer).get(reverse("dashboard"), {"_export": "xlsx"})
    assert response.status_code == 200
    assert_no_live_formula(content(response), texts, ["town"])


@pytest.mark.parametrize("who", ["reviewer", "staff"])
def test_ledger_every_sheet(world, texts, who):
    user = world.reviewer if who == "reviewer" else world.staff[OWN]
    response = ledger_download(world.client(user))
    assert response.status_code == 200
    assert_no_live_formula(
        content(response),
        texts,
        ["town", "village", "title", "location", "note", "person", "item", "standard"],
    )


def test_sign_import_template(world, texts):
    plain_town_name_where_needed(world, texts)
    response = world.client(world.staff[OWN]).get(
        reverse("sign_import_template", args=[world.towns[OWN].code])
    )
    assert response.status_code == 200
    assert_no_live_formula(content(response), texts, ["village", "item"])


def test_village_import_template(world, texts):
    response = world.client(world.reviewer).get(reverse("village_import_template"))
    assert response.status_code == 200
    assert_no_live_formula(content(response), texts, [])


@pytest.mark.parametrize("name", ['横州"; filename="x.html', "横州\r镇"], ids=["quote", "cr"])
def test_township_name_in_download_headers(world, name):
    town = world.towns[OWN]
    town.name = name
    town.save()
    client = world.client(world.staff[OWN])
    client.raise_request_exception = False
    response = client.get(reverse("sign_import_template", args=[town.code]))
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert re.fullmatch(
        r"attachment; filename=\"[^\"\\;\x00-\x1f]*\"; filename\*=UTF-8''\S+", header
    )
