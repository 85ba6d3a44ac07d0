"""Security cases of the supervision's worklists URLs (merged into test_url_scope.REGISTRY).

A work list goes to every township it gives something to do: town A's list here has an item for
town A, town B's list items for town B only, so town A's staff must not open it. An item
belongs to its township.
"""

import datetime as dt

from supervision.models import WorkItem, WorkList

from .cases import DENIED, GET_POST, READS, REVIEWER, Case
from .support import OWN

MONTHS = {OWN: 1}  # town A's list is January's; town B's is February's


def _work_list(w, side) -> WorkList:
    month = MONTHS.get(side, 2)
    work_list, _ = WorkList.objects.get_or_create(
        year=2024,
        month=month,
        defaults={"title": f"2024年{month}月工作清单", "due_on": dt.date(2024, month, 28)},
    )
    WorkItem.objects.get_or_create(work_list=work_list, town=w.towns[side], text="更新摘牌台账")
    return work_list


def work_list_pk(w, side, client=None):
    return {"pk": _work_list(w, side).pk}


def work_item_pk(w, side, client=None):
    item = WorkItem.objects.get(work_list=_work_list(w, side), town=w.towns[side])
    return {"pk": item.pk}


def item_data(w, side):
    return {"text": "补充整改照片", "town": w.towns[side].pk}


def done_data(w, side):
    return {"note": "已更新台账并上传照片"}


CASES: dict = {
    "worklist_detail": Case(work_list_pk),
    "worklist_print": Case(work_list_pk),
    # Reviewers add items to any list; other city-level users may only look at the form
    # (their POST is a 404, tested in tests/supervision/test_worklists_views.py); staff never.
    "workitem_create": Case(work_list_pk, GET_POST, item_data, city=READS, owner=REVIEWER),
    # Only the item's own township answers it; reviewers follow it on the list's page.
    "workitem_done": Case(work_item_pk, GET_POST, done_data, city=DENIED),
}
