"""The assessment pages: who sees what, the weights and remarks forms, the 台账 sheet."""

import datetime as dt
import io
import uuid
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from supervision.models import AssessmentRemark, AssessmentWeight
from supervision.selectors.assessment import weights
from tests.helpers import with_token
from villages import roles
from villages.models import AuditEntry, Town

from .test_assessment_selectors import data  # noqa: F401 (the hand-built data set)

URL = reverse("assessment")
WEIGHTS_URL = reverse("assessment_weights")
GOOD = {"progress": 40, "meeting": 20, "no_rebound": 10, "work_on_time": 10, "findings_closed": 20}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)  # axes breaks Client.login
    return client


def remarks_url(town, year=2024) -> str:
    return reverse("assessment_remarks", args=[year, town.code])


@pytest.fixture
def administrator(make_user):
    return make_user("admin_city", role=roles.SYSTEM_ADMIN)


@pytest.fixture
def b_staff(make_user, data):  # noqa: F811
    return make_user("staff_b", role=roles.TOWN_STAFF, town=data.b)


# --- the assessment page ------------------------------------------------------------------------


@pytest.mark.parametrize("url", [URL, WEIGHTS_URL, "remarks"])
def test_anonymous_goes_to_login(data, url):  # noqa: F811
    url = remarks_url(data.a) if url == "remarks" else url
    for response in (Client().get(url), Client().post(url, with_token(remarks="x"))):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_reviewer_sees_every_township_ranked(reviewer, data, django_assert_max_num_queries):  # noqa: F811
    client = client_for(reviewer)
    client.get(URL)  # warm the session and permission caches
    with django_assert_max_num_queries(16):
        response = client.get(URL, {"year": 2024})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 17 and response.context["ranked"] == 17
    assert [row.rank for row in rows] == sorted(row.rank for row in rows)
    assert rows[0].town == data.b and rows[0].score == Decimal("85.0")
    assert rows[-1].town == data.a and rows[-1].rank == 17
    html = response.content.decode()
    assert "2024年度考核评议" in html
    assert "成效明显" in html  # 百合镇's remarks
    assert reverse("assessment_weights") in html
    assert remarks_url(data.a) in html


def test_staff_see_only_their_own_line_ranked_among_all(b_staff, data):  # noqa: F811
    response = client_for(b_staff).get(URL, {"year": 2024})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(row.town, row.rank) for row in rows] == [(data.b, 1)]
    assert response.context["ranked"] == 17
    html = response.content.decode()
    assert data.a.name not in html.split('data-testid="assessment-table"')[1]
    assert reverse("assessment_weights") not in html
    assert "/remarks/" not in html


def test_staff_of_the_last_township_see_their_rank(make_user, data):  # noqa: F811
    staff = make_user("staff_a", role=roles.TOWN_STAFF, town=data.a)
    rows = client_for(staff).get(URL, {"year": 2024}).context["rows"]
    assert [(row.town, row.rank, row.score) for row in rows] == [(data.a, 17, Decimal("57.5"))]


def test_user_without_township_or_city_role_gets_404(make_user, data):  # noqa: F811
    nobody = make_user("nobody", role=roles.AUDIT_ADMIN)
    assert client_for(nobody).get(URL).status_code == 404


def test_year_defaults_to_the_latest_year_with_removals_and_refuses_the_future(reviewer, data):  # noqa: F811
    """The data's removals are in 2024: the page opens on 2024, shown in the year field."""
    client = client_for(reviewer)
    this_year = timezone.localdate().year
    response = client.get(URL)
    assert response.context["year"] == 2024
    assert response.context["form"]["year"].value() == 2024
    assert response.context["as_of"] == dt.date(2024, 12, 31)
    response = client.get(URL, {"year": this_year + 1})
    assert response.context["year"] == 2024
    assert "年度不能晚于今年" in response.content.decode()
    assert response.context["form"]["year"].value() == str(this_year + 1)  # kept as typed


def test_year_is_this_year_before_any_removal(reviewer, fixtures_loaded):
    client = client_for(reviewer)
    response = client.get(URL)
    assert response.context["year"] == timezone.localdate().year
    assert response.context["as_of"] == timezone.localdate()
    assert f'value="{timezone.localdate().year}"' in response.content.decode()


# --- the 台账 ------------------------------------------------------------------------------------


