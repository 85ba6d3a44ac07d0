"""Security cases of the supervision's visits URLs (merged into test_url_scope.REGISTRY).

Each side's township gets its own round (own: 2024 Q1, other: 2024 Q2) holding only that
township's visit, of the side's village; a finding is recorded there. Reviewers record
findings and rebounds in any township (city-level users read those form pages, the
administrator without a form); only the township's staff close its findings.
"""

import datetime as dt

from supervision.models import Finding, Visit, VisitRound, VisitVillage

from .cases import DENIED, GET_POST, READS, REVIEWER, Case

QUARTER = {"own": 1, "other": 2}


def _visit(w, side) -> Visit:
    visit_round, _ = VisitRound.objects.get_or_create(
        year=2024, quarter=QUARTER[side], defaults={"seed": 1}
    )
    visit, _ = Visit.objects.get_or_create(
        round=visit_round, town=w.towns[side], defaults={"visited_on": dt.date(2024, 3, 15)}
    )
    return visit


def _visit_village(w, side) -> VisitVillage:
    visit_village, _ = VisitVillage.objects.get_or_create(
        visit=_visit(w, side), village=w.villages[side]
    )
    return visit_village


def round_pk(w, side, client=None):
    return {"pk": _visit(w, side).round_id}


def visit_pk(w, side, client=None):
    return {"pk": _visit(w, side).pk}


def visit_village_pk(w, side, client=None):
    return {"pk": _visit_village(w, side).pk}


def finding_pk(w, side, client=None):
    finding, _ = Finding.objects.get_or_create(
        visit_village=_visit_village(w, side),
        problem="制度牌未更新",
        defaults={"action": "按汇编更新", "recorded_by": w.reviewer},
    )
    return {"pk": finding.pk}


def town_code(w, side, client=None):
    return {"code": w.towns[side].code}


def finding_data(w, side):
    return {"problem": "台账不全", "severity": "minor", "action": "补齐", "due_on": ""}


def rebound_data(w, side):
    return {"removal": w.removals[side].pk, "found_on": "2024-06-01", "note": ""}


def visit_data(w, side):
    return {"visited_on": "2024-03-20", "inspectors": [w.reviewer.pk], "note": "走访村委"}


def close_data(w, side):
    return {"note": "已整改"}


CASES: dict = {
    "visit_round": Case(round_pk),
    "visit_detail": Case(visit_pk),
    "visit_edit": Case(visit_pk, GET_POST, visit_data, city=READS, owner=REVIEWER),
    "finding_create": Case(visit_village_pk, GET_POST, finding_data, city=READS, owner=REVIEWER),
    "rebound_create": Case(visit_village_pk, GET_POST, rebound_data, city=READS, owner=REVIEWER),
    "finding_close": Case(finding_pk, GET_POST, close_data, city=DENIED),
    "followups": Case(town_code),
}
