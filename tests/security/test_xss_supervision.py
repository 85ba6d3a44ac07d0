"""XSS on the supervision's pages: the reviewer's comment, work-list texts, findings and remarks
come out escaped, beside the village and sign names they show."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from supervision.choices import ReviewStatus, Severity
from supervision.models import (
    AssessmentRemark,
    Finding,
    RemovalReview,
    Visit,
    VisitRound,
    VisitVillage,
    WorkItem,
    WorkList,
)

from .support import OWN
from .test_xss import assert_escaped, texts  # noqa: F401  (the payload in every field)

# Each supervision text gets the payload plus its own suffix, as in test_xss.
EXTRA = {
    "comment": "审",
    "list_title": "单",
    "item_text": "事",
    "done_note": "完",
    "problem": "问",
    "action": "改",
    "remarks": "评",
}


@pytest.fixture
def supervised(world, texts):  # noqa: F811
    for field, suffix in EXTRA.items():
        texts[field] = texts.payload + suffix
    town, village, removal = world.towns[OWN], world.villages[OWN], world.removals[OWN]
    RemovalReview.objects.create(
        removal=removal,
        status=ReviewStatus.RETURNED,
        comment=texts["comment"],
        reviewed_by=world.reviewer,
        reviewed_at=timezone.now(),
    )
    work_list = WorkList.objects.create(
        year=2024, month=3, title=texts["list_title"], due_on=dt.date(2024, 3, 31)
    )
    WorkItem.objects.create(work_list=work_list, town=town, text=texts["item_text"])
    WorkItem.objects.create(
        work_list=work_list,
        town=town,
        text="复核",
        done_at=timezone.now(),
        done_note=texts["done_note"],
    )
    visit = Visit.objects.create(
        round=VisitRound.objects.create(year=2024, quarter=1, seed=7),
        town=town,
        visited_on=dt.date(2024, 3, 20),
    )
    Finding.objects.create(
        visit_village=VisitVillage.objects.create(visit=visit, village=village),
        problem=texts["problem"],
        severity=Severity.MAJOR,
        action=texts["action"],
    )
    AssessmentRemark.objects.create(town=town, year=2024, remarks=texts["remarks"])
    return {"work_list": work_list, "visit": visit}


PAGES = {
    # name: (url builder, who looks, the fields the page shows)
    "review_queue": (lambda w, s: reverse("review_queue") + "?state=", "reviewer",
                     ["village", "removed_title"]),
    "review_removal": (lambda w, s: reverse("review_removal", args=[w.removals[OWN].pk]),
                       "reviewer", ["village", "removed_title", "note", "comment"]),
    "review_returned": (lambda w, s: reverse("review_returned", args=[w.towns[OWN].code]),
                        "staff", ["village", "removed_title", "comment"]),
    "removal_resubmit": (lambda w, s: reverse("removal_resubmit", args=[w.removals[OWN].pk]),
                         "staff", ["removed_title", "comment"]),
    "village_closure": (lambda w, s: reverse("village_closure", args=[w.towns[OWN].code]),
                        "staff", ["village"]),
    "worklist_reviewer": (lambda w, s: reverse("worklist_detail", args=[s["work_list"].pk]),
                          "reviewer", ["list_title", "item_text", "done_note", "town"]),
    "worklist_staff": (lambda w, s: reverse("worklist_detail", args=[s["work_list"].pk]),
                       "staff", ["list_title", "item_text", "done_note"]),
    "worklist_print": (lambda w, s: reverse("worklist_print", args=[s["work_list"].pk]),
                       "staff", ["list_title", "item_text"]),
    "visit_detail": (lambda w, s: reverse("visit_detail", args=[s["visit"].pk]), "staff",
                     ["village", "problem", "action"]),
    "followups": (lambda w, s: reverse("followups", args=[w.towns[OWN].code]), "staff",
                  ["problem", "action"]),
    "assessment": (lambda w, s: reverse("assessment") + "?year=2024", "reviewer",
                   ["town", "remarks"]),
}  # fmt: skip


@pytest.mark.parametrize("page", sorted(PAGES))
def test_supervision_pages_show_user_text_escaped(world, texts, supervised, page):  # noqa: F811
    build, who, fields = PAGES[page]
    user = world.reviewer if who == "reviewer" else world.staff[OWN]
    response = world.client(user).get(build(world, supervised))
    assert response.status_code == 200
    assert_escaped(response.content.decode(), texts, fields)
