"""A corpus of township ledgers (台账) of removed signs, kept the way cadres keep them.

Not our import template: title rows, a 填报单位 line, two-row headers under merged group cells,
one sheet per village, the village merged down its rows, 小计 and 合计 rows, blank rows between
groups, a signature footer, hidden columns, the header words and kind, status, reason and date
spellings of real ledgers, a legacy .xls and CSV files in GBK and UTF-8. Every file carries the
truth it must import as (`Case.truth`) and the count of its rows that are not signs
(`Case.skipped`).

Everything is built in memory from `random.Random(SEED)`, so the bytes are the same on every run
(the xlsx files' zip times and document dates are pinned). `python -m tests.signs.ledgers.corpus
DIR` writes the files and a truth.json to look at.

Counting the rows that are not signs, per sheet: every 小计, 合计 and 落款 (footer) row, and the
blank rows that have a sign row above and below them (a blank row before the footer or after the
last sign is not counted). Title rows, the 填报单位 line and header rows are not counted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import xlwt
from openpyxl.utils import get_column_letter

SEED = 20240520
TOWN_CODE = "450181100"
TOWN_NAME = "横州镇"
VILLAGES = [
    ("450181100201", "城东村"),
    ("450181100202", "竹塘村"),
    ("450181100203", "石井村"),
    ("450181100204", "西街社区"),
    ("450181100205", "那莲村"),
    ("450181100206", "六蓝村"),
    ("450181100207", "中华社区"),
    ("450181100208", "长安村"),
]
VILLAGE_NAMES = [name for _code, name in VILLAGES]
KINDS = ("rule", "plaque", "guidance", "organization", "honour", "other")
SKIPPED = ("小计", "合计", "空行", "落款")


@dataclass
class Case:
    name: str  # the file's name, with its extension
    data: bytes
    truth: list[dict]  # {"village", "title", "kind", "location", "removed_on"} per sign row
    skipped: dict[str, int]  # rows that are not signs, by category (SKIPPED)
    features: tuple[str, ...] = ()  # what the file shows, for a person reading a report
    encoding: str | None = None  # a CSV's

    @property
    def format(self) -> str:
        return self.name.rsplit(".", 1)[-1]


# --- what hangs on the walls ------------------------------------------------------------------

TITLES = {
    "rule": [
        "三会一课制度", "村规民约", "村务公开制度", "财务管理制度", "四议两公开工作法",
        "民主评议党员制度", "党员发展工作流程", "村民代表会议制度", "矛盾纠纷排查调处制度",
        "安全生产责任制度", "档案管理制度", "值班制度", "首问负责制", "服务承诺制",
        "信访工作制度", "环境卫生管理制度", "消防安全管理制度", "主题党日制度", "党费收缴制度",
        "会议室管理制度", "民主理财制度", "村干部坐班制度", "党员积分管理制度",
    ],
    "plaque": [
        "党员活动室", "科普宣传室", "调解室", "农家书屋", "妇女之家", "档案室", "便民服务室",
        "图书阅览室", "警务室", "卫生室", "远程教育站点", "老年活动室", "儿童之家",
        "文体活动室", "心理咨询室", "计生服务室", "党员电教室", "多功能会议室",
    ],
    "guidance": [
        "廉洁工作站", "益农信息社", "禁毒工作站", "退役军人服务站", "新时代文明实践站",
        "网格化服务站", "便民服务中心", "志愿服务站", "法律服务工作站", "社会保障服务站",
        "就业服务站", "残疾人服务站", "村（社区）法律顾问工作室", "电商服务站", "楼层指引牌",
    ],
    "organization": [
        "村务监督委员会", "计生协会", "老年协会", "综治中心", "人民调解委员会", "村民议事会",
        "红白理事会", "禁毒协会", "关心下一代工作委员会", "民兵连", "治保会", "共青团支部",
        "股份经济合作社", "残疾人协会", "妇女联合会", "村民小组长联席会议",
    ],
    "honour": [
        "先进基层党组织", "文明村", "平安村", "民主法治示范村", "卫生村", "五星级党组织",
        "生态村", "优秀党支部", "科普示范村", "先进集体", "双拥模范村", "无邪教创建示范村",
    ],
    "other": ["宣传栏", "标语牌", "公示栏", "温馨提示牌"],
}  # fmt: skip
LOCATIONS = [
    "一楼外墙", "二楼外墙", "大门左侧", "大门右侧", "一楼大厅", "二楼", "三楼", "会议室",
    "一楼走廊", "二楼走廊", "办公室", "党员活动室内", "便民服务大厅", "院内", "楼梯口",
]  # fmt: skip
KIND_WEIGHTS = {"rule": 30, "plaque": 20, "guidance": 15, "organization": 20, "honour": 12}
OTHER_WEIGHT = 3
REMOVED_SHARE = {"rule": 0.75, "plaque": 0.5, "guidance": 0.7, "organization": 0.7,
                 "honour": 0.5, "other": 0.8}  # fmt: skip
REASONS = {
    "rule": ["内部制度不上墙", "内部制度不上墙", "无依据挂牌", "破损褪色"],
    "plaque": ["与功能室重复", "功能相近合并", "社区需求度不高", "无实质性业务"],
    "guidance": ["无实质性业务", "社区需求度不高", "未经准入", "功能相近合并"],
    "organization": ["无实质性业务", "无依据挂牌", "未经准入", "功能相近合并"],
    "honour": ["破损褪色", "无依据挂牌", "破损褪色"],
    "other": ["破损褪色", "未经准入"],
}
MERGING = {"功能相近合并", "与功能室重复"}  # written 合并 where the ledger says 处置方式
NOTES_REMOVED = ["", "", "", "已拍照留存", "已上报镇党建办", "整改前后照片已存档", "已入库保管"]
NOTES_KEPT = ["", "", "", "按标准保留", "汇编保留项目"]


def for_community(title: str) -> str:
    """What the same sign says at a community (社区) rather than a village."""
    for village_word, community_word in (("村规民约", "居民公约"), ("村务", "居务"),
                                         ("村民", "居民")):  # fmt: skip
        title = title.replace(village_word, community_word)
    if title.endswith("村"):
        title = title[:-1] + "社区"
    return title


@dataclass
class Sign:
    village: str
    title: str
    kind: str
    location: str
    removed_on: dt.date | None
    reason: str | None  # in the township's words

    def truth(self) -> dict:
        removed = self.removed_on.isoformat() if self.removed_on else None
        return {"village": self.village, "title": self.title, "kind": self.kind,
                "location": self.location, "removed_on": removed}  # fmt: skip


def make_signs(
    rng: random.Random,
    village: str,
    count: int,
    *,
    window: tuple[dt.date, dt.date],
    locations: bool = True,
    other: bool = False,
) -> list[Sign]:
    """`count` signs of one village, (title, location) unique; removals on a few campaign days
    inside `window`, now and then another day."""
    weights = dict(KIND_WEIGHTS, **({"other": OTHER_WEIGHT} if other else {}))
    start, end = window
    span = (end - start).days
    campaign = sorted(start + dt.timedelta(days=rng.randint(0, span)) for _ in range(3))
    community = village.endswith("社区")
    seen: set[tuple[str, str]] = set()
    signs: list[Sign] = []
    for _attempt in range(count * 50):
        if len(signs) == count:
            break
        kind = rng.choices(list(weights), weights=list(weights.values()))[0]
        title = rng.choice(TITLES[kind])
        if community:
            title = for_community(title)
        if kind == "honour" and rng.random() < 0.4:
            title = f"{rng.randint(2015, 2022)}年度{title}"
        location = rng.choice(LOCATIONS) if locations else ""
        if (title, location) in seen:
            continue
        seen.add((title, location))
        removed_on = reason = None
        if rng.random() < REMOVED_SHARE[kind]:
            if rng.random() < 0.85:
                removed_on = rng.choice(campaign)
            else:
                removed_on = start + dt.timedelta(days=rng.randint(0, span))
            reason = rng.choice(REASONS[kind])
        signs.append(Sign(village, title, kind, location, removed_on, reason))
    assert len(signs) == count, f"{village}: only {len(signs)} distinct signs"
    return signs


# --- how a ledger writes them -----------------------------------------------------------------

FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


def date_value(day: dt.date, style: str) -> Any:
    y, m, d = day.year, day.month, day.day
    return {
        "date": day,  # a real Excel date
        "cn": f"{y}年{m}月{d}日",
        "dot": f"{y}.{m}.{d}",
        "slash": f"{y}/{m}/{d}",
        "dash": f"{y}-{m}-{d}",
        "compact": f"{y}{m:02}{d:02}",
        "compact_number": int(f"{y}{m:02}{d:02}"),  # typed 20240305, stored as a number
        "full_width": f"{y}-{m:02}-{d:02}".translate(FULL_WIDTH),
    }[style]


def village_value(name: str, style: str) -> str:
    community = name.endswith("社区")
    stem = name[:-2] if community else name[:-1]
    return {
        "name": name,
        "committee": f"{name}居委会" if community else f"{name}委会",  # 竹塘村委会
        "full": f"{name}居民委员会" if community else f"{stem}村民委员会",  # 竹塘村民委员会
        "town": f"{TOWN_NAME}{name}",  # 横州镇竹塘村
        "bare": stem,  # 竹塘
    }[style]


@dataclass
class Style:
    kinds: dict[str, tuple[str, ...]]  # kind -> the words this file writes it with
    status: str | None  # yes_no, disposal, state, tick; None: a date says removed
    dates: tuple[str, ...]  # date_value styles, mixed row by row
    village: str = "name"  # village_value style
    town: str | None = None  # the township column's text
    tick: str = "√"


@dataclass
class Layout:
    columns: list[tuple[str, str]]  # (key, header as written)
    style: Style
    merge_village: bool = False
    subtotal: str | None = None  # label of the 小计 rows ("{village}" is filled in)
    blank_between: bool = False  # a blank row after each group but the last
    restart_numbers: bool = False  # 序号 starts again at 1 in each group

    @property
    def keys(self) -> list[str]:
        return [key for key, _header in self.columns]

    def column(self, key: str) -> int | None:
        """1-based column of `key`, or None."""
        return self.keys.index(key) + 1 if key in self.keys else None


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]] = field(default_factory=list)
    categories: list[str | None] = field(default_factory=list)  # "sign", SKIPPED or None
    signs: list[Sign] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    hidden: list[int] = field(default_factory=list)  # 1-based columns
    date_format: str = "yyyy-mm-dd"

    def add(self, values: list[Any], category: str | None = None) -> int:
        self.rows.append(list(values))
        self.categories.append(category)
        return len(self.rows)

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))

    def skipped(self) -> dict[str, int]:
        counts = dict.fromkeys(SKIPPED, 0)
        sign_rows = [n for n, category in enumerate(self.categories) if category == "sign"]
        for n, category in enumerate(self.categories):
            if category == "空行":
                counts["空行"] += bool(sign_rows) and sign_rows[0] < n < sign_rows[-1]
            elif category in counts:
                counts[category] += 1
        return counts


def status_value(rng: random.Random, sign: Sign, style: Style) -> Any:
    removed = sign.removed_on is not None
    match style.status:
        case "yes_no":
            return "是" if removed else "否"
        case "disposal":
            if not removed:
                return "保留"
            return "合并" if sign.reason in MERGING and rng.random() < 0.7 else "摘除"
        case "state":
            return "已摘除" if removed else rng.choice(["保留", "保留", "未摘除"])
        case "tick":
            return style.tick if removed else None
    raise ValueError(style.status)


def sign_row(rng: random.Random, layout: Layout, sign: Sign, number: int, first: bool) -> list:
    style = layout.style
    removed = sign.removed_on is not None
    values: list[Any] = []
    for key in layout.keys:
        match key:
            case "no":
                value = number
            case "town":
                value = style.town
            case "village":
                value = village_value(sign.village, style.village)
                if layout.merge_village and not first:
                    value = None  # the merged cell above holds it
            case "title":
                value = sign.title
            case "kind":
                value = rng.choice(style.kinds[sign.kind])
            case "location":
                value = sign.location
            case "status":
                value = status_value(rng, sign, style)
            case "date":
                value = date_value(sign.removed_on, rng.choice(style.dates)) if removed else None
            case "reason":
                value = sign.reason
            case "note":
                value = rng.choice(NOTES_REMOVED if removed else NOTES_KEPT) or None
            case "checked":  # a hidden column of internal notes
                value = rng.choice(["已核对", "已核对", "待补照片", "待复核", None])
            case "serial":  # a hidden column with an older numbering
                value = number + 100
            case _:
                raise ValueError(key)
        values.append(value)
    return values


def count_row(layout: Layout, label: str, signs: list[Sign], *, in_title: bool) -> list:
    """A 小计 or 合计 row: the label, the number of signs, the number removed."""
    values: list[Any] = [None] * len(layout.keys)
    removed = sum(s.removed_on is not None for s in signs)
    label_column = layout.column("village") if "小计" in label.replace(" ", "") else None
    label_column = label_column or layout.column("no") or layout.column("title")
    values[label_column - 1] = label
    title = layout.column("title")
    if in_title and title != label_column:
        values[title - 1] = f"共{len(signs)}块"
    counted = layout.column("status") or layout.column("date")
    values[counted - 1] = removed if in_title else f"摘除{removed}块"
    return values


def write_groups(
    rng: random.Random, sheet: Sheet, layout: Layout, groups: list[list[Sign]], *, counts=True
) -> None:
    """The sign rows, group after group (a village's, or a kind's), with the 小计 and blank
    rows between them that the layout asks for."""
    number = 0
    village_column = layout.column("village")
    for index, group in enumerate(groups):
        if layout.restart_numbers:
            number = 0
        first_row = None
        for position, sign in enumerate(group):
            number += 1
            row = sheet.add(sign_row(rng, layout, sign, number, position == 0), "sign")
            sheet.signs.append(sign)
            first_row = first_row or row
        if layout.merge_village and village_column:
            sheet.merge(first_row, village_column, len(sheet.rows), village_column)
        if layout.subtotal:
            label = layout.subtotal.format(village=group[0].village)
            sheet.add(count_row(layout, label, group, in_title=counts), "小计")
        if layout.blank_between and index < len(groups) - 1:
            sheet.add([], "空行")


def total_row(sheet: Sheet, layout: Layout, label: str = "合计", *, merge=True) -> None:
    row = sheet.add(count_row(layout, label, sheet.signs, in_title=True), "合计")
    if merge and layout.column("no") == 1 and layout.keys[1:2] == ["village"]:
        sheet.rows[-1][1] = None
        sheet.merge(row, 1, row, 2)


def title_rows(sheet: Sheet, width: int, *lines: str) -> None:
    for line in lines:
        row = sheet.add([line])
        sheet.merge(row, 1, row, width)


def header_row(sheet: Sheet, layout: Layout) -> None:
    sheet.add([header for _key, header in layout.columns])


def two_row_header(sheet: Sheet, layout: Layout, groups: list[tuple[str | None, int]]) -> None:
    """Merged group cells over the real headers; a column outside any group (label None) has its
    header merged down both rows, the lower cell empty."""
    headers = [header for _key, header in layout.columns]
    upper: list[Any] = []
    lower: list[Any] = []
    top = len(sheet.rows) + 1
    column = 1
    for label, span in groups:
        if label is None:
            assert span == 1
            upper.append(headers[column - 1])
            lower.append(None)
            sheet.merge(top, column, top + 1, column)
        else:
            upper += [label] + [None] * (span - 1)
            lower += headers[column - 1 : column - 1 + span]
            sheet.merge(top, column, top, column + span - 1)
        column += span
    assert column - 1 == len(headers)
    sheet.add(upper)
    sheet.add(lower)


def footer(sheet: Sheet, width: int, lines: list, *, blank_before: bool = True) -> None:
    """Signature lines (落款): a str fills a row merged across; a dict puts texts in columns."""
    if blank_before:
        sheet.add([], "空行")  # not between sign rows: not counted
    for line in lines:
        if isinstance(line, str):
            row = sheet.add([line], "落款")
            sheet.merge(row, 1, row, width)
        else:
            values = [None] * width
            for column, text in line.items():
                values[column - 1] = text
            sheet.add(values, "落款")


# --- the files --------------------------------------------------------------------------------

PINNED = dt.datetime(2024, 5, 20, 9, 0, 0)  # noqa: DTZ001 (the files' own clock, naive like Excel)


def to_xlsx(sheets: list[Sheet]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.name)
        for r, values in enumerate(sheet.rows, start=1):
            for c, value in enumerate(values, start=1):
                if value is None:
                    continue
                cell = ws.cell(r, c, value)
                if isinstance(value, dt.date):
                    cell.number_format = sheet.date_format
        for r1, c1, r2, c2 in sheet.merges:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        for column in sheet.hidden:
            ws.column_dimensions[get_column_letter(column)].hidden = True
        for column in range(1, max(map(len, sheet.rows), default=0) + 1):
            letter = get_column_letter(column)
            if column not in sheet.hidden:
                ws.column_dimensions[letter].width = 14
    workbook.properties.creator = "韦小燕"
    workbook.properties.created = PINNED
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _pin_zip(buffer.getvalue())


def _pin_zip(data: bytes) -> bytes:
    """The same workbook with its zip entries' times and its saved date pinned."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = PINNED.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, content)
            pinned = zipfile.ZipInfo(info.filename, date_time=PINNED.timetuple()[:6])
            pinned.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(pinned, content)
    return out.getvalue()


