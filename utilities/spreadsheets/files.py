"""Opening an untrusted upload, whatever office program saved it: .xlsx/.xlsm (openpyxl,
macros never run), legacy .xls (xlrd, BIFF) and .csv in UTF-8 or GBK/GB18030 (the encoding
found by charset-normalizer, never asked of the user). Each comes back as `Grid`s: a sheet's
cell values, its merged ranges and its hidden columns, bounded in size.

An .xlsx is checked before it is parsed: size and zip limits on the central directory before
anything is inflated, no DTD in any XML part; its sheets are read in openpyxl's read-only mode,
their merges and hidden columns from the sheet's XML with lxml (read-only mode has neither).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from charset_normalizer import from_bytes
from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from django.utils.translation import gettext as _
from lxml import etree
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from . import base
from .base import (
    BINARY_PARTS,
    DTD_MARKERS,
    EXTERNAL_ENTITY,
    MAX_INFLATED_BYTES,
    MAX_MEMBERS,
    MAX_RATIO,
    OLE_MAGIC,
    RATIO_GRACE_BYTES,
    ZIP_MAGIC,
    ImportFileError,
)

WORKBOOK_PART = re.compile(r"(^|/)workbook\d*\.xml$", re.IGNORECASE)
SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# Encodings a Chinese office's CSV comes in, tried by charset-normalizer (UTF-8 is tried first).
CSV_ENCODINGS = ["gb18030", "big5", "utf_16"]


@dataclass
class Grid:
    """One sheet's cell values (rows of equal width, 1-based as Excel numbers them when read
    with `cell`), its merged ranges (min_row, min_col, max_row, max_col) and hidden columns."""

    title: str
    rows: list[tuple[Any, ...]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden: set[int] = field(default_factory=set)
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, column) of each formula
    macros: bool = False  # the workbook holds VBA macros (never loaded, never run)

    def fill_merges(self) -> None:
        """Give every cell of a merged range the value of its top-left cell: a village merged
        down over its 40 rows belongs to each of them."""
        if not self.merges:
            return
        rows = [list(row) for row in self.rows]
        for min_row, min_col, max_row, max_col in self.merges:
            if min_row > len(rows):
                continue
            top = rows[min_row - 1]
            value = top[min_col - 1] if min_col <= len(top) else None
            for r in range(min_row, min(max_row, len(rows)) + 1):
                row = rows[r - 1]
                for c in range(min_col, min(max_col, len(row)) + 1):
                    row[c - 1] = value
        self.rows = [tuple(row) for row in rows]


def open_grids(data: bytes) -> list[Grid]:
    """Every sheet of the upload, by what the bytes are (the file's name is not trusted)."""
    if not data:
        raise ImportFileError(_("The file is empty."))
    if len(data) > base.MAX_UPLOAD_BYTES:
        raise ImportFileError(
            _("The file is %(size).1f MB; the limit is %(max)d MB.")
            % {"size": len(data) / (1024 * 1024), "max": base.MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    if data.startswith(OLE_MAGIC):
        return _xls_grids(data)
    if data.startswith(ZIP_MAGIC):
        return _xlsx_grids(data)
    return [_csv_grid(data)]


# --- .xlsx / .xlsm -----------------------------------------------------------------------------


def open_workbook(data: bytes):
    """The upload as a read-only openpyxl workbook, once it has passed every file-level check."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_zip(archive)
            _check_no_dtd(archive)
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        raise ImportFileError(_damaged()) from exc
    try:
        # keep_vba stays off: an .xlsm's macros are never even loaded, let alone run.
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a zip that is not a workbook
        raise _unreadable(exc) from exc


def _xlsx_grids(data: bytes) -> list[Grid]:
    workbook = open_workbook(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        macros = any(name.lower().endswith("vbaproject.bin") for name in archive.namelist())
    try:
        grids = [_xlsx_grid(ws) for ws in workbook.worksheets]
        for grid in grids:
            grid.macros = macros
        return grids
    except ImportFileError:
        raise
    except Exception as exc:
        raise _unreadable(exc) from exc
    finally:
        workbook.close()


def _xlsx_grid(ws) -> Grid:
    # The declared size (<dimension>) first: a sheet claiming XFD1048576 is refused unread.
    if (ws.max_column or 0) > base.MAX_COLUMNS or (ws.max_row or 0) > base.ABSURD_ROWS:
        raise _absurd(f"{get_column_letter(min(ws.max_column or 1, 16384))}{ws.max_row or 1}")
    # The declaration may lie either way: read without it, bounded in columns, and check each
    # row's number as it comes (missing rows come back empty and cost next to nothing).
    ws.reset_dimensions()
    rows = _bounded_rows(
        ws.iter_rows(min_row=1, max_row=base.EXCEL_MAX_ROWS, max_col=base.MAX_COLUMNS,
                     values_only=True)
    )  # fmt: skip
    merges, hidden, formulas = _xlsx_layout(ws)
    return Grid(title=ws.title, rows=rows, merges=merges, hidden=hidden, formulas=formulas)


def _xlsx_layout(ws):
    """The sheet's merged ranges, hidden columns and formula cells, read from its XML (already
    checked for DTDs; lxml's iterparse, no entities resolved). Read-only openpyxl gives the
    formulas' cached values only, which a forged file can make say anything."""
    merges, hidden, formulas = [], set(), set()
    tags = (f"{SHEET_NS}col", f"{SHEET_NS}mergeCell", f"{SHEET_NS}c")
    with ws._get_source() as source:  # read-only worksheets expose their part this way
        for _event, element in etree.iterparse(
            source, events=("end",), tag=tags, resolve_entities=False, no_network=True,
        ):  # fmt: skip
            if element.tag == f"{SHEET_NS}c":
                if element.find(f"{SHEET_NS}f") is not None and element.get("r"):
                    column, row = coordinate_from_string(element.get("r"))
                    formulas.add((row, column_index_from_string(column)))
            elif element.tag == f"{SHEET_NS}col":
                if element.get("hidden") in ("1", "true"):
                    low, high = int(element.get("min", 0)), int(element.get("max", 0))
                    hidden.update(range(low, min(high, base.MAX_COLUMNS) + 1))
            elif len(merges) < base.MAX_MERGES:
                min_col, min_row, max_col, max_row = range_boundaries(element.get("ref", "A1"))
                merges.append((min_row, min_col, max_row, max_col))
            element.clear()
    return merges, hidden, formulas


def _bounded_rows(rows_iter) -> list[tuple[Any, ...]]:
    """The rows of a sheet up to its last filled one; refused beyond ABSURD_ROWS, or when it
    holds more rows of data than an import takes."""
    rows: list[tuple[Any, ...]] = []
    filled_rows = 0
    last = 0
    for number, values in enumerate(rows_iter, start=1):
        if any(v is not None and not (isinstance(v, str) and not v.strip()) for v in values):
            if number > base.ABSURD_ROWS:
                column = max(i for i, v in enumerate(values, start=1) if v is not None)
                raise _absurd(f"{get_column_letter(column)}{number}")
            filled_rows += 1
            if filled_rows > base.MAX_ROWS + base.HEADER_SCAN_ROWS + base.MAX_NON_SIGN_ROWS:
                raise too_many_rows()
            last = number
        if number <= base.ABSURD_ROWS:
            rows.append(tuple(values))
    width = max((len(r) for r in rows[:last]), default=0)
    return [tuple(r) + (None,) * (width - len(r)) for r in rows[:last]]


# --- .xls (BIFF, Excel 97–2003; WPS saves it too) ----------------------------------------------


def _xls_grids(data: bytes) -> list[Grid]:
    import xlrd  # only an .xls upload needs it

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception as exc:  # xlrd raises assorted errors, XLRDError, CompDocError, …
        # An OLE file that is no BIFF workbook: an encrypted .xlsx, a Word document, damage.
        raise ImportFileError(_not_xls()) from exc
    try:
        grids = []
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            if sheet.ncols > base.MAX_COLUMNS or sheet.nrows > base.ABSURD_ROWS:
                raise _absurd(f"{get_column_letter(min(sheet.ncols, 16384) or 1)}{sheet.nrows}")
            rows = _bounded_rows(
                tuple(_xls_value(cell, book.datemode) for cell in sheet.row(r))
                for r in range(sheet.nrows)
            )
            merges = [(rlo + 1, clo + 1, rhi, chi) for rlo, rhi, clo, chi in sheet.merged_cells]
            hidden = {c + 1 for c, info in sheet.colinfo_map.items() if info.hidden}
            grids.append(Grid(title=sheet.name, rows=rows, merges=merges, hidden=hidden))
            book.unload_sheet(index)
        macros = _xls_has_macros(data)
        for grid in grids:
            grid.macros = macros
        return grids
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError(_damaged()) from exc
    finally:
        book.release_resources()


def _xls_has_macros(data: bytes) -> bool:
    """Whether the compound file holds Excel's macro storage (_VBA_PROJECT_CUR); xlrd reads
    the cells only and never the macros."""
    import os

    from xlrd.compdoc import CompDoc

    with open(os.devnull, "w") as quiet:
        try:
            names = {entry.name for entry in CompDoc(data, logfile=quiet).dirlist}
        except Exception:  # the workbook itself was read; a damaged directory is no macro
            return False
    return "_VBA_PROJECT_CUR" in names


def _xls_value(cell, datemode: int) -> Any:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate_as_datetime(cell.value, datemode)
        except (ValueError, OverflowError):
            return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    return cell.value


# --- .csv ---------------------------------------------------------------------------------------


def _csv_grid(data: bytes) -> Grid:
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        rows = _bounded_rows(
            tuple(cell if cell.strip() else None for cell in row[: base.MAX_COLUMNS])
            for row in reader
        )
    except csv.Error as exc:
        raise ImportFileError(_not_a_table()) from exc
    return Grid(title="CSV", rows=rows)


def _decode(data: bytes) -> str:
    """The CSV's text: UTF-8 (with or without BOM) when it decodes as such, else the Chinese
    encoding charset-normalizer finds; a binary file or a mix of encodings is refused."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFileError(_not_a_table()) from exc
    if b"\x00" in data[:8192]:
        raise ImportFileError(_not_a_table())  # a photo, a Word file, anything binary
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=CSV_ENCODINGS).best()
    if best is None or best.chaos > 0.2:
        raise ImportFileError(_mixed_encoding())
    try:
        return data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ImportFileError(_mixed_encoding()) from exc


# --- messages and the checks of an .xlsx -------------------------------------------------------


def _absurd(ref: str) -> ImportFileError:
    return ImportFileError(
        _(
            "The sheet reaches cell %(ref)s, far beyond any real list (at most %(cols)d "
            "columns and %(rows)d rows are read). Delete the stray cells and try again."
        )
        % {"ref": ref, "cols": base.MAX_COLUMNS, "rows": base.MAX_ROWS + 1}
    )


def too_many_rows() -> ImportFileError:
    return ImportFileError(
        _(
            "The file has more than %(max)d rows of data. Split it into smaller files "
            "(for example one per township) and import them one by one."
        )
        % {"max": base.MAX_ROWS}
    )


def _not_xls() -> str:
    return _(
        "The file looks like an old-format .xls workbook but cannot be read as one: it may be "
        "password-protected or not a workbook at all. Open it in Excel or WPS, remove any "
        "password and save it as “Excel 工作簿 (*.xlsx)”."
    )


def _not_a_table() -> str:
    return _(
        "This file is neither an Excel workbook (.xlsx, .xls) nor a CSV table (a photo or a "
        "Word document?). Open the ledger in Excel or WPS and save it as .xlsx."
    )


def _mixed_encoding() -> str:
    return _(
        "The CSV file's text cannot be read in one encoding (parts of it may have been saved "
        "differently). Open it in Excel or WPS and save it as .xlsx."
    )


def _entity_message(*, external: bool) -> str:
    if external:
        return _(
            "The file refers to an external XML entity (a known attack on Excel readers); "
            "it was refused. Save the sheet again in Excel or WPS and upload that copy."
        )
    return _(
        "The file declares XML entities (an “entity bomb” that can exhaust the server); "
        "it was refused. Save the sheet again in Excel or WPS and upload that copy."
    )


def _damaged() -> str:
    return _(
        "The file is incomplete or damaged (perhaps the upload was cut off). "
        "Open it in Excel or WPS, save it again as .xlsx and upload it once more."
    )


def _not_xlsx() -> str:
    return _(
        "This is not an Excel .xlsx workbook (a CSV, a text file or another format?). "
        "Open it in Excel or WPS and save it as “Excel 工作簿 (*.xlsx)”."
    )


def _check_zip(archive: zipfile.ZipFile) -> None:
    """Refuse zip bombs from the central directory alone, before inflating anything."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise ImportFileError(
            _("The file holds %(n)d parts, more than an Excel workbook ever needs (%(max)d).")
            % {"n": len(members), "max": MAX_MEMBERS}
        )
    inflated = sum(info.file_size for info in members)
    if inflated > MAX_INFLATED_BYTES:
        raise ImportFileError(
            _(
                "Unpacked, the file would take %(size)d MB, more than the %(max)d MB allowed "
                "(a “zip bomb”?); it was refused."
            )
            % {"size": inflated // (1024 * 1024), "max": MAX_INFLATED_BYTES // (1024 * 1024)}
        )
    for info in members:
        if info.flag_bits & 0x1:
            raise ImportFileError(
                _("The workbook is password-protected. Remove the password first.")
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_GRACE_BYTES and ratio > MAX_RATIO:
            raise ImportFileError(
                _(
                    "Part “%(name)s” of the file is compressed %(ratio)d to 1, far more than "
                    "real spreadsheets are (a “zip bomb”?); it was refused."
                )
                % {"name": info.filename[:60], "ratio": ratio}
            )
    names = archive.namelist()
    if "[Content_Types].xml" not in names:
        raise ImportFileError(_not_xlsx())
    if not any(WORKBOOK_PART.search(name) for name in names):
        raise ImportFileError(_not_xlsx())  # an Office file, but a Word or PowerPoint one


def _check_no_dtd(archive: zipfile.ZipFile) -> None:
    """Refuse any XML part with a DTD: real workbooks never have one, attacks always do.

    defusedxml (which openpyxl uses for sheets and shared strings) would refuse entities too;
    this scan also covers the parts openpyxl hands to lxml (which only leaves entities
    unexpanded), and names the attack.
    """
    for info in archive.infolist():
        if info.filename.lower().endswith(BINARY_PARTS):
            continue
        with archive.open(info) as part:
            tail = b""
            while chunk := part.read(64 * 1024):
                window = tail + chunk
                if any(marker in window for marker in DTD_MARKERS):
                    window += part.read(64 * 1024)
                    text = "".join(
                        window.decode(encoding, errors="ignore").replace("\x00", "")
                        for encoding in ("utf-8", "utf-16-le", "utf-16-be")
                    )
                    if EXTERNAL_ENTITY.search(text):
                        raise ImportFileError(_entity_message(external=True))
                    if "<!ENTITY" in text:
                        raise ImportFileError(_entity_message(external=False))
                    raise ImportFileError(
                        _(
                            "The file contains an XML document type declaration, which real "
                            "Excel files never do; it was refused."
                        )
                    )
                tail = window[-32:]


def _defused_cause(exc: BaseException | None) -> DefusedXmlException | None:
    """The defusedxml refusal behind `exc`: openpyxl wraps parse errors in a ValueError."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DefusedXmlException):
            return exc
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def _defused_message(exc: DefusedXmlException) -> str:
    if isinstance(exc, ExternalReferenceForbidden):
        return _entity_message(external=True)
    if isinstance(exc, EntitiesForbidden | DTDForbidden):
        return _entity_message(external=bool(exc.sysid or exc.pubid))
    return _damaged()


def _unreadable(exc: Exception) -> ImportFileError:
    defused = _defused_cause(exc)
    if defused is not None:
        return ImportFileError(_defused_message(defused))
    if isinstance(exc, zipfile.BadZipFile | EOFError | OSError):
        return ImportFileError(_damaged())
    return ImportFileError(_not_xlsx())
