"""What every layer of the import shares: the limits, the key for matching typed words, the
errors, the columns and the table read from an upload."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

# --- limits ------------------------------------------------------------------------------

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Checked on the zip's central directory before anything is inflated; zipfile never inflates
# a member beyond its declared size (it fails the CRC instead), so the declared sizes bind.
MAX_INFLATED_BYTES = 50 * 1024 * 1024
MAX_MEMBERS = 1000
MAX_RATIO = 100  # inflated ÷ compressed, for members above RATIO_GRACE_BYTES
RATIO_GRACE_BYTES = 1024 * 1024
MAX_ROWS = 20_000  # data rows, header excluded
MAX_COLUMNS = 64  # columns read; a sheet declaring more is refused
ABSURD_ROWS = 100_000  # a sheet declaring (or holding data) beyond this row is refused
EXCEL_MAX_ROWS = 1_048_576
MAX_MERGES = 50_000  # merged ranges read per sheet
HEADER_SCAN_ROWS = 15  # the header is looked for in the sheet's first rows (titles above it)
MAX_NON_SIGN_ROWS = 5_000  # 小计/合计/footer rows a sheet may hold beside MAX_ROWS signs
MAX_ERRORS_SHOWN = 1000
MAX_PREVIEW_ROWS = 300  # rows listed per section of a preview; the counts cover all

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")

IGNORED_HEADERS = {"序号"}

# Control characters never belong in a sign's text; Excel writes them as _xHHHH_ escapes,
# which openpyxl leaves as they are. Bidi overrides can make text read differently on screen.
CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
    r"|_x00(?:0[0-8bcef]|1[0-9a-f]|7f)_",
    re.IGNORECASE,
)
LINE_BREAKS = re.compile(r"[\t\r\n]+")
QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
DATE_TEXT = re.compile(
    r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?"
    r"(?:\s+[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?"
)
DIGITS = re.compile(r"[0-9]+")
EARLIEST_DATE = dt.date(2000, 1, 1)

DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
# Images and binary parts are never parsed as XML here (an SVG may carry a harmless DOCTYPE).
BINARY_PARTS = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".emf", ".wmf", ".tif", ".tiff",
                ".svg", ".bin", ".webp")  # fmt: skip
EXTERNAL_ENTITY = re.compile(r"<!ENTITY\s+(?:%\s*)?[^\s>]+\s+(?:SYSTEM|PUBLIC)\b")


def norm(value: Any) -> str:
    """A key for matching what people type: width-folded, no spaces, straight quotes."""
    text = unicodedata.normalize("NFKC", str(value)).translate(QUOTES)
    return re.sub(r"\s+", "", text).casefold()


# --- errors --------------------------------------------------------------------------------


class ImportFileError(Exception):
    """The upload cannot be read as a data sheet at all; `messages` say why."""

    def __init__(self, *messages: str):
        super().__init__(*messages)
        self.messages = list(messages)


@dataclass(frozen=True)
class RowError:
    """One problem in one cell, located the way Excel shows it: row number, column letter, and
    the sheet's name when the upload has tables on several sheets."""

    row: int
    column: int | None
    header: str
    message: str
    sheet: str = ""
    number: int = 0  # the row's number across sheets (Sheet.locate), for sorting

    def place(self) -> str:
        """Where the cell is, as Excel shows it: 第5行 第D列（类别）, on its sheet if several."""
        text = _("row %(row)d, column %(column)s") % {
            "row": self.row,
            "column": get_column_letter(self.column) if self.column else "—",
        }
        if self.header:
            text += f"（{self.header}）"
        return (
            _("Sheet “%(sheet)s”, %(where)s") % {"sheet": self.sheet, "where": text}
            if self.sheet
            else text
        )

    def __str__(self) -> str:
        if self.column is None:
            text = _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}
        else:
            text = _("Row %(row)d, column %(column)s (%(header)s): %(message)s") % {
                "row": self.row,
                "column": get_column_letter(self.column),
                "header": self.header,
                "message": self.message,
            }
        if self.sheet:
            return _("Sheet “%(sheet)s”, %(where)s") % {"sheet": self.sheet, "where": text}
        return text


class ImportRejected(Exception):
    """Raised by a commit when the plan made inside the transaction has errors."""

    def __init__(self, plan):
        super().__init__(f"{len(plan.errors)} errors")
        self.plan = plan


class PlanChanged(Exception):
    """Raised by a commit when the data changed since the preview the user confirmed."""

    def __init__(self, plan):
        super().__init__("plan changed")
        self.plan = plan


# --- columns -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    help: str
    example: str = ""
    width: int = 14
    aliases: tuple[str, ...] = ()
    required: str = "选填"
    text_format: bool = False
    date_format: bool = False

    def matches(self, header: str) -> bool:
        key = norm(header).rstrip("*")
        return key in {norm(self.header), *(norm(alias) for alias in self.aliases)}


# --- rows that are not signs ------------------------------------------------------------

TOTALS = {"小计": "小计", "合计": "合计", "总计": "合计", "总合计": "合计", "累计": "合计"}
# The words a ledger's signature lines begin with; everything under the first one is footer.
FOOTER_WORDS = tuple(
    norm(word)
    for word in ("填表人", "填报人", "制表人", "审核人", "审批人", "经办人", "联系电话", "联系人",
                 "单位负责人", "负责人", "分管领导", "盖章", "（盖章）", "单位（盖章）", "填表日期",
                 "注：", "说明：")
)  # fmt: skip


def total_kind(text: str) -> str | None:
    """小计 or 合计 for a cell labelling a subtotal row: 小计, 合  计, 那莲村小计, 小计(那莲村)."""
    if text in TOTALS:
        return TOTALS[text]
    if len(text) <= 16:
        for word, kind in TOTALS.items():
            if text.endswith(word) or text.startswith((word + "(", word + ":")):
                return kind
    return None


# --- the table read from an upload ---------------------------------------------------------

# Rows of the second and later tables of a workbook are numbered part × ROW_STRIDE + row, so
# that one number sorts and locates a row across sheets; the first table keeps Excel's numbers.
ROW_STRIDE = 10_000_000
SKIP_KINDS = ("小计", "合计", "空行", "落款")  # rows that are not signs, counted in the preview


@dataclass
class Part:
    """The table found on one worksheet: where its header is and what each column holds."""

    name: str  # the worksheet's name
    columns: dict[str, int]  # column key -> 1-based column index
    headers: dict[str, str]  # column key -> the header as written in the file
    header_row: int


@dataclass
class Sheet:
    """The data rows of an upload under known headers, from one worksheet or several."""

    columns: dict[str, int]  # of the first table (the only one, most often)
    headers: dict[str, str]
    rows: list[tuple[int, dict[str, Any]]]  # (row number, see ROW_STRIDE; {key: value})
    ignored_columns: list[str]
    sha256: str
    sheet_name: str
    parts: list[Part] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # SKIP_KINDS -> rows passed over
    skipped_sheets: list[str] = field(default_factory=list)  # sheets with no table on them
    chosen_sheets: list[str] = field(default_factory=list)  # the tables' sheets being imported
    macros_ignored: bool = False  # the file holds macros: only its cells' values were read

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def locate(self, number: int) -> tuple[Part | None, int]:
        """The table a row number belongs to, and its row as Excel shows it."""
        if not self.parts:
            return None, number
        index, row = divmod(number, ROW_STRIDE)
        return self.parts[index], row

    def sheet_label(self, number: int) -> str:
        """The sheet's name for a located message, when the upload has several tables."""
        part, _row = self.locate(number)
        return part.name if part is not None and len(self.parts) > 1 else ""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
