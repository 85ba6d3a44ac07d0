"""Import templates: a data sheet with its headers, a 说明 sheet, drop-down lists."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from utilities.excel import display_width, looks_like_formula, safe_cell

from .base import MAX_ROWS, Column

# --- templates --------------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="FDE9D9")
BOLD = Font(name="宋体", size=11, bold=True)
BODY = Font(name="宋体", size=11)
WRAP = Alignment(vertical="top", wrap_text=True)
TEMPLATE_ROWS = MAX_ROWS + 1  # data validations and formats reach this row


def put(ws, row: int, column: int, value, *, font=BODY):
    """A cell whose text never becomes a formula (as utilities.excel.text_safe_cell does)."""
    cell = ws.cell(row=row, column=column, value=safe_cell(value))
    if looks_like_formula(cell.value) or cell.data_type == "f":
        cell.data_type = "s"
        cell.quotePrefix = True
    cell.font = font
    return cell


def data_sheet(ws, columns: Sequence[Column]) -> None:
    for index, column in enumerate(columns, start=1):
        cell = put(ws, 1, index, column.header, font=BOLD)
        cell.fill = HEADER_FILL
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = max(column.width, display_width(column.header) + 2)
        if column.text_format:
            ws.column_dimensions[letter].number_format = "@"
        if column.date_format:
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"


def help_sheet(ws, columns: Sequence[Column], notes: Iterable[str]) -> None:
    for index, header in enumerate(("列名", "是否必填", "填写说明", "示例"), start=1):
        put(ws, 1, index, header, font=BOLD).fill = HEADER_FILL
    for row, column in enumerate(columns, start=2):
        for index, value in enumerate(
            (column.header, column.required, column.help, column.example), start=1
        ):
            put(ws, row, index, value).alignment = WRAP
    row = len(columns) + 3
    put(ws, row, 1, "导入规则", font=BOLD)
    for offset, note in enumerate(notes, start=1):
        put(ws, row + offset, 1, f"{offset}. {note}")
    for letter, width in zip("ABCD", (16, 14, 60, 16), strict=True):
        ws.column_dimensions[letter].width = width


def list_validation(ws, column: int, lists, list_column: int, count: int, *, title: str):
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


def to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
