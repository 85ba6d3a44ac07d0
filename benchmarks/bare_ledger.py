"""The baseline for the 台账: the same six sheets, rows and columns, from raw SQL, written
with a bare openpyxl write-only loop (plain values: no styles, widths, merges or chart; an
empty text as no cell, as the 台账's big sheets write it).

    python -m benchmarks.bare_ledger URL AS_OF OUT [--styled]

--styled writes every cell as the 台账 does — 宋体 11 with a thin border, dates formatted —
through one cached style per kind of cell, the cheapest way openpyxl offers: the floor for
a workbook with that layout, as plain values are the floor for any workbook.

No Django: psycopg2 server-side cursors and openpyxl only. Prints {"seconds": …} as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from copy import copy
from decimal import Decimal

import psycopg2
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Border, Font, Side

from benchmarks import raw_sql
from benchmarks.data import CONNECT_OPTIONS

FOOTER = ["填报人：", "", "审核人：", "", "联系电话：", "", "（盖章）"]
HEADER_ROWS = 3  # title, 填报单位 / 截止日期, headers


STYLED = False
THIN = Side(style="thin", color="999999")


class _Styles:
    """One StyleArray per kind of cell (plain, date), made once and copied per cell."""

    def __init__(self, ws):
        self.ws = ws
        self.cache = {}

    def cell(self, value):
        cell = WriteOnlyCell(self.ws, value=value)
        key = isinstance(value, dt.date)
        style = self.cache.get(key)
        if style is None:
            cell.font = Font(name="宋体", size=11)
            cell.border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
            if key:
                cell.number_format = "yyyy-mm-dd"
            self.cache[key] = copy(cell._style)
        else:
            cell._style = copy(style)
        return cell


class Sheet:
    """A write-only sheet with the 台账's frame (3 rows above, 2 below) and 序号."""

    def __init__(self, workbook, name: str, columns: int):
        self.ws = workbook.create_sheet(name)
        self.styles = _Styles(self.ws) if STYLED else None
        self.serial = 0
        for _ in range(HEADER_ROWS):
            self.ws.append(["x"] * columns)

    def _append(self, values) -> None:
        if self.styles is not None:
            values = [self.styles.cell(value) for value in values]
        self.ws.append(values)

    def row(self, values) -> None:
        self.serial += 1
        self._append([self.serial, *values])

    def total(self, label: str, values) -> None:
        self._append([label, *values])

    def close(self) -> None:
        self.ws.append([])
        self.ws.append(FOOTER)


def _rows(conn, query: str, params: dict):
    with conn.cursor(name="bare") as cur:
        cur.itersize = 5000
        cur.execute(query, params)
        yield from cur


def _percent(part: int, whole: int) -> float:
    return round(part * 100 / whole, 1) if whole else 0.0


def _progress(removed: int, still: int) -> float:
    return round(removed * 100 / (removed + still), 1) if removed + still else 100.0


def _wan(amount: Decimal | None) -> float | None:
    return None if amount is None else round(float(amount) / 10000, 2)


def summary(wb, conn, params) -> None:
    sheet = Sheet(wb, "汇总", 15)
    total = [0] * 9
    for row in _rows(conn, raw_sql.SUMMARY_ROWS, params):
        name, villages, meeting, rule, guidance, removed, still, last, ok, back, closed = row
        sheet.row([name, villages, meeting, _percent(meeting, villages), rule, guidance,
                   removed, still, _progress(removed, still), last,
                   ok, removed - ok - back, back, closed])  # fmt: skip
        for i, n in enumerate((villages, meeting, rule, guidance, removed, still, ok, back,
                               closed)):  # fmt: skip
            total[i] += n
    villages, meeting, rule, guidance, removed, still, ok, back, closed = total
    sheet.total("合计", ["合计", villages, meeting, _percent(meeting, villages), rule,
                         guidance, removed, still, _progress(removed, still), None,
                         ok, removed - ok - back, back, closed])  # fmt: skip
    sheet.close()


