"""The 台账 workbook: six sheets a Chinese office recognises, built from signs.selectors.

Everything streams (openpyxl write-only, queryset iterators), so memory stays flat from 308
villages to 15,400.
"""

from __future__ import annotations

import datetime as dt
from typing import IO

from django.conf import settings
from django.db.models import OuterRef, Subquery
from openpyxl.chart import BarChart, Reference

from signs import selectors
from signs.choices import SIGN_LEDGER_SHEET, ItemKind, RemovalReason, SignKind, SignStatus
from supervision.choices import ReviewStatus
from supervision.selectors import departments as department_selectors
from supervision.selectors import review as review_selectors
from utilities.excel import WAN_FORMAT, LedgerSheet, new_workbook, write_table, xlsx_response
from villages.models import DemonstrationSite, Village

CITY = "横州市"
PERCENT = "0.0"
STATUS_LABELS = {
    SignStatus.RETAINED: "保留",
    SignStatus.REMOVED: "已摘除",
    SignStatus.TO_REMOVE: "待摘除",
    SignStatus.DUPLICATE: "重复",
}
KIND_LABELS = dict(SignKind.choices)
REASON_LABELS = dict(RemovalReason.choices)
ITEM_KIND_LABELS = dict(ItemKind.choices)


def _resolved(labels: dict) -> dict:
    """The lazily translated labels as text, once per sheet: a label per row of a province's
    ledger would otherwise be translated again for each of its 200,000 rows."""
    return {key: str(label) for key, label in labels.items()}


REVIEW_LABELS = {
    ReviewStatus.PENDING: "待核验",
    ReviewStatus.VERIFIED: "核验通过",
    ReviewStatus.RETURNED: "退回",
}


def filename(as_of: dt.date) -> str:
    return f"{CITY}村级组织牌子清理规范工作台账_截至{as_of:%Y-%m-%d}.xlsx"


def ascii_filename(as_of: dt.date) -> str:
    """The plain filename= for clients that ignore the Chinese one."""
    return f"hengzhou-ledger-{as_of:%Y-%m-%d}.xlsx"


def _photo_url(path: str) -> str:
    if not path:
        return ""
    return settings.SITE_BASE_URL.rstrip("/") + settings.MEDIA_URL.rstrip("/") + "/" + path


def _span(progress, start: float, end: float, total: int):
    """For a sheet written township by township: `step(n)` says n of `total` are written, as
    the part [start, end] of the whole workbook."""
    if progress is None:
        return lambda n: None
    return lambda n: progress(start + (end - start) * min(n, total) / max(total, 1))


def write_ledger(out: IO[bytes], *, as_of: dt.date, towns=None, progress=None) -> None:
    """Write the whole 台账 for `towns` (None: the city) as it stood on `as_of` to `out`.

    `progress(fraction)`, if given, hears how far it is (the two long sheets, township by
    township; their shares are what they took at 50× in docs/performance.md)."""
    unit = settings.SITE_UNIT_NAME
    workbook = new_workbook()
    rows = selectors.town_progress(as_of=as_of, towns=towns)
    city = selectors.city_progress(as_of=as_of, towns=towns, rows=rows)
    villages = Village.objects.all() if towns is None else Village.objects.filter(town__in=towns)
    scope = None if towns is None else villages  # None: the whole city, no village list
    reviews = review_selectors.review_figures_by_town(as_of=as_of, towns=towns)
    _summary(workbook, rows=rows, city=city, reviews=reviews, as_of=as_of, unit=unit)
    _villages(workbook, villages=villages, scope=scope, rows=rows, city=city, as_of=as_of,
              unit=unit)  # fmt: skip
    _span(progress, 0, 0.1, 1)(1)
    _removals(workbook, villages=villages, as_of=as_of, unit=unit,
              step=_span(progress, 0.1, 0.4, len(rows)))  # fmt: skip
    _signs(workbook, scope=scope, rows=rows, as_of=as_of, unit=unit,
           step=_span(progress, 0.4, 0.9, len(rows)))  # fmt: skip
    _standard(workbook, as_of=as_of, unit=unit)
    _departments(workbook, towns=towns, as_of=as_of, unit=unit)
    _span(progress, 0.9, 0.95, 1)(1)
    workbook.save(out)


