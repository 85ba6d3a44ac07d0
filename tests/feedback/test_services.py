"""Sending and answering suggestions (feedback.services), and the table's constraints."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from feedback.choices import FeedbackKind, FeedbackStatus
from feedback.models import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH, Feedback
from feedback.services import feedback_answer
from villages import roles
from villages.audit import AUDIT_ACTION_LABELS
from villages.models import AuditEntry

pytestmark = pytest.mark.django_db


def messages(caught) -> str:
    return " ".join(caught.value.messages)


# --- sending ----------------------------------------------------------------------------------


def test_sending_keeps_the_senders_township_and_is_audited(staff, town, send):
    feedback = send(staff, kind="complaint", subject="  照片上传太慢 ", body="\n村部信号弱。\n")
    feedback.refresh_from_db()
    assert (feedback.author, feedback.town, feedback.kind) == (staff, town, "complaint")
    assert (feedback.subject, feedback.body) == ("照片上传太慢", "村部信号弱。")
    assert feedback.status == FeedbackStatus.OPEN
    assert feedback.answered_at is None
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor) == ("feedback.create", staff)
    assert (entry.object_type, entry.object_id) == ("feedback.feedback", str(feedback.pk))
    assert entry.after["subject"] == "照片上传太慢"
    # Not in any township's activity log, which every city-level user reads.
    assert entry.town is None


def test_a_city_level_sender_has_no_township(reviewer, send):
    assert send(reviewer).town is None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"subject": "   "}, "subject", "请填写主题"),
        ({"body": " \n\t "}, "body", "请写下您的建议或遇到的问题"),
        ({"subject": "长" * (SUBJECT_MAX_LENGTH + 1)}, "subject", "不超过 100 字符"),
        ({"body": "长" * (BODY_MAX_LENGTH + 1)}, "body", "不超过 2000 字符"),
        ({"kind": "praise"}, "kind", "请选择建议、投诉或问题"),
    ],
    ids=["blank-subject", "blank-body", "long-subject", "long-body", "unknown-kind"],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(
    staff, send, fields, field, message
):
    with pytest.raises(ValidationError) as caught:
        send(staff, **fields)
    assert field in caught.value.message_dict
    assert message in messages(caught)
    assert not Feedback.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_longest_allowed_texts_are_kept_whole(staff, send):
    subject, body = "题" * SUBJECT_MAX_LENGTH, "文" * BODY_MAX_LENGTH
    feedback = send(staff, subject=subject, body=body)
    feedback.refresh_from_db()
    assert (feedback.subject, feedback.body) == (subject, body)


def test_the_audit_actions_have_labels():
    assert str(AUDIT_ACTION_LABELS["feedback.create"]) == "提出意见建议"
    assert str(AUDIT_ACTION_LABELS["feedback.answer"]) == "答复意见建议"


# --- answering --------------------------------------------------------------------------------


def test_answering_records_who_and_when_and_is_audited(staff, administrator, send):
    feedback = send(staff)
    before = timezone.now()
    answered = feedback_answer(feedback=feedback, user=administrator, answer=" 下个版本增加。 ")
    feedback.refresh_from_db()
    assert feedback.answer == "下个版本增加。" == answered.answer
    assert feedback.answered_by == administrator
    assert feedback.answered_at >= before
    assert feedback.status == FeedbackStatus.ANSWERED
    entry = AuditEntry.objects.get(action="feedback.answer")
    assert entry.actor == administrator and entry.town is None
    assert entry.before == {"answer": "", "answered_by_id": None, "answered_at": None}
    assert entry.after["answer"] == "下个版本增加。"
    assert entry.after["answered_by_id"] == administrator.pk


def test_answering_again_changes_the_answer_with_before_and_after(
    staff, administrator, make_user, send
):
    feedback = send(staff)
    feedback_answer(feedback=feedback, user=administrator, answer="下个版本增加。")
    colleague = make_user("sysadmin_b", role=roles.SYSTEM_ADMIN)
    feedback_answer(feedback=feedback, user=colleague, answer="已在 3 月版本增加，请试用。")
    feedback.refresh_from_db()
    assert feedback.answer == "已在 3 月版本增加，请试用。"
    assert feedback.answered_by == colleague
    change = AuditEntry.objects.filter(action="feedback.answer").order_by("pk").last()
    assert change.before["answer"] == "下个版本增加。"
    assert change.before["answered_by_id"] == administrator.pk
    assert change.after["answer"] == "已在 3 月版本增加，请试用。"
    assert AuditEntry.objects.filter(action="feedback.answer").count() == 2


def test_the_same_answer_again_writes_nothing(staff, administrator, send):
    feedback = send(staff)
    feedback_answer(feedback=feedback, user=administrator, answer="下个版本增加。")
    answered_at = Feedback.objects.get().answered_at
    feedback_answer(feedback=feedback, user=administrator, answer="下个版本增加。 ")
    assert Feedback.objects.get().answered_at == answered_at
    assert AuditEntry.objects.filter(action="feedback.answer").count() == 1


def test_a_superuser_may_answer(staff, send, django_user_model):
    root = django_user_model.objects.create_superuser("root_fb", "root@example.com", "x")
    feedback = feedback_answer(feedback=send(staff), user=root, answer="收到。")
    assert feedback.answered_by == root


@pytest.mark.parametrize("who", ["staff", "reviewer", "author"])
def test_only_the_system_administrators_answer(request, staff, send, who):
    feedback = send(staff)
    user = staff if who == "author" else request.getfixturevalue(who)
    with pytest.raises(ValidationError) as caught:
        feedback_answer(feedback=feedback, user=user, answer="我来答复")
    assert "只有系统管理员可以答复" in messages(caught)
    feedback.refresh_from_db()
    assert feedback.answer == "" and feedback.answered_at is None
    assert not AuditEntry.objects.filter(action="feedback.answer").exists()


@pytest.mark.parametrize(
    ("answer", "message"),
    [(" \n ", "请填写答复内容"), ("长" * 2001, "不超过 2000 字符")],
    ids=["blank", "too-long"],
)
def test_a_bad_answer_is_refused_and_the_old_answer_stays(
    staff, administrator, send, answer, message
):
    feedback = send(staff)
    feedback_answer(feedback=feedback, user=administrator, answer="下个版本增加。")
    with pytest.raises(ValidationError) as caught:
        feedback_answer(feedback=feedback, user=administrator, answer=answer)
    assert message in messages(caught)
    assert feedback.answer == ""  # the caller's object is not touched by a refused answer
    assert Feedback.objects.get().answer == "下个版本增加。"
    assert AuditEntry.objects.filter(action="feedback.answer").count() == 1


# --- the table itself -------------------------------------------------------------------------


def build(staff, administrator, **fields):
    values = {"author": staff, "kind": FeedbackKind.SUGGESTION, "subject": "主题", "body": "内容"}
    return Feedback(**{**values, **fields})


INCOMPLETE = "答复需要填写内容、答复人和答复时间"
CONSTRAINTS = [
    ("feedback_feedback_subject_body_not_blank", {"subject": ""}, "请填写主题和具体内容"),
    ("feedback_feedback_kind_valid", {"kind": "praise"}, "请选择建议、投诉或问题"),
    ("feedback_feedback_answer_complete", {"answer": "已处理"}, INCOMPLETE),
    ("feedback_feedback_answer_complete", {"answered_at": "now"}, INCOMPLETE),
    ("feedback_feedback_answer_complete", {"answer": "已处理", "answered_by": "admin"}, INCOMPLETE),
]


@pytest.mark.parametrize(("name", "fields", "message"), CONSTRAINTS)
def test_constraint_refuses_and_explains(staff, administrator, name, fields, message):
    fields = {
        k: timezone.now() if v == "now" else administrator if v == "admin" else v
        for k, v in fields.items()
    }
    obj = build(staff, administrator, **fields)
    names = {c.name % {"app_label": "feedback", "class": "feedback"} for c in obj._meta.constraints}
    assert name in names
    with pytest.raises(ValidationError) as caught:
        obj.validate_constraints()
    assert message in messages(caught)
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()


def test_a_complete_answer_passes_the_constraints(staff, administrator):
    obj = build(staff, administrator, answer="已处理", answered_by=administrator,
                answered_at=timezone.now())  # fmt: skip
    obj.save()
    assert str(obj) == "建议 · 主题"
    assert obj.status == FeedbackStatus.ANSWERED
