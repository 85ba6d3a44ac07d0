"""长辈模式: the footer switch, saved per user, carried in the session, no query per page."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from villages import roles
from villages.display import SESSION_KEY
from villages.models import DisplaySettings

URL = reverse("large_text")
PASSWORD = "pw-Test-2024"


def switch(client, on: bool, next_url="/definitions/"):
    return client.post(URL, {"on": "1" if on else "0", "next": next_url})


def html_class(response) -> bool:
    return '<html lang="zh-hans" class="large-text">' in response.content.decode()


@pytest.fixture
def staffer(make_user, town):
    return make_user("staff_big", role=roles.TOWN_STAFF, town=town)


def sign_in(username):
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_switching_on_is_saved_for_the_user_and_shown_on_every_page(staffer, town):
    client = sign_in("staff_big")
    response = switch(client, True, next_url=f"/t/{town.code}/")
    assert response.status_code == 302 and response.url == f"/t/{town.code}/"
    assert DisplaySettings.objects.get(user=staffer).large_text is True
    page = client.get(f"/t/{town.code}/")
    assert html_class(page)
    assert 'aria-pressed="true"' in page.content.decode()
    assert "长辈模式：已开启" in page.content.decode()
    switch(client, False)
    assert DisplaySettings.objects.get(user=staffer).large_text is False
    assert not html_class(client.get(f"/t/{town.code}/"))


def test_the_choice_follows_the_user_to_a_new_sign_in(staffer, town):
    switch(sign_in("staff_big"), True)
    other_device = sign_in("staff_big")
    assert other_device.session[SESSION_KEY] is True
    assert html_class(other_device.get(f"/t/{town.code}/"))


def test_another_user_on_the_same_browser_gets_their_own_choice(staffer, make_user, town):
    make_user("staff_small", role=roles.TOWN_STAFF, town=town)
    DisplaySettings.objects.create(user=User.objects.get(username="staff_small"))
    client = sign_in("staff_big")
    switch(client, True)
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "staff_small", "password": PASSWORD})
    assert not html_class(client.get(f"/t/{town.code}/"))


def test_anonymous_sign_in_page_keeps_it_for_the_session_only(db):
    client = Client()
    switch(client, True, next_url=reverse("login"))
    assert html_class(client.get(reverse("login")))
    assert DisplaySettings.objects.count() == 0


def test_only_post_and_only_back_to_this_site(staffer):
    client = sign_in("staff_big")
    assert client.get(URL).status_code == 405
    response = switch(client, True, next_url="https://evil.example/")
    assert response.url == "/"
    response = switch(client, True, next_url="//evil.example/x")
    assert response.url == "/"


def test_reading_the_choice_costs_no_query(staffer, town):
    client = sign_in("staff_big")
    client.get(f"/t/{town.code}/")  # warm caches of the page itself
    off = _queries(client, f"/t/{town.code}/")
    switch(client, True)
    assert _queries(client, f"/t/{town.code}/") == off


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)
