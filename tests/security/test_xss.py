"""XSS: markup typed into any text field comes out escaped on every page that shows it, inside
the dashboard's chart JSON, and as plain text cells in the Excel exports."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from signs.models import ApprovedItem, Removal, Signboard
from tests.helpers import ledger_download

from .support import (
    OWN,
    content,
    form_data,
    pending_sign_import,
    sign_file,
    workbook_cells,
)

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(1)</script>",
    "'><svg onload=alert(1)>",
    "{{ 7*7 }}<b>{% debug %}</b>",
]
# Each field gets the payload plus its own suffix, so a page can be checked field by field.
SUFFIX = {
    "town": "镇",
    "village": "村",
    "title": "牌",
    "location": "室",
    "item": "项",
    "removed_title": "摘",
    "note": "注",
    "person": "人",
    "revoked_title": "撤牌",
    "revoke_reason": "撤",
}


class Texts(dict):
    """field -> the stored text; `.payload` is the bare payload."""

    payload: str


PAYLOAD_IDS = ["script", "attribute", "close-script", "svg", "template"]


@pytest.fixture(params=PAYLOADS, ids=PAYLOAD_IDS)
def texts(request, world) -> Texts:
    """Town A with the payload in every user-entered text field."""
    payload = request.param
    texts = Texts({field: payload + suffix for field, suffix in SUFFIX.items()})
    texts.payload = payload
    town, village = world.towns[OWN], world.villages[OWN]
    town.name = texts["town"]
    town.save()
    village.name = texts["village"]
    village.save()
    sign = world.signs[OWN]
    sign.title, sign.location = texts["title"], texts["location"]
    sign.save()
    item = ApprovedItem.objects.get(standard__is_current=True, kind="plaque", number=3)
    item.title = texts["item"]
    item.save()
    staff = world.staff[OWN]
    staff.first_name = texts["person"]
    staff.save()
    removal = world.removals[OWN]
    removal.note, removal.recorded_by = texts["note"], staff
    removal.save()
    removal.signboard.title = texts["removed_title"]
    removal.signboard.save()
    revoked = Signboard.objects.create(
        village=village, title=texts["revoked_title"], kind="guidance", location="外墙",
        inventoried_on=dt.date(2024, 1, 2),
    )  # fmt: skip
    Removal.objects.create(
        signboard=revoked, removed_on=dt.date(2024, 3, 1), reason="low_demand",
        recorded_by=staff, recorded_at=timezone.now() - dt.timedelta(days=1),
        revoked_at=timezone.now(), revoked_by=staff,
        revoke_reason=texts["revoke_reason"],
    )  # fmt: skip
    texts.revoked_sign = revoked
    return texts


def assert_escaped(html: str, texts: Texts, fields) -> None:
    assert texts.payload not in html, "the payload reached the page unescaped"
    for field in fields:
        assert escape(texts[field]) in html, f"{field} is not shown (escaped) on the page"


PAGES = {
    # name: (url builder, who looks, the fields the page shows)
    "town": (lambda w, t: reverse("town", args=[w.towns[OWN].code]), "staff",
             ["town", "village"]),
    "village": (lambda w, t: reverse("village", args=[w.villages[OWN].code]), "staff",
                ["town", "village", "title", "location", "item", "removed_title",
                 "revoked_title"]),
    "history": (lambda w, t: reverse("signboard_history", args=[w.removals[OWN].signboard_id]),
                "staff", ["village", "removed_title", "note", "person"]),
    "history_revoked": (lambda w, t: reverse("signboard_history", args=[t.revoked_sign.pk]),
                        "staff", ["revoked_title", "revoke_reason", "person"]),
    "removal_form": (lambda w, t: reverse("removal_create", args=[w.signs[OWN].pk]), "staff",
                     ["village", "title", "location"]),
    "revoke_form": (lambda w, t: reverse("removal_revoke", args=[w.removals[OWN].pk]), "staff",
                    ["village", "removed_title"]),
    "signboard_form": (lambda w, t: reverse("signboard_create", args=[w.villages[OWN].code]),
                       "staff", ["village", "location", "item"]),
    "village_history": (lambda w, t: reverse("village_history", args=[w.villages[OWN].code]),
                        "staff", ["town", "village"]),
    "town_activity": (lambda w, t: reverse("town_activity", args=[w.towns[OWN].code]),
                      "reviewer", ["town"]),
    "qr": (lambda w, t: reverse("village_qr", args=[w.villages[OWN].code]), "staff",
           ["town", "village"]),
    "import": (lambda w, t: reverse("sign_import", args=[w.towns[OWN].code]), "staff",
               ["town"]),
    "dashboard": (lambda w, t: reverse("dashboard"), "reviewer", ["town"]),
    "dashboard_staff": (lambda w, t: reverse("dashboard"), "staff", ["town"]),
    "reviewer_village": (lambda w, t: reverse("village", args=[w.villages[OWN].code]),
                         "reviewer", ["town", "village", "title", "location"]),
}  # fmt: skip


def user(world, who):
    return world.reviewer if who == "reviewer" else world.staff[OWN]


@pytest.mark.parametrize("page", sorted(PAGES))
def test_pages_show_user_text_escaped(world, texts, page):
    build, who, fields = PAGES[page]
    response = world.client(user(world, who)).get(build(world, texts))
    assert response.status_code == 200
    assert_escaped(response.content.decode(), texts, fields)


def chart_json(html: str) -> str:
    match = re.search(
        r'<script id="chart-data" type="application/json">(.*?)</script>', html, re.DOTALL
    )
    assert match, "the dashboard has no chart-data json_script block"
    return match.group(1)


def test_chart_json_cannot_break_out_of_its_script_tag(world, texts):
    html = world.client(world.reviewer).get(reverse("dashboard")).content.decode()
    raw = chart_json(html)
    assert "<" not in raw and ">" not in raw, "json_script must escape < and >"
    data = json.loads(raw)
    assert texts["town"] in [town["name"] for town in data["towns"]]
    assert texts["town"] in data["progress"]["towns"]
    # Exactly one script element carries the data: nothing in it closed the tag early.
    assert html.count('<script id="chart-data"') == 1


def test_messages_after_a_write_are_escaped(world, texts):
    client = world.client(world.staff[OWN])
    url = reverse("signboard_create", args=[world.villages[OWN].code])
    data = form_data(title=texts["title"] + "新", kind="other", inventoried_on="2024-01-02")
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert Signboard.objects.filter(title=texts["title"] + "新").exists()
    html = response.content.decode()
    assert texts.payload not in html
    assert escape(texts["title"] + "新") in html


QUERY_PARAMETERS = ["q", "as_of", "year", "sort", "meets_standard", "kind"]


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_query_parameters_are_not_reflected_raw(world, payload):
    client = world.client(world.staff[OWN])
    for url in (reverse("town", args=[world.towns[OWN].code]), reverse("dashboard")):
        for query in (dict.fromkeys(QUERY_PARAMETERS, payload), {"page": payload}):
            response = client.get(url, query)
            assert response.status_code in (200, 404), url  # django-tables2: a bad page is 404
            assert payload not in response.content.decode(), f"{url} {query}"


def test_import_preview_shows_file_name_and_cells_escaped(world, texts):
    client = world.client(world.staff[OWN])
    village = world.villages[OWN]
    url = reverse("sign_import", args=[village.town.code])
    upload = sign_file(village, name=texts.payload + ".xlsx", title=texts["title"] + "导",
                       location=texts["location"] + "导")  # fmt: skip
    response = client.post(url, form_data(file=upload), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert response.redirect_chain, "the upload should pass its checks and lead to the preview"
    assert "signs/import_preview.html" in [t.name for t in response.templates]
    assert texts.payload not in html
    assert escape(texts["title"] + "导") in html
    assert escape(texts["location"] + "导") in html
    assert escape(texts.payload) in html  # the file name, in the heading


def test_import_errors_echo_cells_escaped(world, texts):
    client = world.client(world.staff[OWN])
    village = world.villages[OWN]
    upload = sign_file(village, kind=texts.payload, reason=texts.payload, removed="2024-03-01")
    response = client.post(reverse("sign_import", args=[village.town.code]), form_data(file=upload))
    # Unknown words go to the mapping step, which quotes each one to ask what it means.
    assert response.status_code == 302 and response.url.endswith("/columns/")
    page = client.get(response.url)
    assert len(page.context["form"].words) == 2, "the bad kind and reason must be asked"
    html = page.content.decode()
    assert texts.payload not in html
    assert html.count(escape(texts.payload)) >= 2  # each word quoted as the ledger wrote it


def test_pending_preview_page_is_escaped_on_reload(world, texts):
    client = world.client(world.staff[OWN])
    token = pending_sign_import(client, world.villages[OWN])
    url = reverse("sign_import_preview", args=[world.towns[OWN].code, token])
    response = client.get(url)
    assert response.status_code == 200
    assert_escaped(response.content.decode(), texts, ["town", "village"])


# --- Excel ------------------------------------------------------------------------------------


def cells_with(data: bytes, text: str):
    return [(sheet, cell) for sheet, cell in workbook_cells(data) if cell.value == text]


def assert_plain_text_cells(data: bytes, texts: Texts, fields) -> None:
    for field in fields:
        found = cells_with(data, texts[field])
        assert found, f"{field} is missing from the workbook"
        for sheet, cell in found:
            assert cell.data_type == "s", f"{sheet}!{cell.coordinate} is not a text cell"


def test_township_table_export_keeps_markup_as_text(world, texts):
    town = world.towns[OWN]
    response = world.client(world.staff[OWN]).get(
        reverse("town", args=[town.code]), {"_export": "xlsx"}
    )
    assert response.status_code == 200
    assert_plain_text_cells(content(response), texts, ["village"])


def test_ledger_keeps_markup_as_text_on_every_sheet(world, texts):
    response = ledger_download(world.client(world.reviewer))
    assert response.status_code == 200
    data = content(response)
    assert_plain_text_cells(
        data, texts, ["town", "village", "title", "location", "removed_title", "note", "item"]
    )
    sheets = {sheet for sheet, _cell in cells_with(data, texts["village"])}
    assert {"村级明细", "摘牌记录", "牌子台账"} <= sheets


def test_dashboard_table_export_keeps_markup_as_text(world, texts):
    response = world.client(world.reviewer).get(reverse("dashboard"), {"_export": "xlsx"})
    assert response.status_code == 200
    assert_plain_text_cells(content(response), texts, ["town"])


def test_import_template_keeps_markup_as_text(world, texts):
    response = world.client(world.staff[OWN]).get(
        reverse("sign_import_template", args=[world.towns[OWN].code])
    )
    assert response.status_code == 200
    assert_plain_text_cells(content(response), texts, ["village", "item"])


@pytest.mark.parametrize("name", ["横州镇/城区", "横州[镇]", "横州镇: 城区"])
def test_township_export_survives_a_name_excel_forbids_in_sheet_titles(world, name):
    town = world.towns[OWN]
    town.name = name
    town.save()
    client = world.client(world.staff[OWN])
    client.raise_request_exception = False
    response = client.get(reverse("town", args=[town.code]), {"_export": "xlsx"})
    assert response.status_code == 200
    assert any(name in str(cell.value) for _sheet, cell in workbook_cells(content(response)))