def to_xls(sheets: list[Sheet]) -> bytes:
    workbook = xlwt.Workbook(encoding="utf-8")
    plain = xlwt.XFStyle()
    for sheet in sheets:
        ws = workbook.add_sheet(sheet.name)
        dated = xlwt.easyxf(num_format_str=sheet.date_format)
        covered = set()
        for r1, c1, r2, c2 in sheet.merges:
            value = sheet.rows[r1 - 1][c1 - 1] if c1 <= len(sheet.rows[r1 - 1]) else None
            style = dated if isinstance(value, dt.date) else plain
            ws.write_merge(r1 - 1, r2 - 1, c1 - 1, c2 - 1, value, style)
            covered |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        for r, values in enumerate(sheet.rows, start=1):
            for c, value in enumerate(values, start=1):
                if value is None or (r, c) in covered:
                    continue
                ws.write(r - 1, c - 1, value, dated if isinstance(value, dt.date) else plain)
        for column in sheet.hidden:
            ws.col(column - 1).hidden = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_csv(sheets: list[Sheet], encoding: str) -> bytes:
    """A sheet saved as CSV from Excel: values only, CRLF, empty cells as nothing."""
    (sheet,) = sheets
    assert not sheet.merges, "a CSV has no merged cells"
    width = max(map(len, sheet.rows))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for values in sheet.rows:
        assert not any(isinstance(v, dt.date) for v in values), "a CSV holds text"
        writer.writerow(["" if v is None else v for v in values] + [""] * (width - len(values)))
    return out.getvalue().encode(encoding)


