"""Security cases of the 意见建议 URLs (merged into test_url_scope.REGISTRY).

Each side's item is sent by that side's township staffer. An item is its sender's and the
system administrators': another staffer gets a 404, and so does a reviewer, who is an
ordinary sender here. Only the system administrator answers (owner ADMINISTRATOR of the
POST-only answer URL); everyone else gets a 404 there, their own item included.
"""

from feedback.models import Feedback

from .cases import ADMINISTRATOR, DENIED, POST, READS, WRITES, Case


def feedback_pk(w, side, client=None):
    feedback, _ = Feedback.objects.get_or_create(
        author=w.staff[side],
        subject="照片上传太慢",
        defaults={"town": w.towns[side], "kind": "problem", "body": "村部信号弱，上传要一分钟。"},
    )
    return {"pk": feedback.pk}


def answer_data(w, side):
    return {"answer": "已压缩照片后再上传，请更新后再试。"}


CASES: dict = {
    "feedback_detail": Case(feedback_pk, city=DENIED, administrator=READS),
    "feedback_answer": Case(
        feedback_pk, POST, answer_data, city=DENIED, owner=ADMINISTRATOR, administrator=WRITES
    ),
}
