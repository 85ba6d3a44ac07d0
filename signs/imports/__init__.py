"""Import of sign inventories and of the village list: every row checked, then all or none.

The layers, each testable on its own:

- `files` opens an untrusted upload defensively, whatever saved it (.xlsx, .xlsm, .xls, .csv
  in UTF-8 or GBK) — size and zip limits checked on the central directory before anything is
  inflated, no DTD in any XML part, bounded sheets — as grids of cell values;
- `table` finds the table in those grids the way townships lay their ledgers out (title rows,
  two-row merged headers, merged village cells, 小计/合计 and signature rows skipped and
  counted, one sheet per village) and returns the raw cells under known headers, or raises
  `ImportFileError`;
- `plan_sign_import` / `plan_village_import` check every row against the database and say what
  would be created, updated or skipped, with every error located as 第N行 第X列;
- `sign_import_commit` / `village_import_commit` plan again inside one transaction and write,
  with audit rows, only if the plan has no error and is still the one the user confirmed.

The workbook's own words (headers, the 说明 sheet) are Chinese, as in the 台账 of utilities.excel;
messages to the user go through gettext.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from utilities.excel import display_width, looks_like_formula, safe_cell
from villages.audit import audit_entry, audit_write, snapshot
from villages.choices import TownKind, VillageKind
from villages.models import AuditEntry, Town, Village

from ..choices import SIGN_LEDGER_SHEET, RemovalReason, SignKind
from ..models import (
    ApprovedItem,
    Department,
    ImportBatch,
    LedgerLayout,
    LedgerWord,
    Removal,
    Signboard,
)
from ..selectors import current_standard
from ..services import PHOTO_FIELDS
from ..tallies import refresh_village_tallies
from . import base, files, mapping, table
from .base import (
    ABSURD_ROWS,
    CONTROL,
    DATE_TEXT,
    DIGITS,
    EARLIEST_DATE,
    HELP_SHEET,
    LINE_BREAKS,
    LISTS_SHEET,
    MAX_COLUMNS,
    MAX_ERRORS_SHOWN,
    MAX_PREVIEW_ROWS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    OLE_MAGIC,
    SIGN_SHEET,
    VILLAGE_SHEET,
    Column,
    ImportFileError,
    ImportRejected,
    PlanChanged,
    RowError,
    Sheet,
    norm,
)
from .files import open_workbook
from .mapping import Layout, NeedsMapping

__all__ = [
    "ABSURD_ROWS", "MAX_COLUMNS", "MAX_ERRORS_SHOWN", "MAX_PREVIEW_ROWS", "MAX_ROWS",
    "MAX_UPLOAD_BYTES", "OLE_MAGIC", "ImportFileError", "ImportRejected", "PlanChanged",
    "Layout", "NeedsMapping", "RowError", "Sheet", "base", "files", "mapping", "open_workbook",
    "table",
]  # fmt: skip


SIGN_COLUMNS = (
    Column(
        "town_code",
        "乡镇代码",
        "可不填；填写时必须是本页乡镇的统计代码。",
        "450181100",
        12,
        text_format=True,
    ),
    Column(
        "village_code",
        "村(社区)代码",
        "村(社区)的12位统计代码，见“选项”表；与名称至少填一项。",
        "450181100201",
        16,
        aliases=("村代码", "社区代码", "村(居)代码"),
        required="代码或名称必填",
        text_format=True,
    ),
    Column(
        "village_name",
        "村(社区)名称",
        "本乡镇的村(社区)名称，可从下拉列表选择；同时填写代码时两者必须一致。",
        "城东村",
        14,
        aliases=(
            "村名称",
            "村(社区)",
            "村(居)",
            "村名",
            "社区名称",
            "村委",
            "村委会",
            "所属村",
            "所属村(社区)",
            "村(社区)名",
            "村(居)委会",
            "行政村",
            "村别",
        ),
        required="代码或名称必填",
    ),
    Column(
        "title",
        "牌子名称",
        "牌子上的文字，照原样填写；以“=”开头的内容也按文字保存。",
        "廉洁工作站",
        24,
        aliases=("牌子内容", "牌匾名称", "标牌名称", "牌子名", "牌匾内容", "标识牌名称", "名称"),
        required="必填",
    ),
    Column(
        "kind",
        "类别",
        "从下拉列表选择。",
        "功能性指引牌",
        18,
        aliases=("牌子类别", "类型", "牌子类型", "牌子种类", "种类"),
        required="必填",
    ),
    Column(
        "location",
        "位置",
        "悬挂的房间或位置，如“一楼外墙”。",
        "一楼外墙",
        14,
        aliases=("悬挂位置", "挂牌位置", "所在位置", "悬挂地点", "摆放位置", "位置(房间)"),
    ),
    Column(
        "approved_item",
        "保留项目",
        "只有现行制度汇编保留的牌子才填：从下拉列表选择汇编中的项目名称；其余牌子留空，即为应摘除。",
        "",
        20,
        aliases=("对应标准项目", "标准项目"),
    ),
    Column(
        "inventoried_on",
        "清点日期",
        "如 2024-03-01、2024/3/1 或 2024年3月1日，不能晚于今天；"
        "留空时，有摘除日期的按摘除日期，否则按导入当天。",
        "2024-03-01",
        12,
        date_format=True,
    ),
    Column(
        "removed_on",
        "摘除日期",
        "已摘除的牌子才填，不能早于清点日期、不能晚于今天；填写时必须同时填写摘除原因。",
        "2024-05-20",
        12,
        aliases=(
            "摘除时间",
            "清理时间",
            "清理日期",
            "摘牌时间",
            "摘牌日期",
            "处置时间",
            "完成时间",
        ),  # fmt: skip
        date_format=True,
    ),
    Column(
        "reason",
        "摘除原因",
        "从下拉列表选择；选“其他”时必须在备注中说明。",
        "无实质性业务",
        20,
        aliases=("清理原因", "摘除理由", "摘牌原因", "处置理由", "处置原因", "清理理由"),
    ),
    Column(
        "note",
        "备注",
        "摘除的说明，随摘除记录保存；没有摘除日期的行请留空。",
        "",
        20,
        aliases=("摘除备注", "摘除说明"),
    ),
    Column(
        "requested_by",
        "挂牌要求部门",
        "可不填：要求挂这块牌子的市直单位，从下拉列表选择，如“市民政局”。",
        "",
        18,
        aliases=("要求挂牌部门", "挂牌部门", "要求部门"),
    ),
)

# Read from township ledgers, never written into the template: the template says "removed"
# by a removal date, and its page is the township.
LEDGER_COLUMNS = (
    *SIGN_COLUMNS,
    Column(
        "status",
        "是否摘除",
        "是/否、保留/摘除/合并、已摘除/未摘除，或在摘除列打“√”。",
        aliases=(
            "处置方式",
            "状态",
            "处置情况",
            "处置结果",
            "摘除",
            "摘除(√)",
            "是否清理",
            "清理情况",
            "是否摘牌",
            "摘牌情况",
            "已摘除",
        ),
    ),  # fmt: skip
    Column(
        "town_name",
        "乡镇",
        "本页的乡镇，如“横州镇”或“横州镇人民政府”。",
        aliases=("乡镇名称", "所属乡镇", "乡镇(街道)", "乡(镇)", "镇(乡)", "乡镇(街道)名称"),
    ),
)

VILLAGE_COLUMNS = (
    Column(
        "town_code", "乡镇代码", "9位统计代码。", "450181100", 12, required="必填", text_format=True
    ),
    Column(
        "town_name",
        "乡镇名称",
        "以“镇”“乡”或“街道”结尾（新乡镇据此确定类别）。",
        "横州镇",
        12,
        required="必填",
    ),
    Column(
        "village_code",
        "村(社区)代码",
        "12位统计代码，以所属乡镇代码开头；已有的代码会更新名称、类别和所属乡镇。",
        "450181100201",
        16,
        aliases=("村代码", "社区代码"),
        required="必填",
        text_format=True,
    ),
    Column(
        "village_name",
        "村(社区)名称",
        "同一乡镇内不能重名。",
        "城东村",
        14,
        aliases=("村名称", "村(社区)"),
        required="必填",
    ),
    Column(
        "kind",
        "类别",
        "村 或 社区；新建时留空按“村”，更新时留空则不变。",
        "村",
        10,
        aliases=("类别(村/社区)", "村/社区"),
    ),
)


# --- checking one row -------------------------------------------------------------------------


class _Cells:
    """One data row being checked: typed getters that record located errors."""

    def __init__(self, sheet: Sheet, columns: Sequence[Column], number: int, values: dict):
        self.sheet = sheet
        self.headers = {c.key: c.header for c in columns}
        self.number = number
        self.values = dict(values)
        self.errors: list[RowError] = []
        self.bad_keys: set[str] = set()
        self.unknown: list[tuple[str, str]] = []  # (key, word) of values not recognised
        self.replaced: list[str] = []  # cells whose tabs or line breaks became spaces
        for key, value in values.items():
            if isinstance(value, table.Formula):
                self.values[key] = None
                self.error(
                    key,
                    _(
                        "The cell is a formula; its value is not taken on trust. Copy the "
                        "column and “paste as values”, then upload again."
                    ),
                )

    def error(self, key: str, message: str) -> None:
        self.bad_keys.add(key)
        part, row = self.sheet.locate(self.number)
        columns = part.columns if part is not None else self.sheet.columns
        headers = part.headers if part is not None else self.sheet.headers
        self.errors.append(
            RowError(
                number=self.number,
                row=row,
                column=columns.get(key),
                header=headers.get(key, self.headers.get(key, "")),
                sheet=self.sheet.sheet_label(self.number),
                message=message,
            )
        )

    def has_error(self, key: str) -> bool:
        return key in self.bad_keys

    def text(self, key: str, *, max_length: int, required: bool = False, multiline=False) -> str:
        if key in self.bad_keys:
            return ""
        value = self.values.get(key)
        if value is None:
            text = ""
        elif isinstance(value, bool):
            self.error(key, _("Expected text, found a true/false value."))
            return ""
        elif isinstance(value, dt.datetime | dt.date | dt.time):
            self.error(key, _("Expected text, found a date. Format the cell as text."))
            return ""
        elif isinstance(value, float) and value.is_integer():
            text = str(int(value))
        else:
            text = str(value)
        bad = CONTROL.search(text)
        if bad:
            found = bad.group()
            shown = found if found.startswith("_") else f"U+{ord(found):04X}"
            self.error(
                key,
                _("Contains an invisible control character (%(char)s); delete it and retype.")
                % {"char": shown},
            )
            return ""
        if not multiline and LINE_BREAKS.search(text.strip()):
            part, row = self.sheet.locate(self.number)
            columns = part.columns if part is not None else self.sheet.columns
            where = RowError(row=row, column=columns.get(key), header="", message="",
                             sheet=self.sheet.sheet_label(self.number))  # fmt: skip
            self.replaced.append(where.place())
        if not multiline:
            text = LINE_BREAKS.sub(" ", text)
        text = text.strip()
        if required and not text:
            self.error(key, _("This cell is required."))
        elif len(text) > max_length:
            self.error(
                key,
                _("Too long: %(n)d characters, at most %(max)d.")
                % {"n": len(text), "max": max_length},
            )
            return ""
        return text

    def code(self, key: str, *, max_length: int, required: bool = False) -> str:
        # NFKC: digits typed with a Chinese input method come full-width (４５０１８１…).
        text = unicodedata.normalize(
            "NFKC", self.text(key, max_length=max_length, required=required)
        )
        if text and not DIGITS.fullmatch(text):
            self.error(key, _("“%(value)s” is not a code: digits only.") % {"value": text})
            return ""
        return text

    def date(self, key: str, *, today: dt.date) -> dt.date | None:
        if key in self.bad_keys:
            return None
        value = self.values.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, dt.datetime):
            day = value.date()
        elif isinstance(value, dt.date):
            day = value
        elif isinstance(value, str):
            day = self._parse_date(key, value.strip())
            if day is None:
                return None
        elif isinstance(value, int | float) and not isinstance(value, bool) and value == int(value):
            day = self._parse_date(key, str(int(value)))  # 20240305 typed as a number
            if day is None:
                return None
        else:
            self.error(
                key,
                _("“%(value)s” is not a date; write it like 2024-03-01, 2024/3/1 or 2024年3月1日.")
                % {"value": value},
            )
            return None
        if day > today:
            self.error(
                key,
                _("%(date)s is in the future (today is %(today)s).")
                % {"date": day.isoformat(), "today": today.isoformat()},
            )
            return None
        if day < EARLIEST_DATE:
            self.error(key, _("%(date)s is implausibly early.") % {"date": day.isoformat()})
            return None
        return day

    def _parse_date(self, key: str, text: str) -> dt.date | None:
        if CONTROL.search(text):
            self.error(key, _("Contains an invisible control character; delete it and retype."))
            return None
        text = unicodedata.normalize("NFKC", text).rstrip(".。")
        match = DATE_TEXT.fullmatch(text) or COMPACT_DATE.fullmatch(text)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                pass
        self.error(
            key,
            _("“%(value)s” is not a date; write it like 2024-03-01, 2024/3/1 or 2024年3月1日.")
            % {"value": text[:40]},
        )
        return None

    def choice(self, key: str, lookup: dict[str, str], *, required: bool, labels: str) -> str:
        text = self.text(key, max_length=100, required=required)
        if not text:
            return ""
        value = lookup.get(norm(text))
        if value is None:
            self.unknown.append((key, text))
            self.error(
                key,
                _("Unknown value “%(value)s”; choose one of: %(labels)s.")
                % {"value": text, "labels": labels},
            )
            return ""
        return value


COMPACT_DATE = re.compile(r"(20[0-9]{2})([01][0-9])([0-3][0-9])")  # 20240305


def _choice_lookup(choices, aliases: dict[str, str] | None = None) -> tuple[dict[str, str], str]:
    """Match the Chinese label (what the template offers), the English label or the value."""
    lookup: dict[str, str] = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for value, label in choices.choices:
                lookup[norm(label)] = value
    for value in choices.values:
        lookup[norm(value)] = value
    for alias, value in (aliases or {}).items():
        lookup.setdefault(norm(alias), value)
    return lookup, "、".join(zh_labels(choices))


def zh_labels(choices) -> list[str]:
    with translation.override("zh-hans"):
        return [str(label) for _value, label in choices.choices]


KIND_ALIASES = {
    # The article's words for the two counts, as older ledgers write them.
    "上墙制度牌子": SignKind.RULE,
    "功能性指引牌子": SignKind.GUIDANCE,
    "制度牌": SignKind.RULE,
    "上墙制度": SignKind.RULE,
    "功能室牌": SignKind.PLAQUE,
    "功能室": SignKind.PLAQUE,
    "功能性指引牌": SignKind.GUIDANCE,
    "指引牌": SignKind.GUIDANCE,
    "机构牌子": SignKind.ORGANIZATION,
    "机制牌子": SignKind.ORGANIZATION,
    "机构牌": SignKind.ORGANIZATION,
    # …and as township ledgers write them (最多报一次: their words, not ours).
    "制度": SignKind.RULE,
    "制度牌子": SignKind.RULE,
    "上墙制度牌匾": SignKind.RULE,
    "功能室牌匾": SignKind.PLAQUE,
    "功能室名称牌": SignKind.PLAQUE,
    "指引牌子": SignKind.GUIDANCE,
    "指示牌": SignKind.GUIDANCE,
    "机构牌匾": SignKind.ORGANIZATION,
    "机制牌": SignKind.ORGANIZATION,
    "荣誉牌匾": SignKind.HONOUR,
    "荣誉牌子": SignKind.HONOUR,
    "荣誉": SignKind.HONOUR,
    "奖牌": SignKind.HONOUR,
    "其他牌子": SignKind.OTHER,
}
REASON_ALIASES = {
    "其他": RemovalReason.OTHER,
    "无实质业务": RemovalReason.NO_BUSINESS,
    "无实际业务": RemovalReason.NO_BUSINESS,
    "无实质性工作": RemovalReason.NO_BUSINESS,
    "需求度不高": RemovalReason.LOW_DEMAND,
    "群众需求不高": RemovalReason.LOW_DEMAND,
    "与功能室重复": RemovalReason.DUPLICATE,
    "功能室重复": RemovalReason.DUPLICATE,
    "重复挂牌": RemovalReason.DUPLICATE,
    "重复": RemovalReason.DUPLICATE,
    "无依据挂牌": RemovalReason.NO_BASIS,
    "无依据": RemovalReason.NO_BASIS,
    "未经准入": RemovalReason.NO_BASIS,
    "未经审批": RemovalReason.NO_BASIS,
    "内部制度不上墙": RemovalReason.INTERNAL_RULE,
    "内部制度": RemovalReason.INTERNAL_RULE,
    "内部管理制度": RemovalReason.INTERNAL_RULE,
    "功能相近合并": RemovalReason.MERGED,
    "职能相近": RemovalReason.MERGED,
    "合并": RemovalReason.MERGED,
    "破损": RemovalReason.DAMAGED,
    "褪色": RemovalReason.DAMAGED,
    "老旧破损": RemovalReason.DAMAGED,
}
# 是否摘除 / 处置方式 / 状态 in the words ledgers use; "merged" is removed, its reason implied.
REMOVED, KEPT, MERGED = "removed", "kept", "merged"
STATUS_WORDS = {
    **dict.fromkeys(("是", "已摘除", "摘除", "已摘", "已摘牌", "摘牌", "已清理", "清理", "已拆除",
                     "拆除", "已撤除", "撤除", "√", "✓", "✔", "☑", "y", "yes"), REMOVED),
    **dict.fromkeys(("合并", "已合并", "合并摘除"), MERGED),
    **dict.fromkeys(("否", "保留", "未摘除", "不摘除", "暂不摘除", "暂缓", "留用", "×", "✗",
                     "n", "no"), KEPT),
}  # fmt: skip


# --- the sign inventory: plan -------------------------------------------------------------------

CREATE = "create"
ADD_REMOVAL = "add_removal"
SKIP = "skip"


@dataclass
class PlannedSign:
    row: int  # as Excel shows it, on `sheet` when the file has several tables
    village: Village
    kind: str
    title: str
    location: str
    approved_item: ApprovedItem | None
    inventoried_on: dt.date
    requested_by: Department | None = None
    removed_on: dt.date | None = None
    reason: str = ""
    note: str = ""
    action: str = CREATE
    sheet: str = ""
    existing_id: int | None = None
    why_skipped: str = ""

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.village.pk, self.title, self.location)

    @property
    def looks_like_formula(self) -> bool:
        return looks_like_formula(self.title) or looks_like_formula(self.location)

    def get_kind_display(self) -> str:
        return str(SignKind(self.kind).label)

    def get_reason_display(self) -> str:
        return str(RemovalReason(self.reason).label) if self.reason else ""


@dataclass
class VillageSummary:
    village: Village
    signs: int = 0
    removals: int = 0
    skipped: int = 0


@dataclass
class SignPlan:
    """What an import would do, row by row; `errors` empty means it may be written."""

    town: Town
    row_count: int
    rows: list[PlannedSign] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    skipped_rows: dict[str, int] = field(default_factory=dict)  # 小计/合计/空行/落款 -> rows
    skipped_sheets: list[str] = field(default_factory=list)
    notes_not_kept: int = 0  # 备注 of signs not removed: a sign has no note to keep them in
    unknown_words: dict = field(default_factory=dict)  # (field, norm word) -> UnknownWord
    breaks_replaced: list[str] = field(default_factory=list)  # cells: tab/line break → space
    sheets: list[tuple[str, bool]] = field(default_factory=list)  # (sheet, ticked), if several

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped_rows.values())

    @property
    def to_create(self) -> list[PlannedSign]:
        return [p for p in self.rows if p.action == CREATE]

    @property
    def to_add_removal(self) -> list[PlannedSign]:
        return [p for p in self.rows if p.action == ADD_REMOVAL]

    @property
    def skipped(self) -> list[PlannedSign]:
        return [p for p in self.rows if p.action == SKIP]

    @property
    def summary(self) -> dict[str, int]:
        """The counts the user confirms; a commit refuses if they have changed since."""
        return {
            "rows": self.row_count,
            "signs": len(self.to_create),
            "removals": sum(1 for p in self.rows if p.removed_on and p.action != SKIP),
            "skipped": len(self.skipped),
        }

    def by_village(self) -> list[VillageSummary]:
        summaries: dict[int, VillageSummary] = {}
        for p in self.rows:
            s = summaries.setdefault(p.village.pk, VillageSummary(p.village))
            if p.action == SKIP:
                s.skipped += 1
                continue
            s.signs += p.action == CREATE
            s.removals += bool(p.removed_on)
        return sorted(summaries.values(), key=lambda s: s.village.code)


def read_sign_sheet(data: bytes, *, town: Town | None = None, sheets=None) -> Sheet:
    """The signs of a template, an exported 台账 or a township's own ledger (see `table`).

    With `town`, its saved layouts are used, and a file of a layout not seen before raises
    NeedsMapping (the view then asks which column holds what). `sheets`: the names of the
    sheets to import, of a workbook with tables on several (None: all)."""
    layouts = {}
    if town is not None:
        layouts = dict(LedgerLayout.objects.filter(town=town).values_list("fingerprint", "columns"))
    return table.read_table(
        data,
        columns=LEDGER_COLUMNS,
        required=SIGN_REQUIRED,
        one_of=SIGN_ONE_OF,
        preferred=(SIGN_SHEET, SIGN_LEDGER_SHEET),
        village_sheets=True,
        layouts=layouts,
        mappable=town is not None,
        only_sheets=sheets,
    )


SIGN_REQUIRED = ("title", "kind")
SIGN_ONE_OF = (("village_code", "village_name"),)


# --- the column-mapping step ----------------------------------------------------------------


def ledger_fields() -> list[tuple[str, str]]:
    """The fields a ledger's column can be mapped to: (key, the header we call it)."""
    return [(c.key, c.header) for c in LEDGER_COLUMNS]