def _summary(workbook, *, rows, city, reviews, as_of, unit) -> None:
    headers = ["乡镇", "村(社区)数", "达标村(社区)数", "达标率(%)", "已摘上墙制度牌子",
               "已摘功能性指引牌子", "已摘除合计", "待摘除", "进度(%)", "最近摘除日期",
               "已核验", "待核验", "退回", "销号村(社区)数"]  # fmt: skip
    sheet = LedgerSheet(
        workbook, name="汇总", title=f"{CITY}村级组织牌子清理规范工作进度统计表", unit=unit,
        as_of=as_of, headers=headers,
        widths=[12, 12, 16, 12, 18, 20, 12, 10, 10, 14, 10, 10, 8, 16],
        number_formats={4: PERCENT, 9: PERCENT},
    )  # fmt: skip
    nothing = review_selectors.ReviewFigures()
    for row in rows:
        figures = reviews.get(row.town.pk, nothing)
        sheet.row(_progress_values(row.town.name, row) + _review_values(figures))
    total = review_selectors.city_review_figures(reviews)
    sheet.total("合计", _progress_values(f"{city.towns} 个乡镇", city) + _review_values(total))
    chart = BarChart()
    chart.type = "bar"
    chart.title = "各乡镇进度(%)"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 100
    chart.height, chart.width = 12, 22
    first, last = 4, 3 + len(rows)
    chart.add_data(Reference(sheet.ws, min_col=10, min_row=3, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet.ws, min_col=2, min_row=first, max_row=last))
    sheet.ws.add_chart(chart, f"B{last + 6}")
    sheet.close()


def _progress_values(name, p) -> list:
    return [name, p.villages, p.villages_meeting, float(p.villages_meeting_percent),
            p.removed_rule, p.removed_guidance, p.removed, p.still_to_remove,
            float(p.progress), p.last_removed_on]  # fmt: skip


def _review_values(figures) -> list:
    """Reported removals are 已摘除合计; these say how many of them the reviewers have seen."""
    return [figures.verified, figures.pending, figures.returned, figures.villages_closed]


def _villages(workbook, *, villages, scope, rows, city, as_of, unit) -> None:
    counts = selectors.standard_counts()
    figures = selectors.village_rows_at(as_of=as_of, villages=scope)
    headers = ["乡镇", "村(社区)", "类别", f"保留上墙制度(共{counts['rule']}项)",
               f"保留功能室牌子(共{counts['plaque']}块)", "待摘除", "已摘上墙制度牌子",
               "已摘功能性指引牌子", "是否达标", "示范点", "示范点投入(万元)"]  # fmt: skip
    sheet = LedgerSheet(
        workbook, name="村级明细", title=f"{CITY}村级组织牌子清理规范工作村级明细表",
        unit=unit, as_of=as_of, headers=headers,
        widths=[12, 16, 8, 18, 20, 10, 18, 20, 10, 8, 18], number_formats={11: WAN_FORMAT},
        large=True,
    )  # fmt: skip
    site = DemonstrationSite.objects.filter(village=OuterRef("pk"))
    qs = (
        villages.annotate(investment=Subquery(site.values("investment")[:1]))
        .order_by("town__code", "code")
        .values_list("pk", "town_id", "town__name", "name", "kind", "investment")
    )
    by_town = {row.town.pk: row for row in rows}
    current = None
    nothing = selectors.VillageRow()
    for pk, town_id, town_name, name, kind, investment in qs.iterator(chunk_size=5000):
        if current is not None and town_id != current:
            _village_subtotal(sheet, by_town[current])
        current = town_id
        v = figures.get(pk, nothing)
        sheet.row([
            town_name, name, "社区" if kind == "community" else "村",
            v.retained_rules, v.retained_plaques, v.still_to_remove, v.removed_rule,
            v.removed_guidance, "是" if v.meets_standard else "否",
            "是" if investment is not None else "",
            float(selectors.yuan_to_wan(investment)) if investment is not None else None,
        ])  # fmt: skip
    if current is not None:
        _village_subtotal(sheet, by_town[current])
    sheet.total("合计", [f"{city.towns} 个乡镇", f"{city.villages} 个", "", "", "",
                        city.still_to_remove, city.removed_rule, city.removed_guidance,
                        f"{city.villages_meeting} 个达标", city.demonstration_sites,
                        float(selectors.yuan_to_wan(city.investment))])  # fmt: skip
    sheet.close()


