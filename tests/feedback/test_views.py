"""The 意见建议 pages: who may do what, what each sees, one-time tokens, bad input."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from feedback.models import Feedback
from feedback.services import feedback_answer
from tests.helpers import with_token
from utilities.models import SubmittedForm
from villages.models import AuditEntry

pytestmark = pytest.mark.django_db

LIST, NEW = reverse("feedback_list"), reverse("feedback_create")
GOOD = {"kind": "problem", "subject": "照片上传太慢", "body": "村部信号弱，上传要一分钟。"}


def detail(feedback):
    return reverse("feedback_detail", args=[feedback.pk])


def answer_url(feedback):
    return reverse("feedback_answer", args=[feedback.pk])


def login(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def item(staff, send):
    return send(staff, subject="希望增加批量导出", body="一次导出全部村的台账。")


# --- who may open what ------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_everywhere(client, item):
    for url in (LIST, NEW, detail(item), answer_url(item)):
        for response in (client.get(url), client.post(url, with_token(GOOD, answer="答复"))):
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("login")), url
    assert Feedback.objects.count() == 1
    assert not AuditEntry.objects.filter(action="feedback.answer").exists()


def test_another_users_item_is_a_404(client, item, staff_b, reviewer):
    for user in (staff_b, reviewer):
        login(client, user)
        assert client.get(detail(item)).status_code == 404
        assert "希望增加批量导出" not in text(client.get(LIST))


def test_the_sender_sees_their_item_without_an_answer_form(client, item, staff):
    response = login(client, staff).get(detail(item))
    assert response.status_code == 200
    assert response.context["feedback"] == item
    assert response.context["form"] is None
    html = text(response)
    assert "一次导出全部村的台账。" in html and "尚未答复" in html
    assert 'data-testid="answer-form"' not in html


@pytest.mark.parametrize("who", ["staff", "reviewer", "staff_b"])
def test_only_the_administrator_may_answer_others_get_a_404(request, client, item, who):
    login(client, request.getfixturevalue(who))
    response = client.post(answer_url(item), with_token(answer="我来答复"))
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.answered_at is None
    assert not SubmittedForm.objects.exists()


def test_the_detail_page_takes_no_post(client, item, administrator):
    response = login(client, administrator).post(detail(item), with_token(answer="答复"))
    assert response.status_code == 405
    assert Feedback.objects.get().answer == ""


# --- sending ----------------------------------------------------------------------------------


def test_the_form_opens_on_a_suggestion_with_a_fresh_token(client, staff):
    first = login(client, staff).get(NEW)
    second = client.get(NEW)
    assert first.context["form"]["kind"].value() == "suggestion"
    tokens = {r.context["form"]["form_token"].value() for r in (first, second)}
    assert len(tokens) == 2


def test_sending_creates_the_item_and_shows_it(client, staff, town):
    response = login(client, staff).post(NEW, with_token(GOOD))
    feedback = Feedback.objects.get()
    assert response.status_code == 302
    assert response.url == detail(feedback)
    assert (feedback.author, feedback.town, feedback.kind) == (staff, town, "problem")
    assert AuditEntry.objects.filter(action="feedback.create", actor=staff).count() == 1
    page = client.get(response.url)
    assert "已提交" in text(page)
    assert "照片上传太慢" in text(client.get(LIST))


def test_a_double_tap_sends_once(client, staff):
    data = with_token(GOOD)
    login(client, staff)
    assert client.post(NEW, data).status_code == 302
    again = client.post(NEW, data, follow=True)
    assert Feedback.objects.count() == 1
    assert AuditEntry.objects.filter(action="feedback.create").count() == 1
    assert "该表单已保存过，没有重复保存" in text(again)


@pytest.mark.parametrize("token", [None, "not-a-uuid"], ids=["missing", "garbled"])
def test_a_stale_token_is_explained_and_nothing_is_written(client, staff, token):
    data = dict(GOOD) if token is None else {**GOOD, "form_token": token}
    response = login(client, staff).post(NEW, data)
    assert response.status_code == 200
    assert "表单已过期，请刷新页面后重试" in text(response)
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"subject": "   "}, "请填写主题"),
        ({"body": " \r\n "}, "请写下您的建议或遇到的问题"),
        ({"subject": "长" * 101}, "不超过 100 字符"),
        ({"body": "长" * 2001}, "不超过 2000 字符"),
        ({"kind": "praise"}, "选择一个有效的选项"),
    ],
    ids=["blank-subject", "blank-body", "long-subject", "long-body", "unknown-kind"],
)
def test_bad_input_comes_back_in_chinese_and_nothing_is_written(client, staff, fields, message):
    data = with_token(GOOD, **fields)
    response = login(client, staff).post(NEW, data)
    assert response.status_code == 200
    assert message in text(response)
    assert not Feedback.objects.exists()
    assert not SubmittedForm.objects.exists()  # the token stays usable for the corrected form
    corrected = {**data, **{k: GOOD[k] for k in fields}}
    assert client.post(NEW, corrected).status_code == 302
    assert Feedback.objects.count() == 1


def test_the_form_marks_its_limits_for_the_browser(client, staff):
    html = text(login(client, staff).get(NEW))
    assert 'maxlength="100"' in html and 'maxlength="2000"' in html


# --- answering --------------------------------------------------------------------------------


def test_the_administrator_answers_and_the_sender_sees_it(client, item, staff, administrator):
    page = login(client, administrator).get(detail(item))
    assert 'data-testid="answer-form"' in text(page)
    response = client.post(answer_url(item), with_token(answer="已在下个版本增加。"))
    assert response.status_code == 302 and response.url == detail(item)
    item.refresh_from_db()
    assert (item.answer, item.answered_by) == ("已在下个版本增加。", administrator)
    entry = AuditEntry.objects.get(action="feedback.answer")
    assert entry.actor == administrator and entry.before["answer"] == ""

    login(client, staff)
    html = text(client.get(detail(item)))
    assert "已在下个版本增加。" in html and "已答复" in html
    listed = client.get(LIST)
    assert "已在下个版本增加。" in text(listed)
    assert f'data-testid="feedback-status-{item.pk}">已答复' in text(listed)


def test_changing_the_answer_is_audited_with_before_and_after(client, item, administrator):
    feedback_answer(feedback=item, user=administrator, answer="下个版本增加。")
    login(client, administrator)
    form = client.get(detail(item)).context["form"]
    assert form["answer"].value() == "下个版本增加。"  # the current answer, to edit
    response = client.post(answer_url(item), with_token(answer="已在 3 月版本增加。"))
    assert response.status_code == 302
    change = AuditEntry.objects.filter(action="feedback.answer").order_by("pk").last()
    assert change.before["answer"] == "下个版本增加。"
    assert change.after["answer"] == "已在 3 月版本增加。"


def test_a_blank_answer_comes_back_on_the_page_and_nothing_is_written(client, item, administrator):
    data = with_token(answer="  \n ")
    response = login(client, administrator).post(answer_url(item), data)
    assert response.status_code == 200
    assert response.context["feedback"] == item
    assert "请填写答复内容" in text(response)
    item.refresh_from_db()
    assert item.answered_at is None
    assert not SubmittedForm.objects.exists()
    assert client.post(answer_url(item), {**data, "answer": "收到。"}).status_code == 302


def test_an_answer_sent_twice_is_saved_once(client, item, administrator):
    data = with_token(answer="收到。")
    login(client, administrator)
    client.post(answer_url(item), data)
    again = client.post(answer_url(item), data, follow=True)
    assert "该表单已保存过，没有重复保存" in text(again)
    changed = client.post(answer_url(item), {**data, "answer": "收到，谢谢。"})
    assert changed.status_code == 200 and "本次没有保存" in text(changed)  # refused, not merged
    assert Feedback.objects.get().answer == "收到。"
    assert AuditEntry.objects.filter(action="feedback.answer").count() == 1


# --- the list ---------------------------------------------------------------------------------


@pytest.fixture
def many(staff, staff_b, reviewer, administrator, send):
    """30 items of three senders, every third answered."""
    items = []
    for n in range(30):
        author = (staff, staff_b, reviewer)[n % 3]
        feedback = send(author, subject=f"第{n}条建议", kind=("suggestion", "complaint")[n % 2])
        if n % 3 == 0:
            feedback_answer(feedback=feedback, user=administrator, answer=f"第{n}条已答复")
        items.append(feedback)
    return items


def subjects(response) -> list[str]:
    return [f.subject for f in response.context["page"].object_list]


def test_the_administrator_sees_everyone_open_first(client, many, administrator):
    response = login(client, administrator).get(LIST)
    page = response.context["page"]
    assert page.paginator.count == 30
    shown = list(page.object_list)
    assert [f.answered_at for f in shown[:20]] == [None] * 20  # the 20 open ones fill page 1
    assert response.context["counts"] == {"open": 20, "answered": 10}
    html = text(response)
    assert "staff_b" in html and "百合镇" in html  # who sent it, from which township
    assert 'href="?page=2"' in html


def test_a_sender_lists_only_their_own(client, many, staff):
    response = login(client, staff).get(LIST)
    assert response.context["page"].paginator.count == 10
    assert all(f.author_id == staff.pk for f in response.context["page"].object_list)
    assert response.context["counts"] == {"open": 0, "answered": 10}
    assert "town" not in response.context["filter"].form.fields  # no township filter to offer


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({"status": "open"}, 20),
        ({"status": "answered"}, 10),
        ({"status": "answered", "kind": "complaint"}, 5),
        ({"town": "450181101"}, 10),
        ({"q": "第12条"}, 1),
        ({"q": "第12条已答复"}, 1),  # the answer is searched too
    ],
)
def test_the_administrator_filters(client, many, administrator, query, count):
    response = login(client, administrator).get(LIST, query)
    assert response.context["page"].paginator.count == count


def test_the_pager_keeps_the_filter(client, many, administrator):
    html = text(login(client, administrator).get(LIST, {"q": "条建议"}))
    assert f'href="?{urlencode({"q": "条建议"})}&amp;page=2"' in html


def test_a_sender_cannot_widen_the_list_with_filters(client, many, staff):
    response = login(client, staff).get(LIST, {"town": "450181101", "q": "第1条"})
    assert response.context["page"].paginator.count == 10


@pytest.mark.parametrize("who", ["administrator", "staff"])
def test_list_queries_do_not_grow_with_the_items(
    request, client, many, who, django_assert_max_num_queries
):
    login(client, request.getfixturevalue(who))
    # session, user, groups, township, page count, status counts, (townships), the page
    with django_assert_max_num_queries(8):
        response = client.get(LIST, {"status": "", "kind": ""})
    assert len(response.context["page"].object_list) == (20 if who == "administrator" else 10)


def test_empty_list_says_so_and_offers_the_form(client, staff):
    html = text(login(client, staff).get(LIST))
    assert "还没有提出过意见建议" in html
    assert f'href="{NEW}"' in html


# --- the footer link --------------------------------------------------------------------------


def test_every_signed_in_page_links_here_from_the_footer(client, staff):
    html = text(login(client, staff).get(reverse("password_change")))
    footer = html[html.index("<footer") :]
    assert f'href="{LIST}"' in footer and "意见建议" in footer
    assert footer.index("修改密码") < footer.index("意见建议")


def test_the_login_page_has_no_footer_link(client):
    assert f'href="{LIST}"' not in text(client.get(reverse("login")))