def check_mapping(layout: Layout, columns: dict[str, int]) -> list[str]:
    """The problems of a mapping a person chose ({key: column}); empty when it can be saved."""
    by_key = {c.key: c for c in LEDGER_COLUMNS}
    errors = [
        _("Choose the column that holds “%(field)s”.") % {"field": by_key[key].header}
        for key in SIGN_REQUIRED
        if key not in columns
    ]
    if not layout.village_from_sheet and not any(k in columns for k in SIGN_ONE_OF[0]):
        errors.append(_("Choose the column that holds the village (its name or its code)."))
    return errors


def guess_columns(layout: Layout, town: Town) -> None:
    """Pre-fill each column's field from its header's words, else from its values: dates, 是/否,
    the township's village names, kinds, reasons. A field is guessed for one column only."""
    villages = village_lookup(Village.objects.filter(town=town))
    words = _town_words(town)
    kinds, _labels = _choice_lookup(SignKind, {**words["kind"], **KIND_ALIASES})
    reasons, _labels = _choice_lookup(RemovalReason, {**words["reason"], **REASON_ALIASES})
    taken: set[str] = set()
    for column in layout.columns:
        if column.hidden:
            continue
        key = _guess_by_header(column.header) or _guess_by_values(
            column.samples, town=town, villages=villages, kinds=kinds, reasons=reasons
        )
        if key and key not in taken:
            column.guess = key
            taken.add(key)