def _village_subtotal(sheet, row) -> None:
    sheet.total("小计", [row.town.name, f"{row.villages} 个", "", "", "", row.still_to_remove,
                        row.removed_rule, row.removed_guidance, f"{row.villages_meeting} 个达标",
                        "", None])  # fmt: skip


def _removals(workbook, *, villages, as_of, unit, step) -> None:
    headers = ["乡镇", "村(社区)", "牌子名称", "类别", "位置", "摘除原因", "摘除日期", "经办人",
               "照片", "备注", "核验状态"]  # fmt: skip
    sheet = LedgerSheet(
        workbook, name="摘牌记录", title=f"{CITY}村级组织牌子摘除记录", unit=unit, as_of=as_of,
        headers=headers, widths=[12, 16, 30, 18, 20, 20, 12, 14, 10, 30, 10], large=True,
    )  # fmt: skip
    removals = (
        selectors.removals_in_effect(as_of=as_of)
        .filter(signboard__village__in=villages)
        .annotate(review_at=review_selectors.review_state_at(as_of))
        .order_by("signboard__village__town__code", "signboard__village__code", "removed_on", "pk")
        .values_list(
            "signboard__village__town__name",
            "signboard__village__name",
            "signboard__title",
            "signboard__kind",
            "signboard__location",
            "reason",
            "removed_on",
            "recorded_by__first_name",
            "recorded_by__username",
            "photo",
            "note",
            "review_at",
        )  # fmt: skip
    )
    kinds, reasons = _resolved(KIND_LABELS), _resolved(REASON_LABELS)
    current, count, done = None, 0, 0
    for (
        town,
        village,
        title,
        kind,
        location,
        reason,
        on,
        first,
        user,
        photo,
        note,
        review,
    ) in removals.iterator(chunk_size=5000):
        if current is not None and town != current:
            _removal_subtotal(sheet, current, count)
            count, done = 0, done + 1
            step(done)
        current, count = town, count + 1
        values = [town, village, title, kinds.get(kind, kind), location,
                  reasons.get(reason, reason), on, first or user or "", "", note,
                  REVIEW_LABELS[review]]  # fmt: skip
        if photo:
            sheet.serial += 1
            cells = [sheet.serial, *(sheet.value(v) for v in values[:8])]
            cells += [sheet.link(_photo_url(photo)), *(sheet.value(v) for v in values[9:])]
            sheet._append(cells)
        else:
            sheet.row(values)
    if current is not None:
        _removal_subtotal(sheet, current, count)
    sheet.total("合计", ["", "", f"{sheet.serial} 条", "", "", "", "", "", "", "", ""])
    sheet.close()


def _removal_subtotal(sheet, town: str, count: int) -> None:
    """Rows written for the township: the sheet's own count, whatever the data."""
    sheet.total("小计", [town, "", f"{count} 条", "", "", "", "", "", "", "", ""])


