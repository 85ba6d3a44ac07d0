"""How well the mapping page guesses a column from its values: every one-table .xlsx of the
corpus with its header row's words replaced by words that say nothing (列4, 列5 …; a header
cell merged down from the row above keeps its words), the guesses compared with the columns
its real headers name. Run with -s for the score per field."""

import io
from collections import Counter

import openpyxl
import pytest

from signs import imports
from tests.signs.ledgers import corpus
from utilities.spreadsheets import mapping
from villages.choices import VillageKind
from villages.models import Village

pytestmark = pytest.mark.django_db

# Fields a column's values can show; a title or a location is free text, and a note too.
BY_VALUES = {"village_name", "kind", "status", "removed_on", "reason"}
MIN_SCORE = 0.9


def blind(case) -> tuple[bytes, dict[str, int], int] | None:
    """The case's table with its header words replaced; the columns they named, the row."""
    sheet = imports.read_sign_sheet(case.data)
    part = sheet.parts[0]
    if case.format != "xlsx" or len(sheet.parts) > 1:
        return None  # one table of an .xlsx is enough to rename cell by cell
    workbook = openpyxl.load_workbook(io.BytesIO(case.data))
    ws = workbook[part.name]
    for row in range(1, part.header_row + 1):
        for cell in ws[row]:
            if isinstance(cell.value, str) and row == part.header_row:
                cell.value = f"列{cell.column}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), part.columns, part.header_row


def test_columns_are_guessed_from_their_values(town):
    for code, name in corpus.VILLAGES:
        kind = VillageKind.COMMUNITY if name.endswith("社区") else VillageKind.VILLAGE
        Village.objects.create(town=town, code=code, name=name, kind=kind)
    right, total = Counter(), Counter()
    for case in corpus.cases():
        blinded = blind(case)
        if blinded is None:
            continue
        data, truth, header_row = blinded
        with pytest.raises(mapping.NeedsMapping) as asked:
            imports.read_sign_sheet(data, town=town)
        layout = asked.value.layout
        assert layout.header_row == header_row, case.name  # the header found without its words
        imports.guess_columns(layout, town)
        guesses = {c.index: c.guess for c in layout.columns}
        for key, index in truth.items():
            if key in BY_VALUES:
                total[key] += 1
                right[key] += guesses.get(index) == key
    for key in sorted(total):
        print(f"{key:14} {right[key]}/{total[key]}")
    score = sum(right.values()) / sum(total.values())
    print(f"all            {sum(right.values())}/{sum(total.values())} = {score:.0%}")
    assert sum(total.values()) >= 20
    assert score >= MIN_SCORE