def _guess_by_header(header: str) -> str:
    if not header:
        return ""
    exact = next((c.key for c in LEDGER_COLUMNS if c.matches(header)), "")
    if exact:
        return exact
    words = norm(header)
    best, length = "", 0
    for column in LEDGER_COLUMNS:
        for name in (column.header, *column.aliases):
            name = norm(name)
            if len(name) >= 2 and name in words and len(name) > length:
                best, length = column.key, len(name)
    return best


def _guess_by_values(samples, *, town, villages, kinds, reasons) -> str:
    if not samples:
        return ""

    def share(test) -> float:
        return sum(1 for v in samples if test(v)) / len(samples)

    def is_date(value: str) -> bool:  # as _Cells.date reads them; samples are text
        text = unicodedata.normalize("NFKC", value).rstrip(".。")
        return bool(DATE_TEXT.fullmatch(text) or COMPACT_DATE.fullmatch(text))

    tests = (
        ("removed_on", is_date),
        ("status", lambda v: norm(v) in STATUS_WORDS),
        ("village_name", lambda v: find_village(v, town, villages) is not None),
        ("kind", lambda v: norm(v) in kinds),
        ("reason", lambda v: norm(v) in reasons),
    )
    for key, test in tests:
        if share(test) >= 0.6:
            return key
    return ""