def sheet_of(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return workbook.worksheets[0]


def test_export_is_the_ranked_ledger_sheet(reviewer, data, settings):  # noqa: F811
    settings.SITE_UNIT_NAME = "中共横州市委组织部"
    ws = sheet_of(client_for(reviewer).get(URL, {"year": 2024, "_export": "xlsx"}))
    assert ws.title == "2024年度考核评议"
    assert ws["A1"].value == "2024年度各乡镇牌子清理规范工作考核评议表"
    assert ws["A2"].value == "填报单位：中共横州市委组织部"
    headers = [cell.value for cell in ws[3]]
    assert headers[:2] == ["序号", "乡镇"]
    assert headers[2].startswith("摘牌进度(%)") and "权重30" in headers[2]
    assert headers[6].startswith("调研问题整改完成率(%)") and "权重15" in headers[6]
    assert headers[7:] == ["反弹数", "得分", "排名", "评议意见"]
    rows = {r[1]: r for r in ws.iter_rows(min_row=4, max_row=20, values_only=True)}
    assert len(rows) == 17
    assert rows["百合镇"][0] == 1  # 序号
    assert rows["百合镇"][8:] == (85.0, 1, "成效明显")
    assert rows["横州镇"][2:] == (83.3, 50.0, 50.0, 50.0, 33.3, 1, 57.5, 17, None)
    assert ws.freeze_panes == "B4"
    assert any(cell.value == "填报人：" for row in ws.iter_rows(min_row=21) for cell in row)


def test_staff_export_has_their_own_line_only(b_staff, data):  # noqa: F811
    ws = sheet_of(client_for(b_staff).get(URL, {"year": 2024, "_export": "xlsx"}))
    data_rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[0] == 1]
    assert [r[1] for r in data_rows] == ["百合镇"]
    assert ws.cell(row=5, column=2).value is None  # nothing after the one line


# --- the weights --------------------------------------------------------------------------------


def test_weights_page_is_for_reviewers_only(data, b_staff, administrator):  # noqa: F811
    for user in (b_staff, administrator):
        client = client_for(user)
        assert client.get(WEIGHTS_URL).status_code == 404
        assert client.post(WEIGHTS_URL, with_token(GOOD)).status_code == 404
    assert AssessmentWeight.objects.get(indicator="progress").weight == 30


def test_reviewer_changes_the_weights_and_the_scores_follow(reviewer, data):  # noqa: F811
    client = client_for(reviewer)
    page = client.get(WEIGHTS_URL, {"year": 2024})
    assert page.status_code == 200
    assert page.context["form"]["progress"].value() == 30
    response = client.post(
        f"{WEIGHTS_URL}?year=2024",
        with_token(progress=0, meeting=0, no_rebound=0, work_on_time=100, findings_closed=0),
    )
    assert response.status_code == 302 and response.url == f"{URL}?year=2024"
    assert weights()["work_on_time"] == 100
    rows = client.get(URL, {"year": 2024}).context["rows"]
    assert rows[0].score == Decimal("100.0") and rows[0].rank == 1
    assert [r.rank for r in rows if r.town == data.b] == [17]  # its one item was late


def test_weights_that_do_not_add_up_are_refused_in_chinese(reviewer, data):  # noqa: F811
    response = client_for(reviewer).post(WEIGHTS_URL, with_token({**GOOD, "progress": 30}))
    assert response.status_code == 200
    assert "各项权重之和须为 100（现为 90）" in response.content.decode()
    assert weights()["progress"] == 30 and weights()["meeting"] == 25


def test_weight_out_of_range_is_a_field_error(reviewer, data):  # noqa: F811
    response = client_for(reviewer).post(WEIGHTS_URL, with_token({**GOOD, "meeting": 101}))
    assert response.status_code == 200
    assert response.context["form"].errors["meeting"]
    assert weights()["meeting"] == 25


def test_weights_form_is_saved_once(reviewer, data):  # noqa: F811
    client = client_for(reviewer)
    body = with_token(GOOD)
    assert client.post(WEIGHTS_URL, body).status_code == 302
    audits = AuditEntry.objects.filter(action="assessment.weights").count()
    assert client.post(WEIGHTS_URL, body).status_code == 302  # resent as it was: saved already
    # The same form token with other weights is refused, not merged.
    again = client.post(WEIGHTS_URL, {**body, "progress": 30, "findings_closed": 30})
    assert again.status_code == 200 and "本次没有保存" in again.content.decode()
    assert weights() == GOOD  # the resent forms wrote nothing
    assert AuditEntry.objects.filter(action="assessment.weights").count() == audits


# --- the remarks --------------------------------------------------------------------------------


