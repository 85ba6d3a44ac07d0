"""The township ledgers of tests/signs/ledgers, imported through the real upload view.

Each file of the corpus is uploaded, previewed and confirmed in one database, and the signs it
created are matched against its truth by (village, title, location): a row is right when the
sign has the truth's kind and its removal in effect has the truth's date (or there is none).
The score over all rows must reach 98 %; `-s` shows the table per file.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field

import openpyxl
import pytest
import xlrd
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from signs.models import Removal, Signboard
from tests.signs.ledgers import corpus
from villages import roles
from villages.choices import VillageKind
from villages.models import Village

pytestmark = pytest.mark.django_db

CASES = corpus.cases()
MIN_SCORE = 0.98
# What a sign is never called: the rows around the signs that an importer must not take for one.
NOT_TITLES = {"小计", "合计"}
NOT_TITLE_PREFIXES = ("填表人", "审核人", "联系电话", "（盖章）", "盖章", "单位负责人")
REIMPORTED = "横州镇部分村（社区）牌子清理台账（第二批）.xlsx"


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "imports")


@pytest.fixture
def staff_client(client, town, make_user):
    """Township staff of 横州镇, with the corpus's villages in the database."""
    for code, name in corpus.VILLAGES:
        kind = VillageKind.COMMUNITY if name.endswith("社区") else VillageKind.VILLAGE
        Village.objects.create(town=town, code=code, name=name, kind=kind)
    client.force_login(make_user("staff_x", role=roles.TOWN_STAFF, town=town))
    return client


@dataclass
class Upload:
    preview_url: str | None = None
    preview: object = None  # the preview page's response, when the file previews
    errors: list[str] = field(default_factory=list)


def _errors(response) -> list[str]:
    context = getattr(response, "context", None)
    errors = list(context.get("errors") or []) if context is not None else []
    return errors or [f"HTTP {response.status_code}, no error listed"]


def upload(client, case: corpus.Case) -> Upload:
    """Upload the file and open its preview; a refused file comes back with its errors."""
    url = reverse("sign_import", args=[corpus.TOWN_CODE])
    response = client.post(url, {"file": SimpleUploadedFile(case.name, case.data)})
    if response.status_code != 302:
        return Upload(errors=_errors(response))
    preview = client.get(response.url)
    context = getattr(preview, "context", None)
    if preview.status_code != 200 or context is None or context.get("summary") is None:
        return Upload(errors=_errors(preview))
    return Upload(preview_url=response.url, preview=preview)


def confirm(client, done: Upload) -> list[str]:
    """Confirm a previewed upload; the errors if it is refused then."""
    for _attempt in range(2):  # once more if the plan changed between preview and confirm
        response = client.post(done.preview_url)
        if response.status_code == 302:
            return []
        context = getattr(response, "context", None)
        if context is None or context.get("errors") or response.status_code != 200:
            return _errors(response)
    return ["the plan changed twice between preview and confirm"]


def imported_signs() -> dict[tuple[str, str, str], list[tuple[str, str | None]]]:
    """(village, title, location) -> [(kind, date of the removal in effect or None)]."""
    found: dict[tuple[str, str, str], list[tuple[str, str | None]]] = {}
    for sign in Signboard.objects.select_related("village").prefetch_related("removals"):
        removal = next((r for r in sign.removals.all() if r.revoked_at is None), None)
        removed_on = removal.removed_on.isoformat() if removal else None
        key = (sign.village.name, sign.title, sign.location)
        found.setdefault(key, []).append((sign.kind, removed_on))
    return found


def pad(text: str, width: int) -> str:
    """`text` left-aligned in `width` columns of a terminal, a Chinese character taking two."""
    wide = sum(unicodedata.east_asian_width(c) in "WF" for c in text)
    return text + " " * max(0, width - len(text) - wide)


def is_not_a_title(title: str) -> bool:
    return "".join(title.split()) in NOT_TITLES or title.startswith(NOT_TITLE_PREFIXES)