def build(name: str, sheets: list[Sheet], features: tuple[str, ...], **options) -> Case:
    kind = name.rsplit(".", 1)[-1]
    if kind == "xlsx":
        data = to_xlsx(sheets)
    elif kind == "xls":
        data = to_xls(sheets)
    else:
        data = to_csv(sheets, options["encoding"])
    skipped = dict.fromkeys(SKIPPED, 0)
    for sheet in sheets:
        for category, count in sheet.skipped().items():
            skipped[category] += count
    truth = [sign.truth() for sheet in sheets for sign in sheet.signs]
    encoding = options.get("encoding")
    return Case(name, data, truth, skipped, features=features, encoding=encoding)


def window(start: str, end: str) -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(start), dt.date.fromisoformat(end)


# The kind words of a file; the template's own words (上墙制度牌…) are one set among them.
KINDS_STANDARD = {"rule": ("上墙制度牌",), "plaque": ("功能室牌子",),
                  "guidance": ("功能性指引牌",), "organization": ("机构(机制)牌子",),
                  "honour": ("荣誉牌",), "other": ("其他",)}  # fmt: skip
KINDS_FULL_WIDTH = dict(KINDS_STANDARD, organization=("机构（机制）牌子",))
KINDS_SHORT = {"rule": ("制度牌",), "plaque": ("功能室",), "guidance": ("指引牌",),
               "organization": ("机构牌子",), "honour": ("荣誉牌匾",)}  # fmt: skip
