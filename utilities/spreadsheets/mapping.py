"""A ledger whose headers are not all known: its layout (the header row, each column's words
and first values) for the column-mapping page, and the fingerprint a mapping is saved under,
so that the township's next file of the same layout is read with no question."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from . import base
from .base import FOOTER_WORDS, ImportFileError, norm, total_kind

MAX_SAMPLES = 5  # values shown per column on the mapping page


def fingerprint(headers) -> str:
    """The same header words in the same columns give the same fingerprint, whatever rows of
    titles stand above them."""
    words = [norm(h) if h is not None else "" for h in headers]
    while words and not words[-1]:
        words.pop()
    return hashlib.sha256("|".join(words).encode()).hexdigest()


def combined_header(row, above) -> tuple:
    """The header row, each empty cell named by the cell above it (a two-row header whose
    upper row holds merged groups)."""
    return tuple(
        value if _filled(value) or i >= len(above) else above[i] for i, value in enumerate(row)
    )


@dataclass
class ColumnSample:
    index: int  # 1-based
    header: str
    samples: list[str]
    hidden: bool = False
    guess: str = ""  # a field key, or "" (not imported)

    @property
    def letter(self) -> str:
        return get_column_letter(self.index)


@dataclass
class Layout:
    """Where the table of a sheet seems to be, for a person to say what each column holds."""

    sheet: str
    header_row: int
    fingerprint: str
    headers: list[str]
    columns: list[ColumnSample] = field(default_factory=list)
    village_from_sheet: bool = False  # the sheet's name may stand for its village


class NeedsMapping(ImportFileError):
    """The upload's headers are not all known: the layout to map, and why."""

    def __init__(self, layout: Layout, messages):
        super().__init__(*messages)
        self.layout = layout


def layout_of(grid, *, village_from_sheet: bool) -> Layout | None:
    """The most likely header of a sheet (merges filled): among its first rows, the one with
    the most different words and no numbers or dates, under title rows (one word over the
    whole width) and above its data; None for an empty sheet."""
    best, best_score, above = None, 1, ()
    for number, row in enumerate(grid.rows[: base.HEADER_SCAN_ROWS], start=1):
        words = {norm(v) for v in row if isinstance(v, str) and v.strip()}
        words = {w for w in words if not w.isdigit()}  # codes and numbers are data
        # Numbers and dates are data, never a header's words: a row holding them scores less.
        data = sum(1 for v in row if _filled(v) and not isinstance(v, str))
        score = len(words) - 2 * data
        if score > best_score:  # the first of equals: a header stands above its data
            best, best_score = (number, combined_header(row, above)), score
        above = row
    if best is None:
        return None
    number, combined = best
    headers = ["" if not _filled(v) else str(v).strip() for v in combined]
    columns = []
    for index, header in enumerate(headers, start=1):
        samples = _samples(grid.rows[number:], index)
        if header or samples:
            columns.append(
                ColumnSample(index=index, header=header, samples=samples,
                             hidden=index in grid.hidden)
            )  # fmt: skip
    return Layout(
        sheet=grid.title,
        header_row=number,
        fingerprint=fingerprint(combined),
        headers=headers,
        columns=columns,
        village_from_sheet=village_from_sheet,
    )


def _samples(rows, index: int) -> list[str]:
    seen: list[str] = []
    for row in rows[:200]:
        value = row[index - 1] if index <= len(row) else None
        if not _filled(value) or _not_a_sign(row):
            continue
        text = value.date().isoformat() if isinstance(value, dt.datetime) else str(value).strip()
        text = text[:40]
        if text not in seen:
            seen.append(text)
        if len(seen) == MAX_SAMPLES:
            break
    return seen


def _not_a_sign(row) -> bool:
    """A 小计/合计 or footer row: its values are not a column's samples."""
    texts = [norm(v) for v in row if isinstance(v, str) and v.strip()]
    return bool(texts) and (texts[0].startswith(FOOTER_WORDS) or any(map(total_kind, texts)))


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and value.strip() == "")
