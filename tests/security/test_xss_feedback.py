"""XSS on the 意见建议 pages: the subject, details and answer come out escaped, for the sender
and for the administrator, beside the sender's name and township."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from feedback.models import Feedback

from .support import OWN
from .test_xss import assert_escaped, texts  # noqa: F401  (the payload in every field)

EXTRA = {"subject": "题", "body": "内容", "answer": "答"}


@pytest.fixture
def feedback(world, texts):  # noqa: F811
    for field, suffix in EXTRA.items():
        texts[field] = texts.payload + suffix
    return Feedback.objects.create(
        author=world.staff[OWN],
        town=world.towns[OWN],
        subject=texts["subject"],
        body=texts["body"],
        answer=texts["answer"],
        answered_by=world.administrator,
        answered_at=timezone.now(),
    )


PAGES = {
    # name: (url builder, who looks, the fields the page shows)
    "list_sender": (lambda f: reverse("feedback_list"), "staff", ["subject", "answer"]),
    "list_administrator": (lambda f: reverse("feedback_list"), "administrator",
                           ["subject", "answer", "person", "town"]),
    "detail_sender": (lambda f: reverse("feedback_detail", args=[f.pk]), "staff",
                      ["subject", "body", "answer", "town"]),
    "detail_administrator": (lambda f: reverse("feedback_detail", args=[f.pk]), "administrator",
                             ["subject", "body", "answer", "person", "town"]),
    # The search box shows the typed text back: the payload itself.
    "search_administrator": (lambda f: reverse("feedback_list") + "?" + urlencode({"q": f.subject}),
                             "administrator", ["subject", "answer"]),
}  # fmt: skip


@pytest.mark.parametrize("page", sorted(PAGES))
def test_feedback_pages_show_user_text_escaped(world, texts, feedback, page):  # noqa: F811
    build, who, fields = PAGES[page]
    user = world.administrator if who == "administrator" else world.staff[OWN]
    response = world.client(user).get(build(feedback))
    assert response.status_code == 200
    assert_escaped(response.content.decode(), texts, fields)


def test_the_answer_form_holds_the_current_answer_escaped(world, texts, feedback):  # noqa: F811
    """The textarea that holds the answer for a change escapes it too: shown twice, raw never."""
    url = reverse("feedback_detail", args=[feedback.pk])
    html = world.client(world.administrator).get(url).content.decode()
    assert texts.payload not in html
    assert html.count(escape(texts["answer"])) == 2
