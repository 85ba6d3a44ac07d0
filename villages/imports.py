"""Import of the village list (city level): townships and villages by their statistics codes,
every row checked, then all or none, audited."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook

from utilities.spreadsheets import table
from utilities.spreadsheets.base import (
    Column,
    ImportRejected,
    PlanChanged,
    RowError,
    Sheet,
)
from utilities.spreadsheets.cells import Cells, choice_lookup, zh_labels
from utilities.spreadsheets.templates import (
    BOLD,
    HEADER_FILL,
    data_sheet,
    help_sheet,
    list_validation,
    put,
    to_bytes,
)

from .audit import audit_write, snapshot
from .choices import TownKind, VillageKind
from .models import Town, Village

CREATE, SKIP = "create", "skip"
VILLAGE_SHEET = "村社区名单"
HELP_SHEET = "说明"
LISTS_SHEET = "选项"

VILLAGE_COLUMNS = (
    Column(
        "town_code", "乡镇代码", "9位统计代码。", "450181100", 12, required="必填", text_format=True
    ),
    Column(
        "town_name",
        "乡镇名称",
        "以“镇”“乡”或“街道”结尾（新乡镇据此确定类别）。",
        "横州镇",
        12,
        required="必填",
    ),
    Column(
        "village_code",
        "村(社区)代码",
        "12位统计代码，以所属乡镇代码开头；已有的代码会更新名称、类别和所属乡镇。",
        "450181100201",
        16,
        aliases=("村代码", "社区代码"),
        required="必填",
        text_format=True,
    ),
    Column(
        "village_name",
        "村(社区)名称",
        "同一乡镇内不能重名。",
        "城东村",
        14,
        aliases=("村名称", "村(社区)"),
        required="必填",
    ),
    Column(
        "kind",
        "类别",
        "村 或 社区；新建时留空按“村”，更新时留空则不变。",
        "村",
        10,
        aliases=("类别(村/社区)", "村/社区"),
    ),
)


# --- the village list -----------------------------------------------------------------------------

TOWN_KIND_BY_SUFFIX = (
    ("街道", TownKind.SUBDISTRICT),
    ("镇", TownKind.TOWN),
    ("乡", TownKind.TOWNSHIP),
)


@dataclass
class PlannedTown:
    row: int
    code: str
    name: str
    kind: str
    existing: Town | None
    changes: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        if self.existing is None:
            return CREATE
        return "update" if self.changes else SKIP


@dataclass
class PlannedVillage:
    row: int
    town_code: str
    code: str
    name: str
    kind: str
    existing: Village | None
    changes: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        if self.existing is None:
            return CREATE
        return "update" if self.changes else SKIP

    def get_kind_display(self) -> str:
        return str(VillageKind(self.kind).label)


@dataclass
class VillagePlan:
    row_count: int
    towns: list[PlannedTown] = field(default_factory=list)
    villages: list[PlannedVillage] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def _with(self, items, action):
        return [item for item in items if item.action == action]

    @property
    def towns_to_create(self):
        return self._with(self.towns, CREATE)

    @property
    def towns_to_update(self):
        return self._with(self.towns, "update")

    @property
    def villages_to_create(self):
        return self._with(self.villages, CREATE)

    @property
    def villages_to_update(self):
        return self._with(self.villages, "update")

    @property
    def villages_unchanged(self):
        return self._with(self.villages, SKIP)

    @property
    def summary(self) -> dict[str, int]:
        return {
            "rows": self.row_count,
            "towns_created": len(self.towns_to_create),
            "towns_updated": len(self.towns_to_update),
            "villages_created": len(self.villages_to_create),
            "villages_updated": len(self.villages_to_update),
            "unchanged": len(self.villages_unchanged),
        }


def read_village_sheet(data: bytes) -> Sheet:
    return table.read_table(
        data,
        columns=VILLAGE_COLUMNS,
        required=("town_code", "town_name", "village_code", "village_name"),
        preferred=(VILLAGE_SHEET,),
    )


def _town_kind(name: str) -> str | None:
    return next((kind for suffix, kind in TOWN_KIND_BY_SUFFIX if name.endswith(suffix)), None)


def plan_village_import(*, sheet: Sheet) -> VillagePlan:
    """Check every row of a village list and say which townships and villages it creates or
    changes (by code); villages missing from the file are left as they are."""
    towns = {t.code: t for t in Town.objects.all()}
    town_by_name = {t.name: t.code for t in towns.values()}
    villages = {v.code: v for v in Village.objects.select_related("town")}
    kinds, kind_labels = choice_lookup(VillageKind)
    plan = VillagePlan(row_count=sheet.row_count, ignored_columns=sheet.ignored_columns)
    file_towns: dict[str, PlannedTown] = {}
    file_town_names: dict[str, tuple[str, int]] = {}
    file_villages: dict[str, int] = {}
    rows: list[tuple[Cells, PlannedVillage]] = []

    for number, values in sheet.rows:
        cells = Cells(sheet, VILLAGE_COLUMNS, number, values)
        town_code = cells.code("town_code", max_length=12, required=True)
        town_name = cells.text("town_name", max_length=50, required=True)
        code = cells.code("village_code", max_length=15, required=True)
        name = cells.text("village_name", max_length=50, required=True)
        kind = cells.choice("kind", kinds, required=False, labels=kind_labels)
        if town_code and code and not code.startswith(town_code):
            cells.error(
                "village_code",
                _("%(code)s does not begin with its township's code %(town)s.")
                % {"code": code, "town": town_code},
            )
        if town_code and town_name:
            _plan_town(cells, plan, towns, town_by_name, file_towns, file_town_names,
                       town_code, town_name)  # fmt: skip
        if code:
            if code in file_villages:
                cells.error(
                    "village_code",
                    _("The code %(code)s is already on row %(row)d.")
                    % {"code": code, "row": file_villages[code]},
                )
            else:
                file_villages[code] = number
        existing = villages.get(code)
        if not kind:
            kind = existing.kind if existing else VillageKind.VILLAGE
        planned = PlannedVillage(number, town_code, code, name, kind, existing)
        if existing is not None:
            if existing.town.code != town_code:
                planned.changes.append(
                    _("township %(old)s → %(new)s")
                    % {"old": existing.town.name, "new": town_name or town_code}
                )
            if existing.name != name:
                planned.changes.append(
                    _("name %(old)s → %(new)s") % {"old": existing.name, "new": name}
                )
            if existing.kind != kind:
                planned.changes.append(
                    _("kind %(old)s → %(new)s")
                    % {"old": existing.get_kind_display(), "new": planned.get_kind_display()}
                )
        rows.append((cells, planned))

    # Names are unique within a township: check the list as it will be after the import.
    final: dict[tuple[str, str], list[str]] = defaultdict(list)
    in_file = {planned.code for _cells, planned in rows}
    for village in villages.values():
        if village.code not in in_file:
            final[(village.town.code, village.name)].append(village.code)
    for _cells, planned in rows:
        final[(planned.town_code, planned.name)].append(planned.code)
    for cells, planned in rows:
        same = [c for c in final[(planned.town_code, planned.name)] if c != planned.code]
        if planned.name and same:
            cells.error(
                "village_name",
                _("%(name)s would be the name of %(codes)s too; names must differ in a township.")
                % {"name": planned.name, "codes": "、".join(sorted(set(same)))},
            )
        if cells.errors:
            plan.errors.extend(cells.errors)
        else:
            plan.villages.append(planned)
    if plan.errors:
        plan.errors.sort(key=lambda e: (e.number or e.row, e.column or 0))
    return plan


def _plan_town(cells, plan, towns, town_by_name, file_towns, file_town_names, code, name):
    planned = file_towns.get(code)
    if planned is not None:
        if planned.name != name:
            cells.error(
                "town_name",
                _("Row %(row)d gives the township %(code)s the name %(name)s.")
                % {"row": planned.row, "code": code, "name": planned.name},
            )
        return
    other = file_town_names.get(name)
    if other and other[0] != code:
        cells.error(
            "town_name",
            _("Row %(row)d gives the name %(name)s to the township %(code)s.")
            % {"row": other[1], "name": name, "code": other[0]},
        )
        return
    holder = town_by_name.get(name)
    if holder and holder != code and holder not in file_towns:
        cells.error(
            "town_name",
            _("%(name)s is already the name of the township %(code)s.")
            % {"name": name, "code": holder},
        )
        return
    existing = towns.get(code)
    kind = existing.kind if existing else _town_kind(name)
    if kind is None:
        cells.error(
            "town_name",
            _("A new township's name must end in 镇, 乡 or 街道 (to tell its kind)."),
        )
        return
    planned = PlannedTown(cells.number, code, name, kind, existing)
    if existing is not None and existing.name != name:
        planned.changes.append(_("name %(old)s → %(new)s") % {"old": existing.name, "new": name})
    file_towns[code] = planned
    file_town_names[name] = (code, cells.number)
    plan.towns.append(planned)


@transaction.atomic
def village_import_commit(*, user, sheet: Sheet, expected: dict | None = None) -> VillagePlan:
    """Create or update townships and villages by code from a village list: all or nothing,
    each write audited. Raises ImportRejected / PlanChanged like `sign_import_commit`."""
    list(Town.objects.select_for_update().values_list("pk", flat=True))
    plan = plan_village_import(sheet=sheet)
    if plan.errors:
        raise ImportRejected(plan)
    if expected is not None and plan.summary != expected:
        raise PlanChanged(plan)
    if not (plan.towns_to_create or plan.towns_to_update or plan.villages_to_create
            or plan.villages_to_update):  # fmt: skip
        return plan
    try:
        with transaction.atomic():
            _write_villages(plan, user=user)
    except IntegrityError as exc:
        raise ValidationError(
            _(
                "The list could not be saved as it is (two names swapped, or a change made "
                "meanwhile); nothing was saved. Import the renames in two steps."
            )
        ) from exc
    return plan


def _write_villages(plan: VillagePlan, *, user) -> None:
    towns: dict[str, Town] = {t.code: t for t in Town.objects.all()}
    for planned in plan.towns:
        if planned.action == SKIP:
            continue
        if planned.existing is None:
            town = Town(code=planned.code, name=planned.name, kind=planned.kind)
            town.full_clean()
            town.save()
            audit_write(actor=user, action="town.create", obj=town, town=town,
                        after=snapshot(town))  # fmt: skip
        else:
            town = towns[planned.code]
            before = snapshot(town)
            town.name = planned.name
            town.full_clean()
            town.save(update_fields=["name"])
            audit_write(actor=user, action="town.update", obj=town, town=town, before=before,
                        after=snapshot(town))  # fmt: skip
        towns[town.code] = town
    for planned in plan.villages:
        if planned.action == SKIP:
            continue
        town = towns[planned.town_code]
        if planned.existing is None:
            village = Village(town=town, code=planned.code, name=planned.name, kind=planned.kind)
            village.full_clean()
            village.save()
            audit_write(actor=user, action="village.create", obj=village, town=town,
                        after=snapshot(village))  # fmt: skip
        else:
            village = Village.objects.get(pk=planned.existing.pk)
            before = snapshot(village)
            village.town, village.name, village.kind = town, planned.name, planned.kind
            village.full_clean()
            village.save(update_fields=["town", "name", "kind"])
            audit_write(actor=user, action="village.update", obj=village, town=town,
                        before=before, after=snapshot(village))  # fmt: skip


VILLAGE_NOTES = (
    "每行一个村(社区)，按代码新建或更新；文件中没有的村(社区)保持不变，不会删除。",
    "新乡镇的类别按名称结尾确定（镇、乡、街道）。",
    "上传后逐行检查并列出所有错误；只要有一处错误，整份文件都不导入；确认预览后才保存。",
)


def build_village_template() -> bytes:
    """The village list template, with the current list on a second sheet for reference."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = VILLAGE_SHEET
    data_sheet(ws, VILLAGE_COLUMNS)
    help_sheet(workbook.create_sheet(HELP_SHEET), VILLAGE_COLUMNS, VILLAGE_NOTES)
    lists = workbook.create_sheet(LISTS_SHEET)
    put(lists, 1, 1, "类别", font=BOLD).fill = HEADER_FILL
    for row, label in enumerate(zh_labels(VillageKind), start=2):
        put(lists, row, 1, label)
    list_validation(ws, 5, lists, 1, len(VillageKind.choices), title="类别")
    return to_bytes(workbook)