# --- words a township uses that are not ours --------------------------------------------------


@dataclass
class UnknownWord:
    field: str  # LedgerWord.Field
    word: str  # as first written
    count: int
    where: str  # its first cell, as an error locates it
    guess: str = ""


def _town_words(town: Town) -> dict[str, dict[str, str]]:
    """The township's own words, {field: {word: value}}, in one query."""
    words: dict[str, dict[str, str]] = defaultdict(dict)
    for field_name, word, value in LedgerWord.objects.filter(town=town).values_list(
        "field", "word", "value"
    ):
        words[field_name][word] = value
    return words


def word_choices(field_name: str) -> list[tuple[str, str]]:
    """(value, Chinese label) a word of `field_name` can be mapped to."""
    if field_name == LedgerWord.Field.STATUS:
        return [(REMOVED, _("removed")), (MERGED, _("merged (removed)")), (KEPT, _("kept"))]
    choices = SignKind if field_name == LedgerWord.Field.KIND else RemovalReason
    return list(zip(choices.values, zh_labels(choices), strict=True))


def closest_value(field_name: str, word: str) -> str:
    """The value whose label or known synonym reads most like `word` (无依据挂牌 → no_basis)."""
    if field_name == LedgerWord.Field.STATUS:
        lookup = dict(STATUS_WORDS)
    else:
        choices, aliases = (
            (SignKind, KIND_ALIASES) if field_name == LedgerWord.Field.KIND
            else (RemovalReason, REASON_ALIASES)
        )  # fmt: skip
        lookup, _labels = _choice_lookup(choices, aliases)
    key = norm(word)
    scored = [
        (difflib.SequenceMatcher(None, key, candidate).ratio(), value)
        for candidate, value in lookup.items()
    ]
    best = max(scored, default=(0, ""))
    return best[1] if best[0] >= 0.3 else ""


@dataclass
class _Existing:
    pk: int
    inventoried_on: dt.date
    has_removals: bool


def _existing_signs(town: Town) -> dict[tuple[int, str, str], list[_Existing]]:
    ever_removed = Exists(Removal.objects.filter(signboard=OuterRef("pk")))
    rows = (
        Signboard.objects.filter(village__town=town)
        .annotate(has_removals=ever_removed)
        .order_by("pk")
        .values_list("pk", "village_id", "title", "location", "inventoried_on", "has_removals")
    )
    existing: dict[tuple[int, str, str], list[_Existing]] = defaultdict(list)
    for pk, village_id, title, location, inventoried_on, has_removals in rows:
        existing[(village_id, title, location)].append(_Existing(pk, inventoried_on, has_removals))
    return existing


def _standard_items() -> tuple[dict[str, list[ApprovedItem]], str | None]:
    standard = current_standard()
    if standard is None:
        return {}, None
    items: dict[str, list[ApprovedItem]] = defaultdict(list)
    for item in standard.items.all():
        items[norm(item.title)].append(item)
    return items, standard.title