KINDS_WALL = {"rule": ("上墙制度",), "plaque": ("功能室牌",), "guidance": ("指引牌子",),
              "organization": ("机构牌",), "honour": ("荣誉牌",)}  # fmt: skip
KINDS_MIXED = {"rule": ("制度", "制度牌", "上墙制度"), "plaque": ("功能室", "功能室牌子"),
               "guidance": ("指引牌", "指引牌子"), "organization": ("机构牌", "机构牌子"),
               "honour": ("荣誉牌", "荣誉牌匾")}  # fmt: skip
KINDS_PLAQUE = {"rule": ("制度牌",), "plaque": ("功能室牌",), "guidance": ("指引牌子",),
                "organization": ("机构牌",), "honour": ("荣誉牌匾",)}  # fmt: skip

FILLED_IN = "填报单位：横州镇人民政府    填报日期：2024年5月20日"
SIGNED = "填表人：韦小燕    审核人：黄志强    联系电话：0771-7221234"


def township_summary(rng: random.Random) -> Case:
    """The large one: every village of the town, ~400 rows, the township's summary sheet."""
    style = Style(KINDS_FULL_WIDTH, "yes_no", ("date", "date", "date", "cn"))
    columns = [("no", "序号"), ("village", "村（社区）"), ("title", "牌子名称"), ("kind", "类别"),
               ("location", "悬挂位置"), ("status", "是否摘除"), ("date", "摘除时间"),
               ("reason", "摘除原因"), ("note", "备注")]  # fmt: skip
    layout = Layout(columns, style, merge_village=True, subtotal="小计", blank_between=True)
    sheet = Sheet("汇总表", date_format='yyyy"年"m"月"d"日"')
    width = len(columns)
    title_rows(sheet, width, "横州镇村级组织场所牌子清理情况台账", FILLED_IN)
    two_row_header(sheet, layout, [(None, 1), ("基本信息", 1), ("牌子情况", 3), ("处置情况", 3),
                                   (None, 1)])  # fmt: skip
    spell = window("2024-03-04", "2024-05-17")
    groups = [make_signs(rng, name, rng.randint(46, 54), window=spell, other=True)
              for name in VILLAGE_NAMES]  # fmt: skip
    write_groups(rng, sheet, layout, groups)
    total_row(sheet, layout)
    footer(sheet, width, [SIGNED, "单位负责人：梁建国", {7: "（盖章）"}])
    features = ("title rows + 填报单位 line", "two-row header, groups merged (序号 A3:A4)",
                "village merged down", "小计 per village, 合计", "blank rows between villages",
                "footer", "是否摘除 是/否", "Excel dates + 2024年3月5日", "8 villages")  # fmt: skip
    return build("横州镇村级组织场所牌子清理情况台账.xlsx", [sheet], features)


