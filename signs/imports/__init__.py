"""Import of sign inventories: a township's ledger, in its own layout, every row checked, then
all or none. Reading any spreadsheet people make lives in `utilities.spreadsheets`; the
village list's import in `villages.imports`. Here:

- `columns`: the inventory's columns and the townships' words for kinds, reasons, 是否摘除;
- `plan`: `read_sign_sheet` (with the township's saved layouts) and `plan_sign_import`, which
  checks every row against the database and says what would be created, added or skipped,
  every error located as 第N行 第X列; the mapping step's guesses and the township's words;
- `templates`: the import template;
- the write is `signs.services.imports.sign_import_commit`: it plans again inside one
  transaction and writes, with audit rows, only if the plan has no error and is still the
  one the user confirmed.

The workbook's own words (headers, the 说明 sheet) are Chinese, as in the 台账 of utilities.excel;
messages to the user go through gettext.
"""

from utilities.spreadsheets import base, cells, files, mapping, table
from utilities.spreadsheets.base import (
    MAX_ERRORS_SHOWN,
    MAX_PREVIEW_ROWS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    OLE_MAGIC,
    ImportFileError,
    ImportRejected,
    PlanChanged,
    RowError,
    Sheet,
    norm,
)
from utilities.spreadsheets.cells import zh_labels
from utilities.spreadsheets.mapping import Layout, NeedsMapping

from .columns import LEDGER_COLUMNS, SIGN_COLUMNS
from .plan import (
    SignPlan,
    UnknownWord,
    check_mapping,
    closest_value,
    guess_columns,
    ledger_fields,
    plan_sign_import,
    read_sign_sheet,
    word_choices,
)
from .templates import build_sign_template

__all__ = [
    "LEDGER_COLUMNS", "MAX_ERRORS_SHOWN", "MAX_PREVIEW_ROWS", "MAX_ROWS", "MAX_UPLOAD_BYTES",
    "OLE_MAGIC", "SIGN_COLUMNS", "ImportFileError", "ImportRejected", "Layout", "NeedsMapping",
    "PlanChanged", "RowError", "Sheet", "SignPlan", "UnknownWord", "base", "build_sign_template",
    "cells", "check_mapping", "closest_value", "files", "guess_columns", "ledger_fields",
    "mapping", "norm", "plan_sign_import", "read_sign_sheet", "table", "word_choices",
    "zh_labels",
]  # fmt: skip