def plan_sign_import(*, town: Town, sheet: Sheet) -> SignPlan:
    """Check every row of an inventory sheet for `town` and say what importing it would do.

    A sign already in the inventory (same village, text and location) is skipped; if it has
    never had a removal and the row gives one, the removal is added.
    """
    today = timezone.localdate()
    villages = list(Village.objects.filter(town=town).select_related("town"))
    by_code = {v.code: v for v in villages}
    by_name = village_lookup(villages)
    towns = dict(Town.objects.values_list("code", "name"))
    items, standard_title = _standard_items()
    existing = _existing_signs(town)
    # The township's own words, mapped once on the mapping page, beside the known synonyms.
    words = _town_words(town)
    kinds, kind_labels = _choice_lookup(SignKind, {**words["kind"], **KIND_ALIASES})
    reasons, reason_labels = _choice_lookup(RemovalReason, {**words["reason"], **REASON_ALIASES})
    statuses = {**words["status"], **STATUS_WORDS}
    departments = _department_lookup()
    plan = SignPlan(
        town=town,
        sheets=[(p.name, p.name in sheet.chosen_sheets) for p in sheet.parts]
        if len(sheet.parts) > 1
        else [],
        row_count=sheet.row_count,
        ignored_columns=sheet.ignored_columns,
        skipped_rows=sheet.skipped,
        skipped_sheets=sheet.skipped_sheets,
    )
    seen: dict[tuple[int, str, str], int] = {}

    for number, values in sheet.rows:
        cells = _Cells(sheet, LEDGER_COLUMNS, number, values)
        town_code = cells.code("town_code", max_length=12)
        if town_code and town_code != town.code:
            if town_code in towns:
                cells.error(
                    "town_code",
                    _("%(code)s is %(name)s, not this page's township %(town)s (%(own)s).")
                    % {"code": town_code, "name": towns[town_code], "town": town.name,
                       "own": town.code},
                )  # fmt: skip
            else:
                cells.error("town_code", _("Unknown township code %(code)s.") % {"code": town_code})
        _row_town_name(cells, town)
        village = _row_village(cells, town=town, by_code=by_code, by_name=by_name)
        title = cells.text("title", max_length=200, required=True)
        kind = cells.choice("kind", kinds, required=True, labels=kind_labels)
        location = cells.text("location", max_length=100)
        approved_item = _row_item(cells, items, standard_title, kind)
        inventoried_on = cells.date("inventoried_on", today=today)
        removed_on = cells.date("removed_on", today=today)
        reason = cells.choice("reason", reasons, required=False, labels=reason_labels)
        note = cells.text("note", max_length=2000, multiline=True)
        requested_by = _row_department(cells, departments)
        status = _row_status(cells, statuses)
        if status == MERGED and not reason and not cells.has_error("reason"):
            reason = RemovalReason.MERGED  # 合并 says why
        if status == KEPT and (removed_on or reason):
            cells.error(
                "status",
                _("The row says the sign was kept, yet gives a removal; correct one of them."),
            )
        if status in (REMOVED, MERGED) and not removed_on and not cells.has_error("removed_on"):
            cells.error("removed_on", _("The row says the sign was removed: give the date."))
        removal_given = bool(removed_on or reason or cells.has_error("removed_on"))
        if removed_on and not reason and not cells.has_error("reason"):
            cells.error("reason", _("A removal date needs a reason for the removal."))
        if reason and not removed_on and not cells.has_error("removed_on"):
            cells.error("removed_on", _("A reason for removal needs the removal date."))
        if reason == RemovalReason.OTHER and not note:
            cells.error("note", _("The reason “other” needs an explanation in the note."))
        if note and not removal_given:
            # A sign has no note of its own: a ledger's 按标准保留 on a kept sign is said in
            # the preview as not kept, never an error that would send the cadre to retype.
            plan.notes_not_kept += 1
            note = ""
        if inventoried_on is None and not cells.has_error("inventoried_on"):
            inventoried_on = removed_on or today
        if removed_on and inventoried_on and removed_on < inventoried_on:
            cells.error(
                "removed_on",
                _("The removal date %(removed)s is before the inventory date %(inventoried)s.")
                % {"removed": removed_on.isoformat(), "inventoried": inventoried_on.isoformat()},
            )
        if village is not None and title:
            key = (village.pk, title, location)
            if key in seen:
                cells.error(
                    "title",
                    _(
                        "The same sign as row %(row)d (same village, text and location); "
                        "list each sign once, or give the location to tell them apart."
                    )
                    % {"row": sheet.locate(seen[key])[1]},
                )
            else:
                seen[key] = number
        plan.breaks_replaced += cells.replaced
        for key, word in cells.unknown:
            unknown = plan.unknown_words.get((key, norm(word)))
            if unknown is None:
                where = str(cells.errors[0]).split("：")[0] if cells.errors else ""
                plan.unknown_words[(key, norm(word))] = UnknownWord(key, word, 1, where)
            else:
                unknown.count += 1
        if cells.errors:
            plan.errors.extend(cells.errors)
            continue
        planned = PlannedSign(
            row=sheet.locate(number)[1],
            sheet=sheet.sheet_label(number),
            village=village,
            kind=kind,
            title=title,
            location=location,
            approved_item=approved_item,
            inventoried_on=inventoried_on,
            requested_by=requested_by,
            removed_on=removed_on,
            reason=reason,
            note=note,
        )
        _match_existing(planned, existing.get(planned.key, []), cells)
        if cells.errors:
            plan.errors.extend(cells.errors)
            continue
        plan.rows.append(planned)
    plan.errors.sort(key=lambda e: (e.number or e.row, e.column or 0))
    return plan


def _row_status(cells: _Cells, statuses: dict[str, str]) -> str | None:
    text = cells.text("status", max_length=20)
    if not text:
        return None
    status = statuses.get(norm(text))
    if status is None:
        cells.unknown.append(("status", text))
        cells.error(
            "status",
            _("Unknown value “%(value)s”; write 是/否, 保留/摘除/合并 or 已摘除/未摘除.")
            % {"value": text},
        )
    return status


# A village as ledgers write it: 竹塘村委会, 竹塘村民委员会, 横州镇竹塘村, 竹塘.
VILLAGE_SUFFIXES = ("村民委员会", "居民委员会", "社区居委会", "村委会", "居委会", "村委")
TOWN_SUFFIXES = ("人民政府", "政府", "办事处")


def _village_keys(name: str) -> list[str]:
    """The keys a village is found under: its name and its name without 村/社区."""
    key = norm(name)
    bare = re.sub(r"(村|社区)$", "", key)
    return [key, bare] if bare and bare != key else [key]


def village_lookup(villages) -> dict[str, Village]:
    """{key: village}; a bare name two villages share is left out (it would be a guess)."""
    lookup: dict[str, Village] = {}
    shared: set[str] = set()
    for village in villages:
        for key in _village_keys(village.name):
            if key in lookup and lookup[key] != village:
                shared.add(key)
            lookup.setdefault(key, village)
    for key in shared - {norm(v.name) for v in villages}:
        del lookup[key]
    return lookup


def find_village(name: str, town: Town, lookup: dict[str, Village]) -> Village | None:
    key = norm(name)
    for prefix in (norm(town.name), *(norm(town.name) + s for s in TOWN_SUFFIXES)):
        if key.startswith(prefix) and len(key) > len(prefix):
            key = key[len(prefix) :]
            break
    for suffix in VILLAGE_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            stem = key[: -len(suffix)]
            key = stem + ("社区" if "居" in suffix else "")
            break
    for candidate in (key, *_village_keys(key)):
        if candidate in lookup:
            return lookup[candidate]
    return None


def _closest_villages(name: str, villages) -> str:
    names = [v.name for v in villages]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.3)
    return "、".join(close)


def _row_town_name(cells: _Cells, town: Town) -> None:
    name = cells.text("town_name", max_length=60)
    if not name:
        return
    key = norm(name)
    for suffix in TOWN_SUFFIXES:
        key = key.removesuffix(suffix)
    own = norm(town.name)
    if key not in (own, re.sub(r"(镇|乡|街道)$", "", own), norm("横州市") + own):
        cells.error(
            "town_name",
            _("“%(name)s” is not this page's township %(town)s.")
            % {"name": name, "town": town.name},
        )


def _row_village(cells: _Cells, *, town, by_code, by_name) -> Village | None:
    code = cells.code("village_code", max_length=15)
    name = cells.text("village_name", max_length=50)
    if cells.has_error("village_code") or cells.has_error("village_name"):
        return None
    if code:
        village = by_code.get(code)
        if village is None:
            cells.error(
                "village_code",
                _("%(town)s has no village or community with the code %(code)s.")
                % {"town": town.name, "code": code},
            )
            return None
        if name and find_village(name, town, by_name) != village:
            cells.error(
                "village_name",
                _("“%(name)s” does not match the code %(code)s, which is %(actual)s.")
                % {"name": name, "code": code, "actual": village.name},
            )
            return None
        return village
    if name:
        village = find_village(name, town, by_name)
        if village is None:
            message = _("%(town)s has no village or community named “%(name)s”.") % {
                "town": town.name,
                "name": name,
            }
            close = _closest_villages(name, {v.pk: v for v in by_name.values()}.values())
            if close:
                message += _(" Did you mean: %(names)s?") % {"names": close}
            cells.error("village_name", message)
        return village
    cells.error("village_code", _("Give the village's code or its name."))
    return None


CITY_PREFIXES = ("横州市", "横州")


def _department_lookup() -> dict[str, Department]:
    """Each department under the names a ledger gives it: 市民政局, 横州市民政局, 民政局."""
    lookup: dict[str, Department] = {}
    for department in Department.objects.all():
        name = department.name
        bare = name.removeprefix("市")
        for alias in (bare, *(prefix + bare for prefix in CITY_PREFIXES), name):
            lookup[norm(alias)] = department
    return lookup


