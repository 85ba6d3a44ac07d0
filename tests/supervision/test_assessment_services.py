"""Writes of the assessment: weights (five whole numbers adding up to 100) and remarks."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from supervision.models import AssessmentRemark, AssessmentWeight
from supervision.selectors.assessment import weights
from supervision.services.assessment import remark_save, weights_update
from villages.models import AuditEntry

GOOD = {"progress": 40, "meeting": 20, "no_rebound": 10, "work_on_time": 10, "findings_closed": 20}


def test_weights_update_saves_and_audits_what_changed(reviewer):
    weights_update(user=reviewer, weights=GOOD)
    assert weights() == GOOD
    entries = AuditEntry.objects.filter(action="assessment.weights")
    # progress 30→40, meeting 25→20, no_rebound 15→10, work_on_time 15→10, findings 15→20
    assert entries.count() == 5
    entry = entries.get(object_id=str(AssessmentWeight.objects.get(indicator="meeting").pk))
    assert (entry.before["weight"], entry.after["weight"], entry.actor) == (25, 20, reviewer)
    assert AssessmentWeight.objects.get(indicator="progress").updated_by == reviewer

    weights_update(user=reviewer, weights={**GOOD, "progress": 30, "findings_closed": 30})
    assert entries.count() == 7  # only the two that changed


@pytest.mark.parametrize(
    "bad",
    [
        {**GOOD, "progress": 41},  # adds up to 101
        {**GOOD, "progress": 0},  # 60
        {k: v for k, v in GOOD.items() if k != "meeting"},  # one missing
        {**GOOD, "extra": 0},
        {**GOOD, "progress": 140, "meeting": -80},  # adds up to 100, out of range
        {**GOOD, "progress": 40.0},
        {**GOOD, "progress": "40"},
        {**GOOD, "meeting": True, "progress": 59},
    ],
    ids=["101", "60", "missing", "extra", "range", "float", "text", "bool"],
)
def test_weights_update_refuses_bad_weights_and_changes_nothing(reviewer, bad):
    before = weights()
    with pytest.raises(ValidationError):
        weights_update(user=reviewer, weights=bad)
    assert weights() == before
    assert not AuditEntry.objects.filter(action="assessment.weights").exists()


def test_weights_error_says_the_total_in_chinese(reviewer):
    with pytest.raises(ValidationError) as exc:
        weights_update(user=reviewer, weights={**GOOD, "progress": 41})
    assert "100" in exc.value.messages[0] and "101" in exc.value.messages[0]
    assert "权重" in exc.value.messages[0]


def test_weights_update_may_give_an_indicator_no_weight(reviewer):
    weights_update(
        user=reviewer,
        weights={"progress": 100, "meeting": 0, "no_rebound": 0, "work_on_time": 0,
                 "findings_closed": 0},
    )  # fmt: skip
    assert weights()["progress"] == 100 and weights()["meeting"] == 0


def test_remark_save_creates_then_updates_one_row(reviewer, town):
    remark = remark_save(user=reviewer, town=town, year=2024, remarks="  进度较快。 ")
    assert (remark.remarks, remark.written_by) == ("进度较快。", reviewer)
    again = remark_save(user=reviewer, town=town, year=2024, remarks="进度较快，反弹已整改。")
    assert again.pk == remark.pk
    assert AssessmentRemark.objects.get(town=town, year=2024).remarks == "进度较快，反弹已整改。"
    entries = list(AuditEntry.objects.filter(action="assessment.remark").order_by("pk"))
    assert [e.town for e in entries] == [town, town]
    assert entries[0].before is None
    assert entries[1].before["remarks"] == "进度较快。"
    assert entries[1].after["remarks"] == "进度较快，反弹已整改。"


def test_remark_save_keeps_years_and_townships_apart(reviewer, town, other_town):
    remark_save(user=reviewer, town=town, year=2024, remarks="甲")
    remark_save(user=reviewer, town=town, year=2023, remarks="乙")
    remark_save(user=reviewer, town=other_town, year=2024, remarks="丙")
    assert AssessmentRemark.objects.count() == 3


@pytest.mark.parametrize("remarks", ["", "   \n "])
def test_remark_save_needs_text(reviewer, town, remarks):
    with pytest.raises(ValidationError) as exc:
        remark_save(user=reviewer, town=town, year=2024, remarks=remarks)
    assert "remarks" in exc.value.message_dict
    assert not AssessmentRemark.objects.exists()
    assert not AuditEntry.objects.exists()


def test_remark_save_refuses_a_future_year(reviewer, town):
    with pytest.raises(ValidationError):
        remark_save(user=reviewer, town=town, year=timezone.localdate().year + 1, remarks="太早了")
    assert not AssessmentRemark.objects.exists()
