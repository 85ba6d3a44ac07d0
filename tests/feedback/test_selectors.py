"""Who sees and answers which suggestions (feedback.access, feedback.selectors)."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from feedback.access import can_answer
from feedback.models import Feedback
from feedback.selectors import answerable_feedback, status_counts, visible_feedback
from feedback.services import feedback_answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(staff, staff_b, reviewer, administrator, send):
    """Two of staff A's (one answered), one of staff B's, one of the reviewer's."""
    mine = send(staff, subject="A 的建议")
    answered = send(staff, subject="A 的投诉", kind="complaint")
    feedback_answer(feedback=answered, user=administrator, answer="已处理。")
    theirs = send(staff_b, subject="B 的问题", kind="problem")
    reviewers = send(reviewer, subject="审核员的建议")
    return {"mine": mine, "answered": answered, "theirs": theirs, "reviewers": reviewers}


@pytest.mark.parametrize(
    ("who", "expected"),
    [("staff", False), ("reviewer", False), ("administrator", True)],
)
def test_can_answer_is_the_system_administrators(request, who, expected):
    assert can_answer(request.getfixturevalue(who)) is expected


def test_superusers_answer_and_anonymous_users_do_not(django_user_model):
    root = django_user_model.objects.create_superuser("root_fb", "root@example.com", "x")
    assert can_answer(root)
    assert not can_answer(AnonymousUser())


def test_a_sender_sees_only_their_own(items, staff, staff_b, reviewer):
    assert set(visible_feedback(staff)) == {items["mine"], items["answered"]}
    assert set(visible_feedback(staff_b)) == {items["theirs"]}
    # Reviewers see every township's signs, but here they are ordinary senders.
    assert set(visible_feedback(reviewer)) == {items["reviewers"]}
    assert not visible_feedback(AnonymousUser()).exists()


def test_the_administrator_sees_all_open_first_then_the_latest(items, administrator):
    Feedback.objects.filter(pk=items["mine"].pk).update(
        created_at=items["mine"].created_at - dt.timedelta(days=3)
    )
    order = list(visible_feedback(administrator))
    assert order == [items["reviewers"], items["theirs"], items["mine"], items["answered"]]


def test_only_the_administrator_may_answer_anything(items, staff, reviewer, administrator):
    assert answerable_feedback(administrator).count() == 4
    assert not answerable_feedback(staff).exists()  # not even their own
    assert not answerable_feedback(reviewer).exists()


def test_status_counts(items, staff, administrator, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert status_counts(items=visible_feedback(administrator)) == {"open": 3, "answered": 1}
    assert status_counts(items=visible_feedback(staff)) == {"open": 1, "answered": 1}
