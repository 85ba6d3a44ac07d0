"""The supervision's Excel files: the annual assessment and a work list's completion, as 台账
sheets (utilities.excel holds the layout)."""

from __future__ import annotations

import datetime as dt
from typing import IO

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone

from utilities.excel import LedgerSheet, display_width, new_workbook, xlsx_response

from .choices import Indicator
from .selectors import worklists as worklist_selectors
from .selectors.assessment import AssessmentRow

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


def assessment(*, rows, weights, year: int, as_of: dt.date) -> HttpResponse:
    """The assessment of `year` as a download."""
    return xlsx_response(
        lambda out: write_sheet(
            out, rows=rows, weights=weights, year=year, as_of=as_of, unit=settings.SITE_UNIT_NAME
        ),
        filename(year),
        ascii_name=f"hengzhou-assessment-{year}.xlsx",
    )


def work_list_completion(work_list, completion, items) -> HttpResponse:
    """Two 台账 sheets: completion by township (with 合计) and one row per item."""
    today = timezone.localdate()
    workbook = new_workbook()
    summary = LedgerSheet(
        workbook,
        name="完成情况",
        title=f"{work_list.title}完成情况统计表",
        unit=settings.SITE_UNIT_NAME,
        as_of=today,
        headers=["乡镇", "事项数", "已完成", "按时完成", "未完成", "完成率(%)"],
        widths=[14, 10, 10, 10, 10, 12],
        number_formats={6: "0.0"},
    )
    for row in completion:
        summary.row(
            [row.town.name, row.items, row.done, row.done_on_time, row.open, float(row.percent)]
        )
    total = worklist_selectors.total_completion(completion)
    summary.total(
        "合计",
        ["", total["items"], total["done"], total["done_on_time"], total["open"],
         float(total["percent"])],
    )  # fmt: skip
    summary.close()
    detail = LedgerSheet(
        workbook,
        name="事项清单",
        title=f"{work_list.title}（完成时限：{work_list.due_on:%Y年%m月%d日}）",
        unit=settings.SITE_UNIT_NAME,
        as_of=today,
        headers=["乡镇", "类别", "事项", "村(社区)", "完成情况", "完成时间", "完成说明", "填报人"],
        widths=[12, 14, 48, 14, 10, 18, 36, 12],
    )
    for item in items:
        detail.row(
            [
                item.town.name,
                item.get_kind_display(),
                item.text,
                item.village.name if item.village else "",
                _state_label(item, work_list),
                item.done_at,
                item.done_note,
                _person(item.done_by),
            ]
        )
    detail.close()
    return xlsx_response(
        workbook.save,
        f"{work_list.title}_{today:%Y-%m-%d}.xlsx",
        ascii_name=f"hengzhou-worklist-{work_list.pk}-{today:%Y-%m-%d}.xlsx",
    )


def _state_label(item, work_list) -> str:
    if item.done_at is None:
        return "未完成"
    if item.done_on <= work_list.due_on:
        return "按时完成"
    return "逾期完成"


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username
