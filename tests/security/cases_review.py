"""Security cases of the supervision's review URLs (merged into test_url_scope.REGISTRY).

The review page is the reviewers' (owner REVIEWER): township staff get a 404 on it in every
township; other city-level users may read it but not decide. The resubmit page is the
township's own: reviewers get a 404 there too (DENIED).
"""

from django.utils import timezone

from supervision.models import RemovalReview

from .cases import DENIED, GET_POST, READS, REVIEWER, Case


def town_code(w, side, client=None):
    return {"code": w.towns[side].code}


def removal_pk(w, side, client=None):
    return {"pk": w.removals[side].pk}


def returned_removal_pk(w, side, client=None):
    """Town `side`'s removal, returned by a reviewer, so that only the scope can refuse it."""
    RemovalReview.objects.get_or_create(
        removal=w.removals[side],
        defaults={
            "status": "returned",
            "comment": "补拍整改后照片",
            "reviewed_by": w.reviewer,
            "reviewed_at": timezone.now(),
        },
    )
    return removal_pk(w, side, client)


def verify_data(w, side):
    return {"decision": "verify"}


def resubmit_data(w, side):
    return {"reason": "duplicate", "note": "与党员活动室重复"}


CASES: dict = {
    "review_removal": Case(removal_pk, GET_POST, verify_data, city=READS, owner=REVIEWER),
    "review_returned": Case(town_code),
    "removal_resubmit": Case(returned_removal_pk, GET_POST, resubmit_data, city=DENIED),
    "village_closure": Case(town_code),
}
