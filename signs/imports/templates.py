"""The sign inventory's import template: the township's villages and the standard's items as
drop-down lists, the 说明 sheet of what each column takes."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from utilities.spreadsheets.base import MAX_ROWS, MAX_UPLOAD_BYTES
from utilities.spreadsheets.cells import zh_labels
from utilities.spreadsheets.templates import (
    BOLD,
    HEADER_FILL,
    data_sheet,
    help_sheet,
    list_validation,
    put,
    to_bytes,
)
from villages.models import Town

from ..choices import RemovalReason, SignKind
from ..models import Department
from ..selectors import current_standard
from .columns import HELP_SHEET, LISTS_SHEET, SIGN_COLUMNS, SIGN_SHEET

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


def build_sign_template(*, town: Town) -> bytes:
    """The inventory template for `town`: data sheet with drop-downs, 说明, and the lists."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = SIGN_SHEET
    data_sheet(ws, SIGN_COLUMNS)
    help_sheet(
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
        put(lists, 1, index, header, font=BOLD).fill = HEADER_FILL
        for row, value in enumerate(values, start=2):
            put(lists, row, index, value)
        lists.column_dimensions[get_column_letter(index)].width = 24
    position = {c.key: i for i, c in enumerate(SIGN_COLUMNS, start=1)}
    list_validation(ws, position["kind"], lists, 1, len(columns["类别"]), title="类别")
    list_validation(ws, position["reason"], lists, 2, len(columns["摘除原因"]), title="摘除原因")
    if titles:
        list_validation(ws, position["approved_item"], lists, 3, len(titles), title="保留项目")
    if villages:
        list_validation(ws, position["village_name"], lists, 4, len(villages), title="村(社区)")
    if columns["挂牌要求部门"]:
        list_validation(ws, position["requested_by"], lists, 6, len(columns["挂牌要求部门"]),
                         title="挂牌要求部门")  # fmt: skip
    return to_bytes(workbook)