def _signs(workbook, *, scope, rows, as_of, unit, step) -> None:
    headers = ["乡镇", "村(社区)", "牌子名称", "类别", "位置", "处置", "对应保留项目",
               "摘除日期", "摘除原因", "照片", "备注", "挂牌要求部门"]  # fmt: skip
    sheet = LedgerSheet(
        workbook, name=SIGN_LEDGER_SHEET, title=f"{CITY}村级组织活动场所牌子台账", unit=unit,
        as_of=as_of, headers=headers, widths=[12, 16, 30, 18, 20, 10, 24, 12, 20, 10, 30, 20],
        large=True,
    )  # fmt: skip
    signs = selectors.sign_rows_at(as_of=as_of, villages=scope)
    by_town = {row.town.pk: row for row in rows}
    kinds, reasons = _resolved(KIND_LABELS), _resolved(REASON_LABELS)
    current, done = None, 0
    for (town_id, town, village, title, kind, location, status, item, on, reason, photo,
         note, department) in signs:  # fmt: skip
        if current is not None and town_id != current:
            _sign_subtotal(sheet, by_town[current])
            done += 1
            step(done)
        current = town_id
        values = [town, village, title, kinds.get(kind, kind), location,
                  STATUS_LABELS.get(status, status), item or "", on,
                  reasons.get(reason, reason or ""), "", note or "",
                  department or ""]  # fmt: skip
        if photo:
            sheet.serial += 1
            cells = [sheet.serial, *(sheet.value(v) for v in values[:9])]
            cells += [sheet.link(_photo_url(photo)), *(sheet.value(v) for v in values[10:])]
            sheet._append(cells)
        else:
            sheet.row(values)
    if current is not None:
        _sign_subtotal(sheet, by_town[current])
    sheet.close()


def _sign_subtotal(sheet, row) -> None:
    summary = f"保留 {row.retained}，已摘除 {row.removed}，待摘除 {row.still_to_remove}"
    sheet.total("小计", [row.town.name, "", summary, "", "", "", "", "", "", "", "", ""])


def _standard(workbook, *, as_of, unit) -> None:
    standard = selectors.current_standard()
    sheet = LedgerSheet(
        workbook, name="保留清单", title=standard.title if standard else "保留清单", unit=unit,
        as_of=as_of, headers=["类别", "编号", "名称"], widths=[16, 8, 36],
    )  # fmt: skip
    if standard is not None:
        for item in selectors.standard_items(standard=standard):
            sheet.row([ITEM_KIND_LABELS[item.kind], item.number, item.title])
    sheet.close()


def _departments(workbook, *, towns, as_of, unit) -> None:
    """按部门: for the coordination meeting with the 13 city departments."""
    report = department_selectors.department_report(as_of=as_of, towns=towns)
    headers = ["市直单位", "主管保留项目数", "主管保留项目", "其要求挂的牌子已摘除",
               "其牌子反弹(回潮)", "反弹率(%)", "涉及村(社区)"]  # fmt: skip
    sheet = LedgerSheet(
        workbook, name="按部门", title=f"{CITY}村级组织牌子清理规范工作按部门统计表",
        unit=unit, as_of=as_of, headers=headers, widths=[24, 14, 60, 20, 16, 10, 14],
        number_formats={6: PERCENT},
    )  # fmt: skip
    for row in report.rows:
        name = row.department.name if row.department else "未注明"
        sheet.row([name, len(row.items), "、".join(row.items), row.removed, row.rebounds,
                   row.rebound_percent, row.villages])  # fmt: skip
    total = report.total
    sheet.total("合计", ["", "", "", total.removed, total.rebounds, total.rebound_percent, ""])
    sheet.close()


def town_progress(table, *, as_of: dt.date):
    """The dashboard's table of townships as a download: its rows in its order, every row."""
    return xlsx_response(
        lambda out: write_table(
            out,
            table,
            name="乡镇进度",
            title="各乡镇牌子清理规范工作进度表",
            unit=settings.SITE_UNIT_NAME,
            as_of=as_of,
        ),  # fmt: skip
        f"各乡镇进度_截至{as_of:%Y-%m-%d}.xlsx",
        ascii_name=f"hengzhou-townships-{as_of:%Y-%m-%d}.xlsx",
        stream=True,
    )