def villages(wb, conn, params) -> None:
    sheet = Sheet(wb, "村级明细", 12)
    current = current_name = None
    sub = [0, 0, 0]
    for town_id, town, name, kind, rules, plaques, still, rule, guidance, money in _rows(
        conn, raw_sql.VILLAGE_ROWS, params
    ):
        if current is not None and town_id != current:
            sheet.total("小计", [current_name, "", "", "", "", *sub, "", "", None])
            sub = [0, 0, 0]
        current, current_name = town_id, town
        sub = [sub[0] + still, sub[1] + rule, sub[2] + guidance]
        sheet.row([town, name, "社区" if kind == "community" else "村", rules, plaques, still,
                   rule, guidance, "是" if still == 0 else "否",
                   "是" if money is not None else "", _wan(money)])  # fmt: skip
    if current is not None:
        sheet.total("小计", [current_name, "", "", "", "", *sub, "", "", None])
    sheet.total("合计", ["", "", "", "", "", "", "", "", "", "", ""])
    sheet.close()


def removals(wb, conn, params) -> None:
    sheet = Sheet(wb, "摘牌记录", 12)
    current, count = None, 0
    for town, village, title, kind, location, reason, on, who, photo, note, review in _rows(
        conn, raw_sql.REMOVAL_ROWS, params
    ):
        if current is not None and town != current:
            sheet.total("小计", [current, "", f"{count} 条", "", "", "", "", "", "", "", ""])
            count = 0
        current, count = town, count + 1
        sheet.row([town, village, title, kind, location, reason, on, who, photo, note, review])
    if current is not None:
        sheet.total("小计", [current, "", f"{count} 条", "", "", "", "", "", "", "", ""])
    sheet.total("合计", ["", "", f"{sheet.serial} 条", "", "", "", "", "", "", "", ""])
    sheet.close()


def signs(wb, conn, params) -> None:
    sheet = Sheet(wb, "牌子台账", 13)
    current = current_name = None
    for town_id, town, *values in _rows(conn, raw_sql.SIGN_ROWS, params):
        if current is not None and town_id != current:
            sheet.total("小计", [current_name, "", "…", "", "", "", "", "", "", "", ""])
        current, current_name = town_id, town
        sheet.row([town, *values])
    if current is not None:
        sheet.total("小计", [current_name, "", "…", "", "", "", "", "", "", "", ""])
    sheet.close()


def departments(wb, conn, params) -> None:
    sheet = Sheet(wb, "按部门", 8)
    removed = rebounds = 0
    for name, items, titles, n_removed, n_rebounds, villages in _rows(
        conn, raw_sql.DEPARTMENT_ROWS, params
    ):
        sheet.row([name, items, titles, n_removed, n_rebounds,
                   _percent(n_rebounds, n_removed) if n_removed else None, villages])  # fmt: skip
        removed, rebounds = removed + n_removed, rebounds + n_rebounds
    rate = _percent(rebounds, removed) if removed else None
    sheet.total("合计", ["", "", "", removed, rebounds, rate, ""])
    sheet.close()


def standard(wb, conn, params) -> None:
    sheet = Sheet(wb, "保留清单", 4)
    for row in _rows(conn, raw_sql.STANDARD_ROWS, params):
        sheet.row(row)
    sheet.close()


def write(url: str, as_of: dt.date, path: str) -> None:
    conn = psycopg2.connect(url, options=CONNECT_OPTIONS)
    try:
        wb = Workbook(write_only=True)
        params = raw_sql.params(as_of)
        for part in (summary, villages, removals, signs, standard, departments):
            part(wb, conn, params)
        wb.save(path)
    finally:
        conn.close()


if __name__ == "__main__":
    url, as_of, out = sys.argv[1], dt.date.fromisoformat(sys.argv[2]), sys.argv[3]
    STYLED = "--styled" in sys.argv[4:]
    started = time.perf_counter()
    write(url, as_of, out)
    print(json.dumps({"seconds": time.perf_counter() - started}))