def test_corpus_scores_at_least_98_percent(staff_client):
    lines = [f"{pad('file', 50)} {'format':<6} {'right/rows':>10} {'extra':>5}"]
    right_total = rows_total = 0
    junk: list[str] = []
    for case in CASES:
        Removal.objects.all().delete()
        Signboard.objects.all().delete()
        done = upload(staff_client, case)
        errors = done.errors or confirm(staff_client, done)
        found = imported_signs()
        right = sum(
            (row["kind"], row["removed_on"])
            in found.get((row["village"], row["title"], row["location"]), [])
            for row in case.truth
        )
        keys = {(row["village"], row["title"], row["location"]) for row in case.truth}
        extra = sum(len(v) for k, v in found.items() if k not in keys)
        junk += [f"{case.name}: {title}" for _v, title, _l in found if is_not_a_title(title)]
        right_total += right
        rows_total += len(case.truth)
        lines.append(
            f"{pad(case.name, 50)} {case.format:<6} {f'{right}/{len(case.truth)}':>10} {extra:>5}"
        )
        lines += [f"    {error}" for error in errors[:3]]
    score = right_total / rows_total
    lines.append(f"{pad('all', 50)} {'':<6} {f'{right_total}/{rows_total}':>10}  = {score:.1%}")
    table = "\n".join(lines)
    print("\n" + table)
    assert not junk, f"rows that are not signs were imported as signs: {junk}\n{table}"
    assert score >= MIN_SCORE, f"{score:.1%} of the corpus's rows imported right\n{table}"


def test_non_sign_rows_are_counted_in_the_preview(staff_client):
    previewed, wrong = [], []
    for case in CASES:
        done = upload(staff_client, case)
        if done.preview is None:
            continue
        previewed.append(case.name)
        counted = done.preview.context.get("skipped_rows") or {}
        shown = {key: counted.get(key, 0) for key in corpus.SKIPPED}
        compared = [key for key in corpus.SKIPPED if case.skipped[key] or shown[key]]
        if any(case.skipped[key] != shown[key] for key in compared):
            expected = {key: case.skipped[key] for key in compared}
            wrong.append(f"{case.name}: expected {expected}, the preview says {counted}")
    assert previewed, "no file of the corpus previews (see test_corpus_scores_at_least_98_percent)"
    assert not wrong, "\n".join(wrong)


def test_a_second_file_of_the_same_layout_imports_the_same(staff_client):
    (case,) = [case for case in CASES if case.name == REIMPORTED]
    first = upload(staff_client, case)
    assert not first.errors, first.errors[:5]
    assert not (errors := confirm(staff_client, first)), errors[:5]
    assert Signboard.objects.count() == len(case.truth)
    second = upload(staff_client, case)
    assert not second.errors, second.errors[:5]
    summary = second.preview.context["summary"]
    assert (summary["signs"], summary["removals"]) == (0, 0), summary


def test_the_corpus_is_what_it_says():
    """The generator, not the importer: deterministic, well-formed, each file readable as it
    claims. A failure here is a bug in tests/signs/ledgers."""
    assert [c.data for c in corpus.cases()] == [c.data for c in CASES]
    assert len(CASES) >= 10 and len({c.name for c in CASES}) == len(CASES)
    assert 800 <= sum(len(c.truth) for c in CASES) <= 1200
    for case in CASES:
        keys = [(row["village"], row["title"], row["location"]) for row in case.truth]
        assert len(set(keys)) == len(keys), case.name
        for row in case.truth:
            assert row["village"] in corpus.VILLAGE_NAMES and row["kind"] in corpus.KINDS
            assert row["removed_on"] is None or "2024-01-01" <= row["removed_on"] <= "2024-11-30"
        assert set(case.skipped) == set(corpus.SKIPPED), case.name
        if case.format == "xlsx":
            workbook = openpyxl.load_workbook(io.BytesIO(case.data))
            assert workbook.worksheets[0].max_row > 1, case.name
        elif case.format == "xls":
            book = xlrd.open_workbook(file_contents=case.data, formatting_info=True)
            assert book.sheet_by_index(0).merged_cells, case.name
        else:
            text = case.data.decode(case.encoding)
            assert text.count("\r\n") >= len(case.truth) + 1, case.name
    summary = CASES[0]
    sheet = openpyxl.load_workbook(io.BytesIO(summary.data)).active
    assert {"A3:A4", "C3:E3", "F3:H3", "B5:B54"} <= {str(r) for r in sheet.merged_cells.ranges}
    hidden = [c for c in CASES if c.format == "xlsx" and _hidden_columns(c)]
    assert len(hidden) >= 2
    assert sorted(c.encoding for c in CASES if c.format == "csv") == ["gbk", "utf-8", "utf-8-sig"]


def _hidden_columns(case: corpus.Case) -> list[str]:
    workbook = openpyxl.load_workbook(io.BytesIO(case.data))
    return [k for ws in workbook for k, d in ws.column_dimensions.items() if d.hidden]