def sheet_per_village(rng: random.Random) -> Case:
    style = Style(KINDS_SHORT, "disposal", ("cn", "cn", "date"))
    columns = [("no", "序号"), ("title", "牌匾名称"), ("kind", "牌子类型"), ("location", "位置"),
               ("status", "处置方式"), ("date", "摘除日期"), ("reason", "清理原因"),
               ("note", "备注")]  # fmt: skip
    layout = Layout(columns, style)
    sheets = []
    for name, count, signer in (("竹塘村", 22, "覃海燕"), ("石井村", 19, "黄丽萍"),
                                ("那莲村", 20, "梁志勇"), ("中华社区", 21, "李秋菊")):  # fmt: skip
        sheet = Sheet(name)
        title_rows(sheet, len(columns), f"{name}村级组织场所牌子摘除台账")
        header_row(sheet, layout)
        signs = make_signs(rng, name, count, window=window("2024-04-01", "2024-06-28"))
        write_groups(rng, sheet, layout, [signs])
        footer(sheet, len(columns), [{1: f"填表人：{signer}", 5: "联系电话：13877112345"}],
               blank_before=False)  # fmt: skip
        sheets.append(sheet)
    features = ("one sheet per village, no village column", "title row", "处置方式 保留/摘除/合并",
                "2024年3月5日 + Excel dates", "footer in separate cells")  # fmt: skip
    return build("横州镇各村（社区）摘牌台账（分村）.xlsx", sheets, features)


