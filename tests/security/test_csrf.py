"""CSRF: every URL of the project, the admin and the login/logout pages included, refuses a POST
without a CSRF token (403) and writes nothing; the same POST with the token goes through."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from .support import OWN, PASSWORD, dummy_kwargs, form_data, routes, village_file
from .test_url_scope import REGISTRY, WRITE_NAMES, owner_of, state

ROUTES = {r.route: r for r in routes() if r.name}
# Who posts to the pages without an id (staff of town A otherwise; admin pages: a superuser).
CITY_LEVEL_PAGES = {"village_import", "village_import_template"}
# Bodies that would do something if the POST got through.
BODIES = {
    "login": {"username": "staff_own", "password": PASSWORD},
    "password_change": {
        "old_password": PASSWORD,
        "new_password1": "Zx-new-pass-9731",
        "new_password2": "Zx-new-pass-9731",
    },  # fmt: skip
    "set_language": {"language": "en", "next": "/"},
    "password_reset": {"email": "someone@example.com"},
}


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root_sec", "root@example.com", PASSWORD)


def who_posts(world, superuser, name: str):
    if name.startswith("admin:"):
        return superuser
    if name in REGISTRY:
        return owner_of(world, REGISTRY[name])
    if name in CITY_LEVEL_PAGES:
        return world.reviewer
    return world.staff[OWN]


def arguments(world, route, name, client):
    if name in REGISTRY:
        return REGISTRY[name].kwargs(world, OWN, client)
    kwargs = dummy_kwargs(route)
    if "app_label" in kwargs:
        kwargs["app_label"] = "villages"
    return kwargs


def body(world, name):
    if name in REGISTRY:
        return REGISTRY[name].data(world, OWN)
    return dict(BODIES.get(name, {}))


def strict_client(client: Client) -> Client:
    """A client enforcing CSRF like a browser would meet it, sharing `client`'s session."""
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    return strict


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_post_without_csrf_token_is_refused_and_writes_nothing(request, superuser, route):
    name = ROUTES[route].name
    # The admin's pages need no township data: only a superuser (keeps the run fast).
    world = None if name.startswith("admin:") else request.getfixturevalue("world")
    user = who_posts(world, superuser, name)
    client = Client()
    client.force_login(user)
    url = reverse(name, kwargs=arguments(world, ROUTES[route], name, client))
    before = state()
    password = User.objects.get(pk=user.pk).password
    response = strict_client(client).post(url, form_data(body(world, name)))
    assert response.status_code == 403, f"POST {url} without a CSRF token"
    assert b"CSRF" in response.content
    assert state() == before
    assert User.objects.get(pk=user.pk).password == password
    assert client.get(reverse("definitions")).status_code == 200  # still signed in


def with_csrf_token(client: Client, data: dict) -> dict:
    """The token a page gives the browser (cookie + form field), as a real form sends it."""
    client.get(reverse("login"))  # renders {% csrf_token %}: sets the cookie
    return {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value}


@pytest.mark.parametrize("name", WRITE_NAMES)
def test_the_same_post_with_the_token_goes_through(world, name):
    """The positive control: the 403 above is CSRF, not the view refusing the body."""
    case = REGISTRY[name]
    client = world.client(owner_of(world, case))
    url = reverse(name, kwargs=case.kwargs(world, OWN, client))
    strict = strict_client(client)
    before = state()
    response = strict.post(url, with_csrf_token(strict, form_data(case.data(world, OWN))))
    assert response.status_code == 302, url
    assert state() != before


def test_logout_is_post_only_and_needs_the_token(world):
    client = world.client(world.staff[OWN])
    strict = strict_client(client)
    assert strict.get(reverse("logout")).status_code == 405  # a link or <img> cannot log out
    assert strict.post(reverse("logout")).status_code == 403
    assert strict.get(reverse("definitions")).status_code == 200
    response = strict.post(reverse("logout"), with_csrf_token(strict, {}))
    assert response.status_code == 302
    assert strict.get(reverse("definitions")).status_code == 302  # now signed out


def test_login_needs_the_token(world):
    client = Client(enforce_csrf_checks=True)
    data = {"username": "staff_own", "password": PASSWORD}
    assert client.post(reverse("login"), data).status_code == 403
    assert client.get(reverse("definitions")).status_code == 302  # not signed in
    response = client.post(reverse("login"), with_csrf_token(client, data))
    assert response.status_code == 302
    assert client.get(reverse("definitions")).status_code == 200


def test_the_city_level_write_pages_are_covered_too(world):
    """village_import has no id, so it is not in REGISTRY: check its CSRF pair here."""
    client = world.client(world.reviewer)
    strict = strict_client(client)
    before = state()
    assert strict.post(reverse("village_import"), form_data(file=village_file())).status_code == 403
    assert state() == before
    data = with_csrf_token(strict, form_data(file=village_file()))
    assert strict.post(reverse("village_import"), data).status_code == 302
    assert state() != before


def test_the_feedback_form_is_covered_too(world):
    """feedback_create has no id, so it is not in REGISTRY: check its CSRF pair here."""
    client = world.client(world.staff[OWN])
    strict = strict_client(client)
    body = {"kind": "suggestion", "subject": "增加批量导出", "body": "希望一次导出全部村的台账。"}
    before = state()
    assert strict.post(reverse("feedback_create"), form_data(body)).status_code == 403
    assert state() == before
    response = strict.post(reverse("feedback_create"), with_csrf_token(strict, form_data(body)))
    assert response.status_code == 302
    assert state() != before
