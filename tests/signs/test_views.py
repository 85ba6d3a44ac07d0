import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from signs.models import Removal, Signboard
from signs.tallies import rebuild_all_tallies


@pytest.fixture
def removed_sign(village):
    sign = Signboard.objects.create(
        village=village, kind="guidance", title="廉洁工作站", inventoried_on=dt.date(2024, 1, 2)
    )
    Removal.objects.create(signboard=sign, removed_on=dt.date(2024, 3, 1), reason="no_business")
    rebuild_all_tallies()  # written behind the services' back: today's figures by hand
    return sign


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_login_page_is_chinese(client):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "横州摘牌台账" in html and "用户名" in html and "密码" in html
    assert "cdn" not in html.lower()
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html


@pytest.mark.django_db
def test_wrong_password_says_so_in_chinese(client, staff):
    response = client.post(reverse("login"), {"username": "staff_a", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的用户名和密码" in response.content.decode()


def test_staff_lands_on_own_township(client, staff, removed_sign, other_town):
    response = client.post(
        reverse("login"), {"username": "staff_a", "password": "pw-Test-2024"}, follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("town", args=["450181100"])
    assert 'data-testid="nav-town">横州镇<' in html
    assert other_town.name not in html
    assert 'data-testid="removed">1<' in html


def test_staff_figures_exclude_other_townships(client, make_user, other_town, removed_sign):
    from villages import roles

    make_user("staff_b", role=roles.TOWN_STAFF, town=other_town)
    client.force_login(User.objects.get(username="staff_b"))
    html = client.get(reverse("home"), follow=True).content.decode()
    assert 'data-testid="nav-town">百合镇<' in html
    assert 'data-testid="removed">0<' in html


def test_reviewer_lands_on_the_city_dashboard(client, reviewer, removed_sign):
    client.force_login(User.objects.get(username="reviewer_a"))
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    html = response.content.decode()
    assert 'data-testid="removed">1<' in html
    assert 'data-testid="villages-meeting">1 / 1<' in html


def test_user_without_township_is_told(client, django_user_model):
    django_user_model.objects.create_user("lost", password="pw-Test-2024")
    client.force_login(User.objects.get(username="lost"))
    html = client.get(reverse("home")).content.decode()
    assert "尚未分配乡镇" in html
    assert 'data-testid="removed"' not in html


def test_english_is_available(client, staff):
    client.force_login(User.objects.get(username="staff_a"))
    response = client.get(reverse("home"), headers={"accept-language": "en"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Signs removed" in html and "Meets the standard" in html


def test_password_change_in_chinese(client, staff):
    client.force_login(User.objects.get(username="staff_a"))
    page = client.get(reverse("password_change")).content.decode()
    assert "修改密码" in page and "旧密码" in page and 'class="form-control"' in page
    weak = client.post(reverse("password_change"), {
        "old_password": "pw-Test-2024", "new_password1": "123", "new_password2": "123",
    })  # fmt: skip
    assert "密码只包含数字" in weak.content.decode()
    done = client.post(reverse("password_change"), {
        "old_password": "pw-Test-2024", "new_password1": "Zhaipai-2025!x",
        "new_password2": "Zhaipai-2025!x",
    }, follow=True)  # fmt: skip
    assert "您的密码已修改" in done.content.decode()
    staff.refresh_from_db()
    assert staff.check_password("Zhaipai-2025!x")