def zhutang(rng: random.Random) -> Case:
    style = Style(KINDS_WALL, "state", ("dot",), village="committee", town="横州镇人民政府")
    columns = [("no", "序号"), ("town", "乡镇"), ("village", "村委"), ("title", "牌子内容"),
               ("kind", "类别"), ("location", "挂牌位置"), ("status", "状态"),
               ("date", "清理时间"), ("reason", "摘除理由"), ("note", "备注"),
               ("checked", "核对情况")]  # fmt: skip
    layout = Layout(columns, style)
    sheet = Sheet("Sheet1")
    header_row(sheet, layout)
    signs = make_signs(rng, "竹塘村", 45, window=window("2024-05-06", "2024-07-19"))
    write_groups(rng, sheet, layout, [signs])
    sheet.hidden.append(layout.column("checked"))
    footer(sheet, len(columns), [{2: "填表人：李华", 5: "审核人：黄强", 8: "单位负责人：覃明"}])
    features = ("header on row 1", "township column 横州镇人民政府", "village 竹塘村委会",
                "状态 已摘除/保留/未摘除", "dates 2024.3.5", "hidden column (internal notes)",
                "footer")  # fmt: skip
    return build("横州镇竹塘村摘牌台账.xlsx", [sheet], features)


def shijing(rng: random.Random) -> Case:
    style = Style(KINDS_PLAQUE, "tick", ("slash",), village="town")
    columns = [("no", "序号"), ("village", "所属村"), ("title", "标牌名称"), ("kind", "牌子类别"),
               ("location", "所在位置"), ("status", "摘除(√)"), ("date", "摘除日期"),
               ("reason", "摘除原因"), ("note", "备注")]  # fmt: skip
    layout = Layout(columns, style, blank_between=True)
    sheet = Sheet("石井村")
    title_rows(sheet, len(columns), "石井村村级组织场所牌子摘除情况统计表")
    header_row(sheet, layout)
    signs = make_signs(rng, "石井村", 50, window=window("2024-06-03", "2024-08-30"))
    by_kind = [[s for s in signs if s.kind == kind] for kind in KINDS]
    write_groups(rng, sheet, layout, [group for group in by_kind if group])
    total_row(sheet, layout, merge=False)
    footer(sheet, len(columns), [SIGNED], blank_before=False)
    features = ("title row", "village 横州镇石井村", "摘除(√) ticks, kept blank",
                "dates 2024/3/5", "grouped by kind with blank rows", "合计", "footer")  # fmt: skip
    return build("石井村牌子摘除情况统计表.xlsx", [sheet], features)


