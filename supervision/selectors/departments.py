"""The 13 city departments (市直单位), for the Organization Department's coordination meeting:
per department, the standard's items it owns, the signs removed that it had asked for, and its
signs that came back (docs/definitions.md, "Departments")."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Value

from signs.models import Department, Removal
from signs.selectors import standard_items
from villages.models import Town

from ..models import Rebound


@dataclass
class DepartmentRow:
    """One department's figures; `department` None is the row of signs naming none (未注明)."""

    department: Department | None
    items: list[str] = field(default_factory=list)
    removed: int = 0
    rebounds: int = 0
    villages: int = 0

    @property
    def rebound_percent(self) -> float | None:
        """Rebounds per 100 of its signs removed; None when none was removed."""
        return round(self.rebounds * 100 / self.removed, 1) if self.removed else None


@dataclass
class DepartmentReport:
    as_of: dt.date
    rows: list[DepartmentRow]

    @property
    def total(self) -> DepartmentRow:
        """Removals and rebounds in all (each counted once, under one department or 未注明);
        villages concerned is not a sum, so the total leaves it out."""
        return DepartmentRow(
            None,
            removed=sum(row.removed for row in self.rows),
            rebounds=sum(row.rebounds for row in self.rows),
        )


def department_report(*, as_of: dt.date, towns: list[Town] | None = None) -> DepartmentReport:
    """Every department (then 未注明) with its figures at `as_of`, in these townships (all when
    None). Four queries, whatever the number of departments and signs."""
    removals = Removal.objects.in_effect_on(as_of)
    rebounds = Rebound.objects.filter(found_on__lte=as_of)
    if towns is not None:
        removals = removals.filter(sign_village__town__in=towns)
        rebounds = rebounds.filter(visit_village__visit__town__in=towns)
    removed, came_back, villages = _figures_by_department(removals, rebounds)
    items: dict[int | None, list[str]] = defaultdict(list)
    for department_id, title in standard_items().values_list("department", "title"):
        items[department_id].append(title)
    rows = [
        DepartmentRow(
            department,
            items=items.get(department.pk, []),
            removed=removed.get(department.pk, 0),
            rebounds=came_back.get(department.pk, 0),
            villages=villages.get(department.pk, 0),
        )
        for department in Department.objects.all()
    ]
    rows.append(
        DepartmentRow(
            None,
            items=items.get(None, []),
            removed=removed.get(None, 0),
            rebounds=came_back.get(None, 0),
            villages=villages.get(None, 0),
        )
    )
    return DepartmentReport(as_of=as_of, rows=rows)


def _figures_by_department(removals, rebounds):
    """{department id: signs removed}, {department id: rebounds}, {department id: villages
    concerned}, in one pass over the removals and rebounds, counted in the database (at 50×
    Hengzhou the (department, village) pairs alone are 200,000 rows: 700 ms in Python). The
    removals are read by their copies of the sign's department and village, with no join of
    the signs (280 → 120 ms there); the few rebounds join theirs."""
    # The union's columns take the first part's names.
    department, village, sign = "sign_requested_by", "sign_village", "signboard"
    parts = []
    for source, qs, prefix in (("r", removals, "sign_"), ("b", rebounds, "signboard__")):
        part = (
            qs.order_by()
            .annotate(source=Value(source))
            .values_list("source", f"{prefix}requested_by", f"{prefix}village", "signboard")
        )
        parts.append(part.query.sql_with_params())
    (sql1, params1), (sql2, params2) = parts
    q = connection.ops.quote_name
    sql = (
        f"SELECT u.{q(department)}, "
        f"COUNT(DISTINCT CASE WHEN u.{q('source')} = 'r' THEN u.{q(sign)} END), "
        f"SUM(CASE WHEN u.{q('source')} = 'b' THEN 1 ELSE 0 END), "
        f"COUNT(DISTINCT u.{q(village)}) "
        f"FROM ({sql1} UNION ALL {sql2}) u GROUP BY u.{q(department)}"
    )
    removed, came_back, villages = {}, {}, {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params1, *params2])
        for department_id, n_removed, n_rebounds, n_villages in cursor.fetchall():
            removed[department_id] = int(n_removed)
            came_back[department_id] = int(n_rebounds)
            villages[department_id] = int(n_villages)
    return removed, came_back, villages