def _row_department(cells: _Cells, departments: dict[str, Department]) -> Department | None:
    name = cells.text("requested_by", max_length=60)
    if not name:
        return None
    department = departments.get(norm(name))
    if department is None:
        known = "、".join(sorted({d.name for d in departments.values()}, key=len)[:6])
        cells.error(
            "requested_by",
            _("“%(name)s” is not a city department on the list (e.g. %(known)s).")
            % {"name": name, "known": known},
        )
    return department


ITEM_KIND_FOR_SIGN = {SignKind.RULE: "rule", SignKind.PLAQUE: "plaque",
                      SignKind.ORGANIZATION: "organization"}  # fmt: skip


def _row_item(cells: _Cells, items, standard_title, kind: str) -> ApprovedItem | None:
    title = cells.text("approved_item", max_length=100)
    if not title:
        return None
    if standard_title is None:
        cells.error("approved_item", _("There is no current standard to match “%(t)s” against.")
                    % {"t": title})  # fmt: skip
        return None
    matches = items.get(norm(title), [])
    if len(matches) > 1:
        matches = [i for i in matches if i.kind == ITEM_KIND_FOR_SIGN.get(kind)] or matches
    if len(matches) == 1:
        return matches[0]
    if not matches:
        cells.error(
            "approved_item",
            _("“%(title)s” is not an item of the current standard (%(standard)s).")
            % {"title": title, "standard": standard_title},
        )
    else:
        cells.error("approved_item", _("“%(title)s” is ambiguous in the standard; set the kind.")
                    % {"title": title})  # fmt: skip
    return None


def _match_existing(planned: PlannedSign, matches: list[_Existing], cells: _Cells) -> None:
    """Decide what to do with a row whose sign may already be in the inventory."""
    if not matches:
        return
    planned.action = SKIP
    planned.existing_id = matches[0].pk
    if not planned.removed_on:
        planned.why_skipped = _("already in the inventory")
        return
    if len(matches) > 1:
        planned.why_skipped = _("already in the inventory more than once; record removals there")
        return
    sign = matches[0]
    if sign.has_removals:
        # Never re-add a removal that was recorded, or revoked on purpose, since.
        planned.why_skipped = _("already in the inventory, with a removal recorded")
        return
    if planned.removed_on < sign.inventoried_on:
        cells.error(
            "removed_on",
            _(
                "The removal date %(removed)s is before the inventory date %(inventoried)s "
                "of the sign already in the inventory."
            )
            % {
                "removed": planned.removed_on.isoformat(),
                "inventoried": sign.inventoried_on.isoformat(),
            },
        )
        return
    planned.action = ADD_REMOVAL


# --- the sign inventory: write ----------------------------------------------------------------


def _audit_row(*, user, action: str, obj, town: Town) -> AuditEntry:
    return audit_entry(actor=user, action=action, obj=obj, town=town, after=snapshot(obj))


@transaction.atomic
def sign_import_commit(
    *, town: Town, user, sheet: Sheet, file_name: str = "", expected: dict | None = None
) -> SignPlan:
    """Write an inventory sheet for `town`: every sign and removal, or nothing.

    Plans again inside the transaction (the township row locked, so two imports of one
    township run one after the other); raises ImportRejected on any error and PlanChanged
    when the counts differ from `expected`, the preview the user confirmed. Signs and removals
    are built and checked as signs.services does and written in bulk, each with its audit row.
    """
    town = Town.objects.select_for_update().get(pk=town.pk)
    plan = plan_sign_import(town=town, sheet=sheet)
    if plan.errors:
        raise ImportRejected(plan)
    if expected is not None and plan.summary != expected:
        raise PlanChanged(plan)
    if not plan.to_create and not plan.to_add_removal:
        return plan  # everything is in already: nothing to write, nothing to audit
    try:
        with transaction.atomic():
            _write_signs(plan, user=user, file_name=file_name, sha256=sheet.sha256)
    except IntegrityError as exc:
        raise ValidationError(
            _("A sign changed while the file was being imported; nothing was saved. Try again.")
        ) from exc
    audit_write(
        actor=user,
        action="signboard.import",
        obj=town,
        town=town,
        after={"file": file_name[:200], "sha256": sheet.sha256, **plan.summary},
    )
    return plan


def _write_signs(plan: SignPlan, *, user, file_name: str = "", sha256: str = "") -> None:
    now = timezone.now()
    town = plan.town
    batch = ImportBatch.objects.create(
        town=town, file_name=file_name[:200], sha256=sha256, imported_by=user, imported_at=now,
        signs=len(plan.to_create),
        removals=sum(1 for p in plan.rows if p.removed_on and p.action != SKIP),
    )  # fmt: skip
    new_signs: list[tuple[PlannedSign, Signboard]] = []
    for p in plan.to_create:
        sign = Signboard(
            village=p.village,
            kind=p.kind,
            title=p.title,
            location=p.location,
            approved_item=p.approved_item,
            inventoried_on=p.inventoried_on,
            requested_by=p.requested_by,
            created_by=user,
            created_at=now,
        )
        # Foreign keys and constraints were checked by the plan and stay with the database.
        sign.full_clean(
            exclude=["village", "approved_item", "requested_by", "created_by"],
            validate_unique=False,
            validate_constraints=False,
        )
        new_signs.append((p, sign))
    Signboard.objects.bulk_create([sign for _p, sign in new_signs], batch_size=500)
    audits = [
        _audit_row(user=user, action="signboard.create", obj=sign, town=town)
        for _p, sign in new_signs
    ]
    existing = Signboard.objects.in_bulk([p.existing_id for p in plan.to_add_removal])
    removal_rows = [(p, sign) for p, sign in new_signs if p.removed_on]
    removal_rows += [(p, existing[p.existing_id]) for p in plan.to_add_removal]
    removals = []
    for p, sign in removal_rows:
        removal = Removal(
            signboard=sign,
            removed_on=p.removed_on,
            reason=p.reason,
            note=p.note.strip(),
            recorded_by=user,
            recorded_at=now,
            import_batch=batch,
        )
        removal.full_clean(
            exclude=[*PHOTO_FIELDS, "signboard", "recorded_by", "revoked_by", "import_batch"],
            validate_unique=False,
            validate_constraints=False,
        )
        removals.append(removal)
    Removal.objects.bulk_create(removals, batch_size=500)
    audits += [
        _audit_row(user=user, action="removal.record", obj=removal, town=town)
        for removal in removals
    ]
    AuditEntry.objects.bulk_create(audits, batch_size=500)
    refresh_village_tallies(
        {sign.village_id for _p, sign in new_signs} | {sign.village_id for _p, sign in removal_rows}
    )


# --- the village list -----------------------------------------------------------------------------

TOWN_KIND_BY_SUFFIX = (
    ("街道", TownKind.SUBDISTRICT),
    ("镇", TownKind.TOWN),
    ("乡", TownKind.TOWNSHIP),
)


@dataclass
class PlannedTown:
    row: int
    code: str
    name: str
    kind: str
    existing: Town | None
    changes: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        if self.existing is None:
            return CREATE
        return "update" if self.changes else SKIP


@dataclass
class PlannedVillage:
    row: int
    town_code: str
    code: str
    name: str
    kind: str
    existing: Village | None
    changes: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        if self.existing is None:
            return CREATE
        return "update" if self.changes else SKIP

    def get_kind_display(self) -> str:
        return str(VillageKind(self.kind).label)