def nalian_liulan(rng: random.Random) -> Case:
    style = Style(KINDS_MIXED, None, ("compact_number", "dash"), village="bare")
    columns = [("no", "序号"), ("village", "村(社区)名称"), ("title", "牌子内容"),
               ("kind", "牌子类别"), ("location", "悬挂位置"), ("date", "摘除时间"),
               ("reason", "摘除原因"), ("note", "备注")]  # fmt: skip
    layout = Layout(columns, style, subtotal="{village}小计", restart_numbers=True)
    sheet = Sheet("Sheet1")
    header_row(sheet, layout)
    spell = window("2024-07-01", "2024-09-27")
    groups = [make_signs(rng, "那莲村", 36, window=spell),
              make_signs(rng, "六蓝村", 34, window=spell)]  # fmt: skip
    write_groups(rng, sheet, layout, groups)
    total_row(sheet, layout, "合  计")
    features = ("no status column: a date means removed", "village bare (那莲)",
                "kinds mixed in one file", "dates 20240305 (a number) + 2024-3-5",
                "那莲村小计 rows, 合  计", "序号 restarts per village")  # fmt: skip
    return build("那莲村、六蓝村摘牌台账.xlsx", [sheet], features)


def legacy_xls(rng: random.Random) -> Case:
    style = Style(KINDS_STANDARD, "disposal", ("date",), village="full")
    columns = [("no", "序号"), ("village", "村(社区)名称"), ("title", "牌子名称"), ("kind", "类别"),
               ("location", "位置"), ("status", "处置方式"), ("date", "摘除日期"),
               ("reason", "摘除原因"), ("note", "备注")]  # fmt: skip
    layout = Layout(columns, style, merge_village=True)
    sheet = Sheet("台账", date_format="yyyy-mm-dd")
    title_rows(sheet, len(columns), "横州镇村级组织场所牌子清理台账（2024年）", FILLED_IN)
    header_row(sheet, layout)
    spell = window("2024-03-11", "2024-05-17")
    groups = [make_signs(rng, "中华社区", 41, window=spell),
              make_signs(rng, "长安村", 39, window=spell)]  # fmt: skip
    write_groups(rng, sheet, layout, groups)
    footer(sheet, len(columns), [SIGNED, {7: "（盖章）"}])
    features = ("legacy .xls (BIFF8)", "merged title + 填报单位 line", "village merged down",
                "村民委员会 names", "处置方式", "Excel dates", "footer")  # fmt: skip
    return build("横州镇摘牌台账（2024年）.xls", [sheet], features)


def gbk_csv(rng: random.Random) -> Case:
    style = Style(
        KINDS_STANDARD, "yes_no", ("full_width", "cn"), village="committee", town="横州镇"
    )
    columns = [("no", "序号"), ("town", "乡镇"), ("village", "村（社区）"), ("title", "牌子名称"),
               ("kind", "类型"), ("location", "位置"), ("status", "是否摘除"),
               ("date", "摘除日期"), ("reason", "摘除原因"), ("note", "备注")]  # fmt: skip
    layout = Layout(columns, style)
    sheet = Sheet("城东村")
    sheet.add(["横州镇城东村村级组织场所牌子清理台账"])
    header_row(sheet, layout)
    signs = make_signs(rng, "城东村", 60, window=window("2024-08-05", "2024-10-31"))
    write_groups(rng, sheet, layout, [signs])
    total_row(sheet, layout, merge=False)
    footer(sheet, len(columns), [{1: "填表人：韦丽", 6: "审核人：黄志强"}], blank_before=False)
    features = ("CSV in GBK", "title line", "township column 横州镇", "village 城东村委会",
                "是否摘除", "dates ２０２４－０３－０５ + 2024年3月5日", "合计",
                "footer")  # fmt: skip
    return build("横州镇城东村摘牌台账.csv", [sheet], features, encoding="gbk")


def bom_csv(rng: random.Random) -> Case:
    style = Style(KINDS_MIXED, "state", ("dash", "slash"), village="committee")
    columns = [("no", "序号"), ("village", "村(社区)"), ("title", "牌子名称"), ("kind", "牌子类型"),
               ("location", "位置"), ("status", "状态"), ("date", "摘除日期"),
               ("reason", "摘除原因"), ("note", "备注")]  # fmt: skip
    layout = Layout(columns, style)
    sheet = Sheet("西街社区")
    header_row(sheet, layout)
    signs = make_signs(rng, "西街社区", 50, window=window("2024-09-02", "2024-11-29"))
    write_groups(rng, sheet, layout, [signs])
    features = ("CSV in UTF-8 with BOM", "header only", "village 西街社区居委会", "状态",
                "dates 2024-3-5 + 2024/3/5")  # fmt: skip
    return build("西街社区摘牌情况.csv", [sheet], features, encoding="utf-8-sig")


