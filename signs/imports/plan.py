"""Checking every row of a sign inventory against the database: what importing it would
create, add or skip, every problem located as Excel shows it. Also the mapping step's
guesses (which column holds what) and the township's own words."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from utilities.excel import looks_like_formula
from utilities.spreadsheets import table
from utilities.spreadsheets.base import DATE_TEXT, RowError, Sheet, norm
from utilities.spreadsheets.cells import COMPACT_DATE, Cells, choice_lookup, zh_labels
from utilities.spreadsheets.mapping import Layout
from villages.models import Town, Village
from villages.names import TOWN_SUFFIXES, closest_villages, find_village, village_lookup

from ..choices import SIGN_LEDGER_SHEET, RemovalReason, SignKind
from ..models import ApprovedItem, Department, LedgerLayout, LedgerWord, Removal, Signboard
from ..selectors import current_standard
from .columns import (
    KEPT,
    KIND_ALIASES,
    LEDGER_COLUMNS,
    MERGED,
    REASON_ALIASES,
    REMOVED,
    SIGN_SHEET,
    STATUS_WORDS,
)

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
    macros_ignored: bool = False

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
    kinds, _labels = choice_lookup(SignKind, {**words["kind"], **KIND_ALIASES})
    reasons, _labels = choice_lookup(RemovalReason, {**words["reason"], **REASON_ALIASES})
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

    def is_date(value: str) -> bool:  # as Cells.date reads them; samples are text
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
        lookup, _labels = choice_lookup(choices, aliases)
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
    kinds, kind_labels = choice_lookup(SignKind, {**words["kind"], **KIND_ALIASES})
    reasons, reason_labels = choice_lookup(RemovalReason, {**words["reason"], **REASON_ALIASES})
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
        macros_ignored=sheet.macros_ignored,
    )
    seen: dict[tuple[int, str, str], int] = {}

    for number, values in sheet.rows:
        cells = Cells(sheet, LEDGER_COLUMNS, number, values)
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
        for key, word, error in cells.unknown:
            unknown = plan.unknown_words.get((key, norm(word)))
            if unknown is None:
                plan.unknown_words[(key, norm(word))] = UnknownWord(key, word, 1, error.place())
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


def _row_status(cells: Cells, statuses: dict[str, str]) -> str | None:
    text = cells.text("status", max_length=20)
    if not text:
        return None
    status = statuses.get(norm(text))
    if status is None:
        cells.error(
            "status",
            _("Unknown value “%(value)s”; write 是/否, 保留/摘除/合并 or 已摘除/未摘除.")
            % {"value": text},
        )
        cells.unknown.append(("status", text, cells.errors[-1]))
    return status


# A village as ledgers write it: 竹塘村委会, 竹塘村民委员会, 横州镇竹塘村, 竹塘.
def _row_town_name(cells: Cells, town: Town) -> None:
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


def _row_village(cells: Cells, *, town, by_code, by_name) -> Village | None:
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
            close = closest_villages(name, {v.pk: v for v in by_name.values()}.values())
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


def _row_department(cells: Cells, departments: dict[str, Department]) -> Department | None:
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


def _row_item(cells: Cells, items, standard_title, kind: str) -> ApprovedItem | None:
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


def _match_existing(planned: PlannedSign, matches: list[_Existing], cells: Cells) -> None:
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
