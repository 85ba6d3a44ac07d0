"""One data row being checked: typed getters (text, code, date, choice) that record each
problem as a located RowError, and the lookups that match what people type to our values."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence

from django.utils import translation
from django.utils.translation import gettext as _

from . import table
from .base import (
    CONTROL,
    DATE_TEXT,
    DIGITS,
    EARLIEST_DATE,
    LINE_BREAKS,
    Column,
    RowError,
    Sheet,
    norm,
)

# --- checking one row -------------------------------------------------------------------------


class Cells:
    """One data row being checked: typed getters that record located errors."""

    def __init__(self, sheet: Sheet, columns: Sequence[Column], number: int, values: dict):
        self.sheet = sheet
        self.headers = {c.key: c.header for c in columns}
        self.number = number
        self.values = dict(values)
        self.errors: list[RowError] = []
        self.bad_keys: set[str] = set()
        self.unknown: list[tuple[str, str, RowError]] = []  # (key, word, its error): unknown
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
            self.error(
                key,
                _("Unknown value “%(value)s”; choose one of: %(labels)s.")
                % {"value": text, "labels": labels},
            )
            self.unknown.append((key, text, self.errors[-1]))
            return ""
        return value


COMPACT_DATE = re.compile(r"(20[0-9]{2})([01][0-9])([0-3][0-9])")  # 20240305


def choice_lookup(choices, aliases: dict[str, str] | None = None) -> tuple[dict[str, str], str]:
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
