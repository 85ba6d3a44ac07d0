"""Excel in one place: the 台账 layout a Chinese office expects, and safe cells.

Every workbook the app writes goes through `LedgerSheet` (write-only, so memory stays flat)
and every cell through `safe_cell`, which also serves the importers.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Iterable, Sequence
from copy import copy
from decimal import Decimal
from urllib.parse import quote

import django_tables2 as tables
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters that make a spreadsheet treat text as a formula (OWASP ASVS 1.2.10).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# XML 1.0 forbids these; openpyxl raises IllegalCharacterError on them.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE_FONT = Font(name="宋体", size=16, bold=True)
HEADER_FONT = Font(name="宋体", size=11, bold=True)
BODY_FONT = Font(name="宋体", size=11)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
DATE_FORMAT = "yyyy-mm-dd"
WAN_FORMAT = "0.00"


def clean_text(value: str) -> str:
    """Text without the control characters XML (and so xlsx) cannot hold."""
    if value.isprintable():  # nearly every cell: no control character at all (C-fast)
        return value
    return CONTROL_CHARS.sub("", value)


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def safe_cell(value):
    """A value fit for a cell: no control characters, naive local datetimes, Decimal as
    float for numbers Excel can sum. Formula-like text is typed as text by `LedgerSheet`."""
    if isinstance(value, Promise):  # a lazily translated label
        value = str(value)
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value)
    return value


def display_width(text) -> int:
    """Columns a value needs: CJK characters are about twice as wide as Latin ones."""
    text = "" if text is None else str(text)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


class LedgerSheet:
    """One 台账 sheet: merged title, 填报单位 and 统计截止日期, a bold frozen header with
    autofilter and 序号, typed cells, subtotal/total rows, a signature footer, A4 landscape."""

    def __init__(
        self,
        workbook: Workbook,
        *,
        name: str,
        title: str,
        unit: str,
        as_of: dt.date,
        headers: Sequence[str],
        widths: Sequence[int] | None = None,
        number_formats: dict[int, str] | None = None,
        large: bool = False,
    ):
        """`large`: a detail sheet that can grow to 600k rows. Its body cells are written
        plain, and print gridlines draw the grid; a small sheet borders its cells."""
        self.ws: Worksheet = workbook.create_sheet(title=sheet_title(name))
        self.large = large
        self._styles: dict = {}
        self.headers = ["序号", *headers]
        self.number_formats = {k + 1: v for k, v in (number_formats or {}).items()}
        self.serial = 0
        self.row_count = 0
        columns = len(self.headers)
        widths = [6, *(widths or [max(10, display_width(h) + 2) for h in headers])]
        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width
        last = get_column_letter(columns)
        self.ws.freeze_panes = "B4"
        self.ws.auto_filter.ref = f"A3:{last}3"  # widened to the data by `close`
        self.ws.print_options.horizontalCentered = True
        # A large sheet's printed grid comes from print gridlines, not a border on every cell:
        # bordered cells cost openpyxl twice the time of plain ones (docs/performance.md).
        self.ws.print_options.gridLines = large
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.paperSize = "9"  # A4
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.print_title_rows = "3:3"
        self.ws.merged_cells.ranges.add(f"A1:{last}1")
        self.ws.merged_cells.ranges.add(f"A2:{get_column_letter(max(2, columns // 2))}2")
        self._append([self._cell(title, font=TITLE_FONT, alignment=CENTER)])
        self.ws.row_dimensions[1].height = 30
        half = max(2, columns // 2)
        row2 = [self._cell(f"填报单位：{unit}")] + [None] * (half - 1)
        row2.append(self._cell(f"统计截止日期：{as_of:%Y年%m月%d日}"))
        self._append(row2)
        self._append(
            [self._cell(h, font=HEADER_FONT, alignment=CENTER, border=True) for h in self.headers]
        )
        self.columns = columns

    def _cell(self, value, *, font=BODY_FONT, alignment=None, border=False, fmt=None):
        cell = text_safe_cell(self.ws, value)
        if fmt is None and isinstance(value, dt.datetime):
            fmt = "yyyy-mm-dd hh:mm"
        elif fmt is None and isinstance(value, dt.date):
            fmt = DATE_FORMAT
        # Styling a cell hashes each style object; a sheet uses a handful of combinations,
        # so each is resolved once and copied (3-4x faster on a 600k-row ledger).
        key = (id(font), id(alignment), border, fmt, cell.quotePrefix)
        style = self._styles.get(key)
        if style is None:
            cell.font = font
            if alignment is not None:
                cell.alignment = alignment
            if border:
                cell.border = BORDER
            if fmt:
                cell.number_format = fmt
            self._styles[key] = copy(cell._style)
        else:
            cell._style = copy(style)
        return cell

    def _append(self, cells: Iterable) -> None:
        self.ws.append(list(cells))
        self.row_count += 1

    def value(self, value, *, fmt=None):
        """A body cell: bordered in a small sheet; in a large one the plain value where it can
        be (the workbook's default font is 宋体), a styled cell only for a column's number
        format or text that looks like a formula."""
        if not self.large:
            return self._cell(value, border=True, fmt=fmt)
        if fmt is None:  # the common cases first: this runs for every cell of a big ledger
            kind = type(value)
            if value is None or kind is int or kind is float or kind is dt.date:
                return value
            if kind is str:  # an empty text is no cell at all: openpyxl skips None
                value = clean_text(value)
                return self._cell(value) if value.startswith(FORMULA_START) else value or None
        value = safe_cell(value)
        if fmt is not None or looks_like_formula(value):
            return self._cell(value, fmt=fmt)
        return value

    def _row(self, serial, values: Sequence, *, bold=False):
        if not bold and self.large:
            formats = self.number_formats
            if formats:
                cells = [self.value(v, fmt=formats.get(i)) for i, v in enumerate(values, start=2)]
            else:  # the big detail sheets: no column formats; the plain cases inline
                value = self.value
                cells = [
                    v
                    if v is None or (kind := type(v)) is int or kind is dt.date
                    # An empty text is written as no cell (None), as Excel shows a blank one:
                    # a third of a sign row's cells, each costing openpyxl a cell.
                    else (v or None)
                    if kind is str and v.isprintable() and not v.startswith(FORMULA_START)
                    else value(v)
                    for v in values
                ]
            cells.insert(0, serial)
            self.ws.append(cells)
            self.row_count += 1
            return
        font = HEADER_FONT if bold else BODY_FONT
        cells = [self._cell(serial, font=font, alignment=CENTER, border=True)]
        for index, value in enumerate(values, start=2):
            cells.append(
                self._cell(value, font=font, border=True, fmt=self.number_formats.get(index))
            )
        self._append(cells)

    def row(self, values: Sequence) -> None:
        """A data row; 序号 is filled in."""
        self.serial += 1
        self._row(self.serial, values)

    def total(self, label: str, values: Sequence) -> None:
        """A bold 小计 / 合计 row without a 序号; `values` start at the second header."""
        self._row(label, values, bold=True)

    def link(self, url: str, text: str = "查看"):
        """A hyperlink cell for a photo."""
        cell = self._cell(text, border=not self.large)
        cell.hyperlink = url
        cell.font = Font(name="宋体", size=11, color="0563C1", underline="single")
        return cell

    def close(self) -> None:
        """Widen the autofilter to the data and add the signature footer."""
        last_col = get_column_letter(self.columns)
        self.ws.auto_filter.ref = f"A3:{last_col}{max(3, self.row_count)}"
        self._append([])
        footer = ["填报人：", "", "审核人：", "", "联系电话：", "", "（盖章）"]
        self._append([self._cell(text) for text in footer])


def text_safe_cell(ws, value) -> WriteOnlyCell:
    """A write-only cell in which text that looks like a formula stays text (never runs)."""
    cell = WriteOnlyCell(ws, value=safe_cell(value))
    if looks_like_formula(cell.value) or cell.data_type == "f":
        cell.data_type = "s"
        cell.quotePrefix = True  # what Excel itself sets for text typed after an apostrophe
    return cell


def new_workbook() -> Workbook:
    """A write-only workbook whose unstyled cells are in 宋体 11, as a Chinese office expects.

    Font 0 is what every cell without a style of its own uses; the 台账's body cells are
    written plain because styling each costs as much again as writing it.
    """
    workbook = Workbook(write_only=True)
    workbook._fonts = IndexedList([BODY_FONT])  # openpyxl keeps the fonts here; 0 = default
    return workbook


SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/?*:\[\]]")
HEADER_UNSAFE = re.compile(r'[^\x20-\x7e]|["\\;]')


def sheet_title(name: str) -> str:
    """A sheet title Excel accepts: none of / \\ ? * : [ ], at most 31 characters."""
    return SHEET_TITLE_FORBIDDEN.sub("_", name)[:31].strip("'") or "Sheet1"


# The kinds of file the app hands out; the ASCII name keeps the real name's suffix.
DOWNLOAD_SUFFIXES = (".xlsx", ".pdf")


def content_disposition(filename: str, *, ascii_name: str) -> str:
    """An attachment header whose Chinese file name survives every browser (RFC 5987).

    Clients that ignore filename* get `ascii_name`, a readable name of its own (e.g.
    hengzhou-ledger-2024-09-06.xlsx): the Chinese name stripped to ASCII would leave
    "()_2024-09-06.xlsx". It keeps printable ASCII only, without quotes, backslashes or
    semicolons, so that no name (a township code, say) can break or extend the header.
    """
    plain = HEADER_UNSAFE.sub("", ascii_name)
    suffix = next((s for s in DOWNLOAD_SUFFIXES if filename.lower().endswith(s)), ".xlsx")
    if not plain.lower().endswith(suffix):
        plain = "hengzhou" + suffix
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename)}"


def xlsx_response(
    write, filename: str, *, ascii_name: str, stream: bool = False
) -> HttpResponse | FileResponse:
    """A download of the workbook `write(file)` writes; `filename` in Chinese, `ascii_name`
    for clients that cannot read it. With `stream`, for a workbook that can grow (the 台账),
    it goes out from a temporary file so that memory stays flat."""
    if not stream:
        response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
        write(response)
    else:
        out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when sent)
        write(out)
        out.seek(0)
        response = FileResponse(out, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename, ascii_name=ascii_name)
    return response


def write_table(out, table, *, name: str, title: str, unit: str, as_of: dt.date) -> None:
    """Write a django-tables2 table exactly as on screen — its filtered rows in its order,
    every row, not one page — as a one-sheet 台账 to `out`."""
    columns = [column for column in table.columns if column.name not in getattr(
        table, "export_exclude", ())]  # fmt: skip
    workbook = new_workbook()
    sheet = LedgerSheet(
        workbook, name=name, title=title, unit=unit, as_of=as_of,
        headers=[str(column.header) for column in columns],
    )  # fmt: skip
    # A date column is written as the date itself, which Excel sorts and filters, not as the
    # text the page shows.
    typed = {
        column.name
        for column in columns
        if isinstance(column.column, tables.DateColumn | tables.DateTimeColumn)
    }
    for row in table.rows:
        sheet.row(
            [
                _date_value(row, column)
                if column.name in typed
                else row.get_cell_value(column.name)
                for column in columns
            ]
        )
    sheet.close()
    workbook.save(out)


def _date_value(row, column):
    """The date (or datetime) under a date column's cell, or its text when there is none."""
    value = column.accessor.resolve(row.record, quiet=True)
    if isinstance(value, dt.date):
        return value
    return row.get_cell_value(column.name)
