"""Sign-in hardening: lockout by username and address, complex passwords, sessions, CSP."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

PASSWORD = "pw-Test-2024"


def attempt(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_five_failures_lock_the_username_at_that_address(client, staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "staff_a", "wrong").status_code == 200
    assert attempt(client, "staff_a", "wrong").status_code == 429
    locked = attempt(client, "staff_a", PASSWORD)  # even the right password
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "连续 5 次登录失败" in html and "30 分钟后再试" in html
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_address_and_per_username(client, staff, make_user, settings):
    make_user("staff_b", role="乡镇填报员")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "staff_a", "wrong", ip="10.0.0.1")
    # Another address, or another user at the same address, is not locked out by the guesses.
    assert attempt(client, "staff_a", PASSWORD, ip="10.0.0.2").status_code == 302
    client.logout()
    assert attempt(client, "staff_b", PASSWORD, ip="10.0.0.1").status_code == 302


def test_the_lock_ends_after_the_cool_off(client, staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "staff_a", "wrong")
    assert attempt(client, "staff_a", PASSWORD).status_code == 429
    past = dt.datetime.now(dt.UTC) - settings.AXES_COOLOFF_TIME - dt.timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=past)
    assert attempt(client, "staff_a", PASSWORD).status_code == 302


def test_x_forwarded_for_is_not_believed_without_a_trusted_proxy(client, staff, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": "staff_a", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}",  # a new forged address per guess
        )
    assert attempt(client, "staff_a", PASSWORD, ip="10.0.0.1").status_code == 429


@pytest.mark.parametrize(
    "password", ["zhaipaitaizhang", "zhaipai2024x", "ZHAIPAI-TAIZHANG", "Ab-1"]
)
def test_weak_passwords_are_refused_in_chinese(password):
    with pytest.raises(ValidationError) as error:
        validate_password(password)
    assert any("密码" in message for message in error.value.messages)


@pytest.mark.parametrize("password", ["Zhaipai-2025", "zhaipai-2025x", "Hengzhou-2024"])
def test_passwords_mixing_three_kinds_pass(password):
    validate_password(password)


def test_sessions_end_with_the_browser_and_within_a_working_day(client, staff):
    response = attempt(client, "staff_a", PASSWORD)
    cookie = response.cookies["sessionid"]
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    assert client.session.get_expiry_age() <= 8 * 60 * 60


def test_pages_carry_a_content_security_policy_without_inline_code(client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy
