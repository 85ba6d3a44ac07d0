"""Finding the table in a township's own sheet: the header under title and 填报单位 rows, a
two-row header of merged groups, merged cells filled, hidden columns left unmapped, and the rows
that are not signs (blank, 小计/合计, the signature footer) recognised, skipped and counted."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from . import base, mapping
from .base import (
    FOOTER_WORDS,
    IGNORED_HEADERS,
    ROW_STRIDE,
    Column,
    ImportFileError,
    Part,
    Sheet,
    norm,
    sha256,
    total_kind,
)
from .files import Grid, open_grids, too_many_rows

VILLAGE_KEYS = ("village_code", "village_name")
PLACE_KEYS = ("town_code", "town_name", *VILLAGE_KEYS)
# Sheet names that are not a village's: the default names office programs give.
GENERIC_SHEET = re.compile(r"^(sheet|工作表|表|csv)\s*\d*$", re.IGNORECASE)


class Formula:
    """A formula cell's cached value: never taken as the cell's content (see _Cells)."""

    def __init__(self, cached: Any):
        self.cached = cached

    def __repr__(self) -> str:
        return f"Formula({self.cached!r})"


def filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and value.strip() == "")


def complete(found, required, one_of) -> bool:
    return all(key in found for key in required) and all(
        any(key in found for key in group) for group in one_of
    )


def map_headers(header_row: Sequence[Any], columns: Sequence[Column], hidden=frozenset()):
    """{key: column index}, {key: header as written}, header errors; unknown headers are
    passed over here and named in the preview if their column holds data. A hidden column is
    left unmapped."""
    found: dict[str, int] = {}
    written: dict[str, str] = {}
    errors: list[str] = []
    for index, value in enumerate(header_row, start=1):
        if index in hidden or value is None or str(value).strip() == "":
            continue
        text = str(value).strip()
        if norm(text) in IGNORED_HEADERS:
            continue
        column = next((c for c in columns if c.matches(text)), None)
        if column is None:
            continue
        if column.key in found:
            errors.append(
                _("Row 1, column %(column)s: the header “%(header)s” appears twice.")
                % {"column": get_column_letter(index), "header": text}
            )
        else:
            found[column.key] = index
            written[column.key] = text
    return found, written, errors


def read_table(
    data: bytes,
    *,
    columns: Sequence[Column],
    required: Sequence[str],
    one_of: Sequence[Sequence[str]] = (),
    preferred: Sequence[str] = (),
    village_sheets: bool = False,
    layouts: dict[str, dict[str, int]] | None = None,
    mappable: bool = False,
    only_sheets: Sequence[str] | None = None,
) -> Sheet:
    """The data rows of the upload under its headers; raises ImportFileError on a bad file.

    A sheet named in `preferred` is read alone (the template's sheet, the 台账's 牌子台账);
    otherwise every sheet holding a table is read, and with `village_sheets` a sheet with no
    village column whose name is not a default one stands for the village it is named after.
    A header whose fingerprint is in `layouts` is read with the columns saved for it; with
    `mappable`, a file whose headers are not all known raises `NeedsMapping` with its layout.
    `only_sheets` keeps the rows of the tables on those sheets (the ones the user ticked).
    """
    grids = open_grids(data)
    chosen = next((g for name in preferred for g in grids if g.title == name), None)
    if chosen is not None:
        grids = [chosen]
    by_key = {c.key: c for c in columns}
    parts: list[Part] = []
    rows: list[tuple[int, dict[str, Any]]] = []
    skipped: Counter = Counter()
    skipped_sheets: list[str] = []
    ignored: list[str] = []
    first_errors: list[str] | None = None
    for grid in grids:
        grid.fill_merges()
        from_title = village_sheets and not GENERIC_SHEET.match(grid.title.strip())
        header = _find_header(
            grid, columns, required, one_of, by_key, from_title=from_title, layouts=layouts or {}
        )
        if isinstance(header, list):
            if first_errors is None:
                first_errors = header
            if any(filled(v) for row in grid.rows for v in row):
                skipped_sheets.append(grid.title)
            continue
        number, found, written, header_row = header
        part = Part(name=grid.title, columns=found, headers=written, header_row=number)
        offset = len(parts) * ROW_STRIDE
        parts.append(part)
        village = grid.title.strip() if not any(k in found for k in VILLAGE_KEYS) else None
        stray = _data_rows(
            grid, part, offset, rows, skipped, village=village, place_only_is_blank=village_sheets
        )
        if len(rows) > base.MAX_ROWS:
            raise too_many_rows()
        header_at = {i: str(v).strip() for i, v in enumerate(header_row, start=1) if filled(v)}
        prefix = f"“{grid.title}”" if len(grids) > 1 else ""
        ignored += [
            prefix
            + _("column %(column)s (“%(header)s”)")
            % {"column": get_column_letter(i), "header": header_at.get(i) or "—"}
            for i in sorted(stray)
            if norm(header_at.get(i) or "") not in IGNORED_HEADERS
        ]
    if not parts:
        messages = first_errors or [_("The file holds no sheet.")]
        if mappable:
            for grid in grids:
                from_title = village_sheets and not GENERIC_SHEET.match(grid.title.strip())
                layout = mapping.layout_of(grid, village_from_sheet=from_title)
                if layout is not None and layout.columns:
                    raise mapping.NeedsMapping(layout, messages)
        raise ImportFileError(*messages)
    chosen = [p.name for p in parts]
    if only_sheets is not None and len(parts) > 1:
        chosen = [p.name for p in parts if p.name in set(only_sheets)]
        if not chosen:
            raise ImportFileError(_("Tick at least one sheet to import."))
        keep = {i for i, p in enumerate(parts) if p.name in chosen}
        rows = [(n, record) for n, record in rows if n // ROW_STRIDE in keep]
    if not rows:
        raise ImportFileError(_("The sheet has headers but no rows of data under them."))
    return Sheet(
        columns=parts[0].columns,
        headers=parts[0].headers,
        rows=rows,
        ignored_columns=ignored,
        sha256=sha256(data),
        sheet_name=parts[0].name,
        parts=parts,
        skipped={kind: skipped[kind] for kind in base.SKIP_KINDS if skipped[kind]},
        skipped_sheets=skipped_sheets,
        chosen_sheets=chosen,
        macros_ignored=any(grid.macros for grid in grids),
    )


def _find_header(grid: Grid, columns, required, one_of, by_key, *, from_title: bool, layouts):
    """(row number, {key: column}, {key: header}, the header row) or the header errors.

    The header is one of the sheet's first rows; where its cell is empty, the cell above
    names the column (a two-row header whose upper row holds the merged groups). A header
    mapped before (its fingerprint in `layouts`) is read as it was mapped."""
    groups = [g for g in one_of if not (from_title and set(g) <= set(VILLAGE_KEYS))]
    best = None
    above: tuple = ()
    for number, row in enumerate(grid.rows[: base.HEADER_SCAN_ROWS], start=1):
        combined = mapping.combined_header(row, above)
        saved = layouts.get(mapping.fingerprint(combined)) if layouts else None
        if saved:
            found = {key: int(index) for key, index in saved.items()}
            written = {
                key: str(combined[i - 1]).strip() if i <= len(combined) and filled(combined[i - 1])
                else by_key[key].header
                for key, i in found.items()
            }  # fmt: skip
            return number, found, written, combined
        mapped = map_headers(combined, columns, grid.hidden)
        if best is None or (complete(mapped[0], required, groups) and not best[3]):
            best = (number, mapped, combined, complete(mapped[0], required, groups))
        if best[3] and not best[1][2]:
            break
        above = row
    if best is None:
        return [_("The sheet has headers but no rows of data under them.")]
    number, (found, written, errors), header_row, _done = best
    errors = list(errors)
    missing = [by_key[key].header for key in required if key not in found]
    errors += [
        _("Row 1: the header “%(header)s” is missing.") % {"header": header} for header in missing
    ]
    for group in groups:
        if not any(key in found for key in group):
            errors.append(
                _("Row 1: one of the headers %(headers)s is needed.")
                % {"headers": "、".join(f"“{by_key[key].header}”" for key in group)}
            )
    if errors:
        errors.append(
            _("Use the template (download it from this page) or give row 1 these headers: %(h)s.")
            % {"h": "、".join(c.header for c in columns)}
        )
        return errors
    return number, found, written, header_row


def _data_rows(grid, part, offset, rows, skipped, *, village, place_only_is_blank):
    """Append the sign rows under the header to `rows`; count the others in `skipped`.
    Returns the columns outside the table that hold data. With `place_only_is_blank`, a row
    holding only its township and village (merged down over it) is a blank row."""
    ignored_keys = PLACE_KEYS if place_only_is_blank else ()
    known = set(part.columns.values())
    stray: set[int] = set()
    blanks = 0
    footer = False
    for number, values in enumerate(grid.rows[part.header_row :], start=part.header_row + 1):
        cells = [(i, v) for i, v in enumerate(values, start=1) if filled(v)]
        if not cells:
            blanks += 1
            continue
        texts = [norm(v) for _i, v in cells if isinstance(v, str)]
        first = texts[0] if texts and cells and isinstance(cells[0][1], str) else ""
        if footer or first.startswith(FOOTER_WORDS):
            footer = True
            skipped["落款"] += 1
            blanks = 0
            continue
        total = next((kind for t in texts if (kind := total_kind(t))), None)
        record = {key: values[index - 1] for key, index in part.columns.items()}
        if total is None and not any(filled(v) for k, v in record.items() if k not in ignored_keys):
            if any(i not in known for i, _v in cells):
                stray.update(i for i, _v in cells if i not in known)
            else:
                blanks += 1  # a row holding only a merged-down village is a blank row
            continue
        skipped["空行"] += blanks
        blanks = 0
        if total is not None:
            skipped[total] += 1
            continue
        if _repeats_header(values, part):
            continue  # the header printed again on a following page
        stray.update(i for i, _v in cells if i not in known)
        if village is not None:
            record["village_name"] = village
        for key, index in part.columns.items():
            if (number, index) in grid.formulas:
                record[key] = Formula(record[key])
        rows.append((offset + number, record))
        if len(rows) > base.MAX_ROWS:
            raise too_many_rows()
    return stray


def _repeats_header(values, part: Part) -> bool:
    header = {norm(text) for text in part.headers.values()}
    cells = {norm(values[i - 1]) for i in part.columns.values() if filled(values[i - 1])}
    return bool(cells) and cells <= header
