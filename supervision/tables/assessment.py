"""The annual assessment as a 台账 sheet (signs.excel holds the layout)."""

from __future__ import annotations

import datetime as dt
from typing import IO

from signs.excel import LedgerSheet, display_width, new_workbook

from ..choices import Indicator
from ..selectors.assessment import AssessmentRow

PERCENT = "0.0"
# A rate with nothing to count, as the page shows it.
NOTHING = "—"
# The sheet's column names, as the indicators are called on the page (zh-Hans).
INDICATOR_HEADERS = {
    Indicator.PROGRESS: "摘牌进度(%)",
    Indicator.MEETING: "达标村(社区)占比(%)",
    Indicator.NO_REBOUND: "无反弹村(社区)占比(%)",
    Indicator.WORK_ON_TIME: "工作清单按时完成率(%)",
    Indicator.FINDINGS_CLOSED: "调研问题整改完成率(%)",
}


def title(year: int) -> str:
    return f"{year}年度各乡镇牌子清理规范工作考核评议表"


def filename(year: int) -> str:
    return f"{year}年度各乡镇牌子清理规范工作考核评议表.xlsx"


def headers(weights: dict[str, int]) -> list[str]:
    """乡镇, the five indicators with their weights, 反弹数, 得分, 排名, 评议意见 (序号 first is
    added by LedgerSheet)."""
    shown = [
        f"{INDICATOR_HEADERS[indicator]}（权重{weights[indicator.value]}）"
        for indicator in Indicator
    ]
    return ["乡镇", *shown, "反弹数", "得分", "排名", "评议意见"]


def write_sheet(
    out: IO[bytes],
    *,
    rows: list[AssessmentRow],
    weights: dict[str, int],
    year: int,
    as_of: dt.date,
    unit: str,
) -> None:
    """The assessment of `year` as one 台账 sheet, in rank order, numbers as numbers."""
    workbook = new_workbook()
    names = headers(weights)
    widths = [12, *(display_width(name) + 2 for name in names[1:6]), 8, 8, 6, 50]
    sheet = LedgerSheet(
        workbook, name=f"{year}年度考核评议", title=title(year), unit=unit, as_of=as_of,
        headers=names, widths=widths,
        number_formats={index: PERCENT for index in (2, 3, 4, 5, 6, 8)},
    )  # fmt: skip
    for row in rows:
        sheet.row(
            [
                row.town.name,
                *(NOTHING if v is None else float(v) for v in row.shown_values().values()),
                row.rebounds,
                float(row.score),
                row.rank,
                row.remarks,
            ]
        )
    sheet.close()
    workbook.save(out)
