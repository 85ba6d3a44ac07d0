"""SQL-looking input in search boxes, filters, dates and form fields: no 500, no extra rows, the
tables still there, and the text stored exactly as typed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from signs.models import Removal, Signboard
from tests.helpers import ledger_download
from villages.models import AuditEntry, Village

from .support import OWN, content, form_data, workbook_cells

INJECTIONS = [
    "' OR 1=1 --",
    "1; DROP TABLE signs_signboard;--",
    "%' --",
    "%",
    "_",
    '" OR ""="',
    "1' UNION SELECT username, password FROM auth_user --",
    "\\",
    "\x00",
]
IDS = ["or", "drop", "percent-comment", "percent", "underscore", "dquote", "union", "backslash",
       "nul"]  # fmt: skip
TABLES = {"signs_signboard", "signs_removal", "villages_village", "villages_town", "auth_user"}


@pytest.fixture
def villages(world):
    """Town A: a few villages, so that a search that matched everything would show it."""
    town = world.towns[OWN]
    for number, name in enumerate(["城西村", "城南村", "城北社区"], start=2):
        Village.objects.create(town=town, code=f"45018110020{number}", name=name)
    return world


def assert_tables_intact():
    names = set(connection.introspection.table_names())
    assert names >= TABLES
    assert Signboard.objects.count() > 0 and Village.objects.count() > 0


def village_names(response) -> list[str]:
    return sorted(v.name for v in response.context["table"].data)


@pytest.mark.parametrize("text", INJECTIONS, ids=IDS)
def test_town_search_finds_nothing_extra(villages, text):
    client = villages.client(villages.staff[OWN])
    url = reverse("town", args=[villages.towns[OWN].code])
    response = client.get(url, {"q": text})
    assert response.status_code == 200
    expected = sorted(
        name for name in Village.objects.filter(town=villages.towns[OWN]).values_list(
            "name", flat=True) if text.strip() and text.strip() in name
    )  # fmt: skip
    if text.strip():
        assert village_names(response) == expected  # a literal match, and there is none
    assert_tables_intact()


def test_search_matches_literally_what_is_stored(villages):
    """A village whose name is itself SQL-looking is found by it, and only it."""
    Village.objects.create(town=villages.towns[OWN], code="450181100209", name="' OR 1=1 --村")
    client = villages.client(villages.staff[OWN])
    url = reverse("town", args=[villages.towns[OWN].code])
    assert village_names(client.get(url, {"q": "' OR 1=1 --"})) == ["' OR 1=1 --村"]
    assert village_names(client.get(url, {"q": "%"})) == []


FILTERS = ["as_of", "year", "sort", "meets_standard", "kind"]


@pytest.mark.parametrize("text", INJECTIONS, ids=IDS)
def test_filters_and_dates_answer_without_error(villages, text):
    client = villages.client(villages.reviewer)
    pages = [reverse("town", args=[villages.towns[OWN].code]), reverse("dashboard"),
             reverse("village", args=[villages.villages[OWN].code])]  # fmt: skip
    for url in pages:
        response = client.get(url, dict.fromkeys(FILTERS, text))
        assert response.status_code == 200, url
        # django-tables2 answers an impossible ?page= with a 404; nothing worse.
        assert client.get(url, {"page": text}).status_code in (200, 404), url
    ledger = ledger_download(client, {"as_of": text, "year": text})
    assert ledger.status_code == 200
    assert any(cell.value for _sheet, cell in workbook_cells(content(ledger)))
    assert_tables_intact()


def test_as_of_with_sql_shows_today(villages):
    """An unparseable date falls back to today rather than reaching a query."""
    client = villages.client(villages.reviewer)
    response = client.get(reverse("dashboard"), {"as_of": "2024-01-01' OR '1'='1"})
    assert response.status_code == 200
    from django.utils import timezone

    assert response.context["as_of"] == timezone.localdate()


@pytest.mark.parametrize("text", [t for t in INJECTIONS if t != "\x00"], ids=IDS[:-1])
def test_sql_looking_text_is_stored_as_typed(villages, text):
    client = villages.client(villages.staff[OWN])
    village = villages.villages[OWN]
    signs_before = Signboard.objects.count()
    response = client.post(
        reverse("signboard_create", args=[village.code]),
        form_data(title=f"牌{text}", kind="other", location=f"室{text}",
                  inventoried_on="2024-01-02"),
    )  # fmt: skip
    assert response.status_code == 302
    assert Signboard.objects.count() == signs_before + 1
    sign = Signboard.objects.get(title=f"牌{text}".strip())
    assert sign.location == f"室{text}".strip()
    removal = client.post(
        reverse("removal_create", args=[sign.pk]),
        form_data(removed_on="2024-03-02", reason="other", note=f"注{text}"),
    )
    assert removal.status_code == 302
    assert Removal.objects.get(signboard=sign).note == f"注{text}".strip()
    history = client.get(reverse("signboard_history", args=[sign.pk]))
    assert history.status_code == 200
    assert AuditEntry.objects.filter(object_repr__startswith="牌").exists()
    assert_tables_intact()


def test_nul_byte_in_a_form_is_refused_not_a_500(villages):
    client = villages.client(villages.staff[OWN])
    before = Signboard.objects.count()
    response = client.post(
        reverse("signboard_create", args=[villages.villages[OWN].code]),
        form_data(title="牌\x00", kind="other", inventoried_on="2024-01-02"),
    )
    assert response.status_code == 200  # the form again, with the error
    assert Signboard.objects.count() == before
    assert_tables_intact()