def plain_csv(rng: random.Random) -> Case:
    style = Style(KINDS_WALL, "tick", ("compact", "dot"), village="full", tick="✓")
    columns = [("village", "村委"), ("title", "牌子名称"), ("kind", "类别"), ("status", "摘除(√)"),
               ("date", "摘除时间"), ("reason", "摘除理由")]  # fmt: skip
    layout = Layout(columns, style)
    sheet = Sheet("长安村")
    header_row(sheet, layout)
    spell = window("2024-10-08", "2024-11-30")
    signs = make_signs(rng, "长安村", 40, window=spell, locations=False)
    write_groups(rng, sheet, layout, [signs])
    features = ("CSV in UTF-8, no BOM", "no location column", "no 序号", "✓ ticks",
                "village 长安村民委员会", "dates 20240305 (text) + 2024.3.5")  # fmt: skip
    return build("长安村摘牌清单.csv", [sheet], features, encoding="utf-8")


def second_batch(rng: random.Random) -> Case:
    style = Style(KINDS_MIXED, "state", ("date", "dot", "cn", "dash"), town="横州镇")
    columns = [("no", "序号"), ("town", "乡镇"), ("village", "村（社区）"), ("title", "标牌名称"),
               ("kind", "类别"), ("location", "所在位置"), ("status", "状态"),
               ("date", "摘除日期"), ("reason", "摘除原因"), ("note", "备注"),
               ("serial", "序号")]  # fmt: skip
    layout = Layout(columns, style, merge_village=True, subtotal="小 计")
    sheet = Sheet("第二批")
    width = len(columns)
    title_rows(sheet, width - 1, "横州镇部分村（社区）牌子清理台账（第二批）",
               "填报单位：横州镇人民政府    填报日期：2024年11月30日")  # fmt: skip
    two_row_header(sheet, layout, [(None, 1), (None, 1), (None, 1), ("牌子情况", 3),
                                   ("处置情况", 3), (None, 1), (None, 1)])  # fmt: skip
    spell = window("2024-06-17", "2024-11-29")
    groups = [make_signs(rng, name, count, window=spell)
              for name, count in (("城东村", 26), ("六蓝村", 24), ("长安村", 27),
                                  ("中华社区", 23))]  # fmt: skip
    write_groups(rng, sheet, layout, groups, counts=False)
    total_row(sheet, layout, merge=False)
    sheet.hidden.append(layout.column("serial"))
    footer(sheet, width - 1, ["填表人：黄小明", "审核人：梁秋燕", "单位负责人：韦国庆（盖章）"])
    features = ("two-row header, 序号/乡镇/村 merged down (A3:A4…)", "village merged down",
                "township column 横州镇", "状态", "dates mixed: Excel, 2024.3.5, 年月日, 2024-3-5",
                "小 计 per village, 合计", "hidden second 序号 column",
                "footer on three lines")  # fmt: skip
    return build("横州镇部分村（社区）牌子清理台账（第二批）.xlsx", [sheet], features)


def liulan(rng: random.Random) -> Case:
    style = Style(KINDS_SHORT, "disposal", ("cn",), village="full")
    columns = [("no", "序号"), ("village", "村（社区）名称"), ("title", "牌子名称"),
               ("kind", "牌子类别"), ("location", "挂牌位置"), ("status", "处置方式"),
               ("date", "摘除日期"), ("reason", "摘除原因"), ("note", "备注")]  # fmt: skip
    layout = Layout(columns, style)
    sheet = Sheet("六蓝村")
    title_rows(sheet, len(columns), "六蓝村牌子清理台账",
               "填报单位：横州镇六蓝村民委员会    填报日期：2024年6月3日")  # fmt: skip
    header_row(sheet, layout)
    signs = make_signs(rng, "六蓝村", 50, window=window("2024-04-08", "2024-05-31"))
    write_groups(rng, sheet, layout, [signs])
    footer(sheet, len(columns), [SIGNED])
    features = ("title + 填报单位 line", "village 六蓝村民委员会", "处置方式", "dates 2024年3月5日",
                "empty Sheet2, Sheet3 after the data", "footer")  # fmt: skip
    return build("六蓝村摘牌台账.xlsx", [sheet, Sheet("Sheet2"), Sheet("Sheet3")], features)


BUILDERS = (township_summary, sheet_per_village, zhutang, shijing, nalian_liulan, legacy_xls,
            gbk_csv, bom_csv, plain_csv, second_batch, liulan)  # fmt: skip


def cases() -> list[Case]:
    rng = random.Random(SEED)
    return [builder(rng) for builder in BUILDERS]


def write(directory: Path) -> None:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    summary = {}
    for case in cases():
        (directory / case.name).write_bytes(case.data)
        summary[case.name] = {"features": list(case.features), "skipped": case.skipped,
                              "signs": case.truth}  # fmt: skip
    text = json.dumps(summary, ensure_ascii=False, indent=1)
    (directory / "truth.json").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    write(Path(sys.argv[1]))