def test_reviewer_writes_and_rewrites_remarks(reviewer, data):  # noqa: F811
    client = client_for(reviewer)
    page = client.get(remarks_url(data.a))
    assert page.status_code == 200
    assert page.context["row"].rank == 17 and page.context["ranked"] == 17
    assert "57.5" in page.content.decode()
    response = client.post(remarks_url(data.a), with_token(remarks="反弹问题已整改，继续巩固。"))
    assert response.status_code == 302 and response.url == f"{URL}?year=2024"
    assert (
        AssessmentRemark.objects.get(town=data.a, year=2024).remarks == "反弹问题已整改，继续巩固。"
    )
    page = client.get(remarks_url(data.a))
    assert page.context["form"]["remarks"].value() == "反弹问题已整改，继续巩固。"
    client.post(remarks_url(data.a), with_token(remarks="已复核。"))
    assert AssessmentRemark.objects.get(town=data.a, year=2024).remarks == "已复核。"
    assert AuditEntry.objects.filter(action="assessment.remark", town=data.a).count() == 2
    listed = client.get(URL, {"year": 2024}).context["rows"]
    assert [r.remarks for r in listed if r.town == data.a] == ["已复核。"]


def test_blank_remarks_are_refused(reviewer, data):  # noqa: F811
    response = client_for(reviewer).post(remarks_url(data.a), with_token(remarks="   "))
    assert response.status_code == 200
    assert response.context["form"].errors["remarks"]
    assert not AssessmentRemark.objects.filter(town=data.a, year=2024).exists()


def test_staff_get_404_on_remarks_even_of_their_own_township(b_staff, data):  # noqa: F811
    client = client_for(b_staff)
    for town in (data.b, data.a):
        assert client.get(remarks_url(town)).status_code == 404
        assert client.post(remarks_url(town), with_token(remarks="自评")).status_code == 404
    assert AssessmentRemark.objects.get(town=data.b, year=2024).remarks == "成效明显"
    assert not AssessmentRemark.objects.filter(town=data.a, year=2024).exists()


def test_administrator_reads_remarks_but_cannot_write(administrator, data):  # noqa: F811
    client = client_for(administrator)
    page = client.get(remarks_url(data.b))
    assert page.status_code == 200 and page.context["form"] is None
    assert "成效明显" in page.content.decode()
    assert client.post(remarks_url(data.b), with_token(remarks="改")).status_code == 404
    assert AssessmentRemark.objects.get(town=data.b, year=2024).remarks == "成效明显"


@pytest.mark.parametrize("year", [1999, "future"])
def test_remarks_of_an_impossible_year_are_404(reviewer, data, year):  # noqa: F811
    year = timezone.localdate().year + 1 if year == "future" else year
    assert client_for(reviewer).get(remarks_url(data.a, year)).status_code == 404


def test_remarks_of_an_unknown_township_are_404(reviewer, data):  # noqa: F811
    url = reverse("assessment_remarks", args=[2024, "999999999"])
    assert client_for(reviewer).get(url).status_code == 404


def test_remarks_form_is_saved_once(reviewer, data):  # noqa: F811
    client = client_for(reviewer)
    body = with_token(remarks="第一次")
    client.post(remarks_url(data.a), body)
    client.post(remarks_url(data.a), {**body, "remarks": "第二次"})
    assert AssessmentRemark.objects.get(town=data.a, year=2024).remarks == "第一次"


def test_remarks_are_escaped(reviewer, data):  # noqa: F811
    client = client_for(reviewer)
    client.post(remarks_url(data.a), with_token(remarks="<script>alert(1)</script>"))
    html = client.get(URL, {"year": 2024}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    Town.objects.filter(pk=data.a.pk).update(name="=HYPERLINK(1)")
    ws = sheet_of(client.get(URL, {"year": 2024, "_export": "xlsx"}))
    cell = next(row[1] for row in ws.iter_rows(min_row=4) if row[1].value == "=HYPERLINK(1)")
    assert cell.data_type == "s"  # text, never a live formula


def test_form_tokens_are_fresh_per_page(reviewer, data):  # noqa: F811
    client = client_for(reviewer)
    tokens = {client.get(WEIGHTS_URL).context["form"]["form_token"].value() for _ in range(2)}
    assert len(tokens) == 2 and all(uuid.UUID(str(t)) for t in tokens)


def test_rates_with_nothing_to_count_read_as_a_dash_on_the_page_and_in_the_ledger(
    reviewer,
    data,  # noqa: F811
):
    client = client_for(reviewer)
    response = client.get(URL, {"year": 2024})
    row = next(r for r, _shorts in response.context["lines"] if r.town == data.c)
    shorts = dict(next(s for r, s in response.context["lines"] if r.town == data.c))
    assert list(shorts.values())[2:] == [None, None, None]
    html = response.content.decode()
    assert html.count(">—</td>") >= 3
    ws = sheet_of(client.get(URL, {"year": 2024, "_export": "xlsx"}))
    line = next(r for r in ws.iter_rows(min_row=4, values_only=True) if r[1] == data.c.name)
    assert line[2:7] == (100.0, 0.0, "—", "—", "—")
    assert line[8] == float(row.score)