@dataclass
class VillagePlan:
    row_count: int
    towns: list[PlannedTown] = field(default_factory=list)
    villages: list[PlannedVillage] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def _with(self, items, action):
        return [item for item in items if item.action == action]

    @property
    def towns_to_create(self):
        return self._with(self.towns, CREATE)

    @property
    def towns_to_update(self):
        return self._with(self.towns, "update")

    @property
    def villages_to_create(self):
        return self._with(self.villages, CREATE)

    @property
    def villages_to_update(self):
        return self._with(self.villages, "update")

    @property
    def villages_unchanged(self):
        return self._with(self.villages, SKIP)

    @property
    def summary(self) -> dict[str, int]:
        return {
            "rows": self.row_count,
            "towns_created": len(self.towns_to_create),
            "towns_updated": len(self.towns_to_update),
            "villages_created": len(self.villages_to_create),
            "villages_updated": len(self.villages_to_update),
            "unchanged": len(self.villages_unchanged),
        }


def read_village_sheet(data: bytes) -> Sheet:
    return table.read_table(
        data,
        columns=VILLAGE_COLUMNS,
        required=("town_code", "town_name", "village_code", "village_name"),
        preferred=(VILLAGE_SHEET,),
    )


def _town_kind(name: str) -> str | None:
    return next((kind for suffix, kind in TOWN_KIND_BY_SUFFIX if name.endswith(suffix)), None)


def plan_village_import(*, sheet: Sheet) -> VillagePlan:
    """Check every row of a village list and say which townships and villages it creates or
    changes (by code); villages missing from the file are left as they are."""
    towns = {t.code: t for t in Town.objects.all()}
    town_by_name = {t.name: t.code for t in towns.values()}
    villages = {v.code: v for v in Village.objects.select_related("town")}
    kinds, kind_labels = _choice_lookup(VillageKind)
    plan = VillagePlan(row_count=sheet.row_count, ignored_columns=sheet.ignored_columns)
    file_towns: dict[str, PlannedTown] = {}
    file_town_names: dict[str, tuple[str, int]] = {}
    file_villages: dict[str, int] = {}
    rows: list[tuple[_Cells, PlannedVillage]] = []

    for number, values in sheet.rows:
        cells = _Cells(sheet, VILLAGE_COLUMNS, number, values)
        town_code = cells.code("town_code", max_length=12, required=True)
        town_name = cells.text("town_name", max_length=50, required=True)
        code = cells.code("village_code", max_length=15, required=True)
        name = cells.text("village_name", max_length=50, required=True)
        kind = cells.choice("kind", kinds, required=False, labels=kind_labels)
        if town_code and code and not code.startswith(town_code):
            cells.error(
                "village_code",
                _("%(code)s does not begin with its township's code %(town)s.")
                % {"code": code, "town": town_code},
            )
        if town_code and town_name:
            _plan_town(cells, plan, towns, town_by_name, file_towns, file_town_names,
                       town_code, town_name)  # fmt: skip
        if code:
            if code in file_villages:
                cells.error(
                    "village_code",
                    _("The code %(code)s is already on row %(row)d.")
                    % {"code": code, "row": file_villages[code]},
                )
            else:
                file_villages[code] = number
        existing = villages.get(code)
        if not kind:
            kind = existing.kind if existing else VillageKind.VILLAGE
        planned = PlannedVillage(number, town_code, code, name, kind, existing)
        if existing is not None:
            if existing.town.code != town_code:
                planned.changes.append(
                    _("township %(old)s → %(new)s")
                    % {"old": existing.town.name, "new": town_name or town_code}
                )
            if existing.name != name:
                planned.changes.append(
                    _("name %(old)s → %(new)s") % {"old": existing.name, "new": name}
                )
            if existing.kind != kind:
                planned.changes.append(
                    _("kind %(old)s → %(new)s")
                    % {"old": existing.get_kind_display(), "new": planned.get_kind_display()}
                )
        rows.append((cells, planned))

    # Names are unique within a township: check the list as it will be after the import.
    final: dict[tuple[str, str], list[str]] = defaultdict(list)
    in_file = {planned.code for _cells, planned in rows}
    for village in villages.values():
        if village.code not in in_file:
            final[(village.town.code, village.name)].append(village.code)
    for _cells, planned in rows:
        final[(planned.town_code, planned.name)].append(planned.code)
    for cells, planned in rows:
        same = [c for c in final[(planned.town_code, planned.name)] if c != planned.code]
        if planned.name and same:
            cells.error(
                "village_name",
                _("%(name)s would be the name of %(codes)s too; names must differ in a township.")
                % {"name": planned.name, "codes": "、".join(sorted(set(same)))},
            )
        if cells.errors:
            plan.errors.extend(cells.errors)
        else:
            plan.villages.append(planned)
    if plan.errors:
        plan.errors.sort(key=lambda e: (e.number or e.row, e.column or 0))
    return plan


def _plan_town(cells, plan, towns, town_by_name, file_towns, file_town_names, code, name):
    planned = file_towns.get(code)
    if planned is not None:
        if planned.name != name:
            cells.error(
                "town_name",
                _("Row %(row)d gives the township %(code)s the name %(name)s.")
                % {"row": planned.row, "code": code, "name": planned.name},
            )
        return
    other = file_town_names.get(name)
    if other and other[0] != code:
        cells.error(
            "town_name",
            _("Row %(row)d gives the name %(name)s to the township %(code)s.")
            % {"row": other[1], "name": name, "code": other[0]},
        )
        return
    holder = town_by_name.get(name)
    if holder and holder != code and holder not in file_towns:
        cells.error(
            "town_name",
            _("%(name)s is already the name of the township %(code)s.")
            % {"name": name, "code": holder},
        )
        return
    existing = towns.get(code)
    kind = existing.kind if existing else _town_kind(name)
    if kind is None:
        cells.error(
            "town_name",
            _("A new township's name must end in 镇, 乡 or 街道 (to tell its kind)."),
        )
        return
    planned = PlannedTown(cells.number, code, name, kind, existing)
    if existing is not None and existing.name != name:
        planned.changes.append(_("name %(old)s → %(new)s") % {"old": existing.name, "new": name})
    file_towns[code] = planned
    file_town_names[name] = (code, cells.number)
    plan.towns.append(planned)


@transaction.atomic
def village_import_commit(*, user, sheet: Sheet, expected: dict | None = None) -> VillagePlan:
    """Create or update townships and villages by code from a village list: all or nothing,
    each write audited. Raises ImportRejected / PlanChanged like `sign_import_commit`."""
    list(Town.objects.select_for_update().values_list("pk", flat=True))
    plan = plan_village_import(sheet=sheet)
    if plan.errors:
        raise ImportRejected(plan)
    if expected is not None and plan.summary != expected:
        raise PlanChanged(plan)
    if not (plan.towns_to_create or plan.towns_to_update or plan.villages_to_create
            or plan.villages_to_update):  # fmt: skip
        return plan
    try:
        with transaction.atomic():
            _write_villages(plan, user=user)
    except IntegrityError as exc:
        raise ValidationError(
            _(
                "The list could not be saved as it is (two names swapped, or a change made "
                "meanwhile); nothing was saved. Import the renames in two steps."
            )
        ) from exc
    return plan


def _write_villages(plan: VillagePlan, *, user) -> None:
    towns: dict[str, Town] = {t.code: t for t in Town.objects.all()}
    for planned in plan.towns:
        if planned.action == SKIP:
            continue
        if planned.existing is None:
            town = Town(code=planned.code, name=planned.name, kind=planned.kind)
            town.full_clean()
            town.save()
            audit_write(actor=user, action="town.create", obj=town, town=town,
                        after=snapshot(town))  # fmt: skip
        else:
            town = towns[planned.code]
            before = snapshot(town)
            town.name = planned.name
            town.full_clean()
            town.save(update_fields=["name"])
            audit_write(actor=user, action="town.update", obj=town, town=town, before=before,
                        after=snapshot(town))  # fmt: skip
        towns[town.code] = town
    for planned in plan.villages:
        if planned.action == SKIP:
            continue
        town = towns[planned.town_code]
        if planned.existing is None:
            village = Village(town=town, code=planned.code, name=planned.name, kind=planned.kind)
            village.full_clean()
            village.save()
            audit_write(actor=user, action="village.create", obj=village, town=town,
                        after=snapshot(village))  # fmt: skip
        else:
            village = Village.objects.get(pk=planned.existing.pk)
            before = snapshot(village)
            village.town, village.name, village.kind = town, planned.name, planned.kind
            village.full_clean()
            village.save(update_fields=["town", "name", "kind"])
            audit_write(actor=user, action="village.update", obj=village, town=town,
                        before=before, after=snapshot(village))  # fmt: skip


# --- templates --------------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="FDE9D9")
BOLD = Font(name="宋体", size=11, bold=True)
BODY = Font(name="宋体", size=11)
WRAP = Alignment(vertical="top", wrap_text=True)
TEMPLATE_ROWS = MAX_ROWS + 1  # data validations and formats reach this row


def _put(ws, row: int, column: int, value, *, font=BODY):
    """A cell whose text never becomes a formula (as utilities.excel.text_safe_cell does)."""
    cell = ws.cell(row=row, column=column, value=safe_cell(value))
    if looks_like_formula(cell.value) or cell.data_type == "f":
        cell.data_type = "s"
        cell.quotePrefix = True
    cell.font = font
    return cell


def _data_sheet(ws, columns: Sequence[Column]) -> None:
    for index, column in enumerate(columns, start=1):
        cell = _put(ws, 1, index, column.header, font=BOLD)
        cell.fill = HEADER_FILL
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = max(column.width, display_width(column.header) + 2)
        if column.text_format:
            ws.column_dimensions[letter].number_format = "@"
        if column.date_format:
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"


def _help_sheet(ws, columns: Sequence[Column], notes: Iterable[str]) -> None:
    for index, header in enumerate(("列名", "是否必填", "填写说明", "示例"), start=1):
        _put(ws, 1, index, header, font=BOLD).fill = HEADER_FILL
    for row, column in enumerate(columns, start=2):
        for index, value in enumerate(
            (column.header, column.required, column.help, column.example), start=1
        ):
            _put(ws, row, index, value).alignment = WRAP
    row = len(columns) + 3
    _put(ws, row, 1, "导入规则", font=BOLD)
    for offset, note in enumerate(notes, start=1):
        _put(ws, row + offset, 1, f"{offset}. {note}")
    for letter, width in zip("ABCD", (16, 14, 60, 16), strict=True):
        ws.column_dimensions[letter].width = width


def _list_validation(ws, column: int, lists, list_column: int, count: int, *, title: str):
    letter = get_column_letter(list_column)
    validation = DataValidation(
        type="list",
        formula1=f"'{lists.title}'!${letter}$2:${letter}${max(2, count + 1)}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=title,
        error="请从下拉列表中选择。",
    )
    target = get_column_letter(column)
    validation.add(f"{target}2:{target}{TEMPLATE_ROWS}")
    ws.add_data_validation(validation)


def _to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


SIGN_NOTES = (
    "每行一块牌子，第1行为表头，请勿改动表头；不要合并单元格。",
    "同一村(社区)、同一牌子名称、同一位置视为同一块牌子：文件中不能重复；已在系统中的会跳过，"
    "因此同一文件重复导入不会重复登记。",
    "已在系统中、从未登记过摘除的牌子，如本行填写了摘除日期和原因，将补登摘除记录。",
    "上传后系统会逐行检查，并列出所有错误（第几行、第几列）；只要有一处错误，整份文件都不导入。",
    "检查通过后先显示预览（将新增多少块牌子、多少条摘除记录、跳过多少行），确认后才保存。",
    f"一份文件最多 {MAX_ROWS} 行，大小不超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB；"
    "只读取“牌子清单”表（没有时读取第一张表）。",
    "单元格中的换行会合并为空格；含不可见控制字符的单元格需删除后重新输入。",
)

VILLAGE_NOTES = (
    "每行一个村(社区)，按代码新建或更新；文件中没有的村(社区)保持不变，不会删除。",
    "新乡镇的类别按名称结尾确定（镇、乡、街道）。",
    "上传后逐行检查并列出所有错误；只要有一处错误，整份文件都不导入；确认预览后才保存。",
)


def build_sign_template(*, town: Town) -> bytes:
    """The inventory template for `town`: data sheet with drop-downs, 说明, and the lists."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = SIGN_SHEET
    _data_sheet(ws, SIGN_COLUMNS)
    _help_sheet(
        workbook.create_sheet(HELP_SHEET),
        SIGN_COLUMNS,
        (f"本模板用于{town.name}（{town.code}）。", *SIGN_NOTES),
    )
    lists = workbook.create_sheet(LISTS_SHEET)
    villages = list(town.villages.order_by("code").values_list("code", "name"))
    standard = current_standard()
    titles = (
        list(standard.items.order_by("kind", "number").values_list("title", flat=True))
        if standard
        else []
    )
    columns = {
        "类别": zh_labels(SignKind),
        "摘除原因": zh_labels(RemovalReason),
        "保留项目（现行汇编）": titles,
        "村(社区)名称": [name for _code, name in villages],
        "村(社区)代码": [code for code, _name in villages],
        "挂牌要求部门": list(Department.objects.values_list("name", flat=True)),
    }
    for index, (header, values) in enumerate(columns.items(), start=1):
        _put(lists, 1, index, header, font=BOLD).fill = HEADER_FILL
        for row, value in enumerate(values, start=2):
            _put(lists, row, index, value)
        lists.column_dimensions[get_column_letter(index)].width = 24
    position = {c.key: i for i, c in enumerate(SIGN_COLUMNS, start=1)}
    _list_validation(ws, position["kind"], lists, 1, len(columns["类别"]), title="类别")
    _list_validation(ws, position["reason"], lists, 2, len(columns["摘除原因"]), title="摘除原因")
    if titles:
        _list_validation(ws, position["approved_item"], lists, 3, len(titles), title="保留项目")
    if villages:
        _list_validation(ws, position["village_name"], lists, 4, len(villages), title="村(社区)")
    if columns["挂牌要求部门"]:
        _list_validation(ws, position["requested_by"], lists, 6, len(columns["挂牌要求部门"]),
                         title="挂牌要求部门")  # fmt: skip
    return _to_bytes(workbook)


def build_village_template() -> bytes:
    """The village list template, with the current list on a second sheet for reference."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = VILLAGE_SHEET
    _data_sheet(ws, VILLAGE_COLUMNS)
    _help_sheet(workbook.create_sheet(HELP_SHEET), VILLAGE_COLUMNS, VILLAGE_NOTES)
    lists = workbook.create_sheet(LISTS_SHEET)
    _put(lists, 1, 1, "类别", font=BOLD).fill = HEADER_FILL
    for row, label in enumerate(zh_labels(VillageKind), start=2):
        _put(lists, row, 1, label)
    _list_validation(ws, 5, lists, 1, len(VillageKind.choices), title="类别")
    return _to_bytes(workbook)
