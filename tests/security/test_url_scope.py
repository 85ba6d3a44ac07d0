"""Every URL that takes an id: another township's id is a 404 and writes nothing.

The URL conf is walked, so a new URL with an argument fails
`test_every_url_with_an_id_has_a_security_case` until it has an entry in REGISTRY below.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from signs.models import Removal, Signboard
from villages import roles

from . import (
    cases_assessment,
    cases_feedback,
    cases_jobs,
    cases_review,
    cases_visits,
    cases_worklists,
)
from .cases import (
    ADMINISTRATOR,
    DENIED,
    GET_POST,
    POST,
    READS,
    REVIEWER,
    SEPARATELY_TESTED,
    STAFF,
    WRITES,
    Case,
)
from .support import (
    OTHER,
    OWN,
    form_data,
    is_login_redirect,
    pending_sign_import,
    pending_village_import,
    pending_wall_reading,
    pending_word_mapping,
    routes,
    send,
    sign_file,
    snapshot,
    village_file,
    wall_photo,
)

# --- how each URL is pointed at a township's object -------------------------------------------
# A builder gets (world, side, client): side is OWN (town A) or OTHER (town B); client is the
# logged-in client of whoever will request the URL (None when anonymous), for ids that only
# exist in a session (the import previews).


def town_code(w, side, client=None):
    return {"code": w.towns[side].code}


def village_code(w, side, client=None):
    return {"code": w.villages[side].code}


def sign_pk(w, side, client=None):
    return {"pk": w.signs[side].pk}


def removal_pk(w, side, client=None):
    return {"pk": w.removals[side].pk}


def sign_import_token(w, side, client=None):
    """Town `side`'s code with a real pending upload: of that township where the user may
    import it, else of the user's own township (the strongest attempt a staffer can make)."""
    token = None
    if client is not None:
        token = pending_sign_import(client, w.villages[side]) or pending_sign_import(
            client, w.villages[OWN]
        )
    return {"code": w.towns[side].code, "token": token or uuid.uuid4()}


def word_mapping_token(w, side, client=None):
    """Like sign_import_token, for an upload waiting on its mapping step (an unknown word)."""
    token = None
    if client is not None:
        token = pending_word_mapping(client, w.villages[side]) or pending_word_mapping(
            client, w.villages[OWN]
        )
    return {"code": w.towns[side].code, "token": token or uuid.uuid4()}


def word_mapping_data(w, side):
    return {"word_0": "guidance"}


def wall_reading_token(w, side, client=None):
    """Village `side`'s code with a real pending 拍照识牌 reading: of that village where the
    user may add signs, else of the user's own village."""
    token = None
    if client is not None:
        token = pending_wall_reading(client, w.villages[side]) or pending_wall_reading(
            client, w.villages[OWN]
        )
    return {"code": w.villages[side].code, "token": token or uuid.uuid4()}


def wall_photo_token(w, side, client=None):
    return {**wall_reading_token(w, side, client), "index": 0}


def village_import_token(w, side, client=None):
    token = pending_village_import(client) if client is not None else None
    return {"token": token or uuid.uuid4()}


# POST bodies that would write if the view let the request through.


def sign_data(w, side):
    return {
        "title": "新挂牌子",
        "kind": "other",
        "location": "一楼",
        "inventoried_on": "2024-01-02",
    }


def removal_data(w, side):
    return {"removed_on": "2024-03-02", "reason": "no_business", "note": "已摘"}


def bulk_data(w, side):
    return {**removal_data(w, side), "signboards": [w.signs[side].pk]}


def revoke_data(w, side):
    return {"reason": "登记错了"}


def sign_import_data(w, side):
    return {"file": sign_file(w.villages[side], title="导入的牌子")}


def wall_photo_data(w, side):
    return {"location": "一楼", "photos": wall_photo()}


def wall_confirm_data(w, side):
    entry = {"selected": "on", "title": "廉洁工作站", "kind": "organization", "photo": "0"}
    return {
        "location": "一楼",
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        **{f"form-0-{k}": v for k, v in entry.items()},
    }


def village_import_data(w, side):
    return {"file": village_file()}


# Adding a URL with an argument: one entry here (and a builder above if the id is new).
REGISTRY: dict[str, Case] = {
    "town": Case(town_code),
    "village": Case(village_code),
    "village_qr": Case(village_code),
    "village_qr_svg": Case(village_code),
    "village_book": Case(village_code),
    "village_book_pdf": Case(village_code),
    "town_books": Case(town_code),
    "town_books_pdf": Case(town_code),
    "signboard_history": Case(sign_pk),
    "village_history": Case(village_code),
    # The activity log is for city-level users only: staff get 404 even in their own township.
    "town_activity": Case(town_code, owner=REVIEWER),
    "signboard_create": Case(village_code, GET_POST, sign_data, city=DENIED),
    "wall_read": Case(village_code, GET_POST, wall_photo_data, city=DENIED),
    "wall_review": Case(wall_reading_token, GET_POST, wall_confirm_data, city=DENIED),
    "wall_photo": Case(wall_photo_token, city=DENIED),
    "removal_bulk": Case(village_code, POST, bulk_data, city=DENIED),
    "removal_create": Case(sign_pk, GET_POST, removal_data, city=DENIED),
    "removal_revoke": Case(removal_pk, GET_POST, revoke_data, city=DENIED),
    "sign_import": Case(town_code, GET_POST, sign_import_data, city=WRITES),
    "sign_import_template": Case(town_code, city=READS),
    "sign_import_preview": Case(sign_import_token, GET_POST, city=WRITES),
    "sign_import_mapping": Case(word_mapping_token, GET_POST, word_mapping_data, city=WRITES),
    # City level only: the "other township" intruder is any township's staff.
    "village_import_preview": Case(village_import_token, GET_POST, city=WRITES, owner=REVIEWER),
}
for _module in (
    cases_review,
    cases_worklists,
    cases_visits,
    cases_assessment,
    cases_feedback,
    cases_jobs,
):
    REGISTRY.update(_module.CASES)
NAMES = sorted(REGISTRY)
WRITE_NAMES = sorted(n for n, c in REGISTRY.items() if "post" in c.methods)


def id_routes() -> dict:
    return {
        r.name: r
        for r in routes()
        if r.takes_arguments and not r.is_framework and r.name not in SEPARATELY_TESTED
    }


def state() -> dict:
    """What a request could write: rows in the database, and uploads waiting for a preview."""
    folder = Path(settings.IMPORT_UPLOAD_DIR)
    pending = len(list(folder.iterdir())) if folder.exists() else 0
    return {**snapshot(), "pending uploads": pending}


def owner_of(world, case):
    if case.owner == ADMINISTRATOR:
        return world.administrator
    return world.staff[OWN] if case.owner == STAFF else world.reviewer


# --- the registry is complete -----------------------------------------------------------------


def test_the_walk_sees_the_whole_url_conf():
    found = {r.name for r in routes()}
    assert {"home", "dashboard", "removal_create", "media", "login", "admin:index"} <= found
    skipped = [r for r in routes() if r.is_framework]
    assert any(r.route.startswith("admin/") for r in skipped)
    assert any(r.route.startswith("accounts/") for r in skipped)


def test_every_url_with_an_id_has_a_security_case():
    unnamed = [r.route for r in routes() if r.takes_arguments and not r.is_framework and not r.name]
    assert not unnamed, f"Name these URL patterns so they can be checked: {unnamed}"
    found = set(id_routes())
    missing = sorted(found - set(REGISTRY))
    stale = sorted(set(REGISTRY) - found)
    assert not missing, (
        f"URL patterns with an id but no security case: {missing}. Add each to REGISTRY in "
        "tests/security/test_url_scope.py (its kwargs builder, methods, a POST body that "
        "would write, and what reviewers may do), and to test_xss.py if it shows user text."
    )
    assert not stale, f"REGISTRY names no longer in the URL conf: {stale}"


@pytest.mark.parametrize("name", NAMES)
def test_registry_builds_the_arguments_of_its_route(world, name):
    assert sorted(REGISTRY[name].kwargs(world, OWN)) == sorted(id_routes()[name].arguments)


# --- the checks -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_anonymous_is_sent_to_login_and_nothing_written(world, name):
    case = REGISTRY[name]
    url = reverse(name, kwargs=case.kwargs(world, OWN))
    before = state()
    for method in case.methods:
        response = send(Client(), method, url, case.data(world, OWN))
        assert is_login_redirect(response), f"anonymous {method.upper()} {url}"
    assert state() == before


@pytest.mark.parametrize("name", NAMES)
def test_other_townships_id_is_404_and_nothing_written(world, name):
    case = REGISTRY[name]
    client = world.client(world.staff[OWN])
    url = reverse(name, kwargs=case.kwargs(world, OTHER, client))
    before = state()
    for method in case.methods:
        response = send(client, method, url, case.data(world, OTHER))
        assert response.status_code == 404, f"{method.upper()} {url} by town A's staff"
    assert state() == before


@pytest.mark.parametrize("name", NAMES)
def test_own_township_is_served(world, name):
    """The positive control: the 404 above is the scope, not a broken fixture."""
    case = REGISTRY[name]
    client = world.client(owner_of(world, case))
    url = reverse(name, kwargs=case.kwargs(world, OWN, client))
    if "get" in case.methods:
        assert client.get(url).status_code == 200, url
    else:
        assert client.get(url).status_code == 405, url  # POST only: shown by the POST below


@pytest.mark.parametrize("name", WRITE_NAMES)
def test_own_township_can_write(world, name):
    """The POST bodies used above do write where the user may: their 404 is the scope."""
    case = REGISTRY[name]
    client = world.client(owner_of(world, case))
    url = reverse(name, kwargs=case.kwargs(world, OWN, client))
    before = state()
    response = send(client, "post", url, case.data(world, OWN))
    assert response.status_code == 302, url
    assert not is_login_redirect(response)
    assert state() != before, f"POST {url} wrote nothing: fix the test's POST body"


@pytest.mark.parametrize("who", ["reviewer", "administrator"])
@pytest.mark.parametrize("name", NAMES)
def test_city_level_reads_every_township_but_writes_only_imports(world, name, who):
    case = REGISTRY[name]
    client = world.client(getattr(world, who))
    url = reverse(name, kwargs=case.kwargs(world, OTHER, client))
    before = state()
    city = case.city_for(who)
    if city == DENIED:
        for method in case.methods:
            response = send(client, method, url, case.data(world, OTHER))
            assert response.status_code == 404, f"{who} {method.upper()} {url}"
        assert state() == before
    else:
        if "get" in case.methods:  # a POST-only URL is read through the page that posts to it
            assert client.get(url).status_code == 200, f"{who} GET {url}"
        if city == WRITES:
            response = send(client, "post", url, case.data(world, OTHER))
            assert response.status_code == 302, f"{who} POST {url}"
            assert state() != before


# --- ids in the request body and in the session -----------------------------------------------


def test_bulk_removal_ignores_another_townships_sign_in_the_body(world):
    """Own village in the URL, town B's sign ticked in the form: nothing is recorded."""
    client = world.client(world.staff[OWN])
    before = state()
    data = form_data(bulk_data(world, OTHER))
    response = client.post(reverse("removal_bulk", args=[world.villages[OWN].code]), data)
    assert response.status_code == 302
    assert state() == before
    assert not world.signs[OTHER].removals.exists()


def test_import_into_own_township_cannot_reach_another_townships_village(world):
    client = world.client(world.staff[OWN])
    url = reverse("sign_import", args=[world.towns[OWN].code])
    before = state()
    row = sign_file(world.villages[OTHER], title="越界导入")
    response = client.post(url, form_data(file=row))
    assert response.status_code == 200  # the upload page, listing the error
    assert response.context["errors"]
    assert state() == before
    assert not Signboard.objects.filter(title="越界导入").exists()


def test_pending_import_of_another_user_of_the_same_township_is_not_served(world, make_user):
    """The preview token is bound to the user who uploaded it, not just to the township."""
    owner = world.client(world.staff[OWN])
    token = pending_sign_import(owner, world.villages[OWN])
    assert token is not None
    colleague = make_user("staff_own_2", role=roles.TOWN_STAFF, town=world.towns[OWN])
    client = world.client(colleague)
    url = reverse("sign_import_preview", args=[world.towns[OWN].code, token])
    before = state()
    for response in (client.get(url), client.post(url, form_data())):
        assert response.status_code == 302
        assert response.url == reverse("sign_import", args=[world.towns[OWN].code])
    assert state() == before
    assert owner.get(url).status_code == 200  # still there for its owner


def test_revoked_removal_cannot_be_revoked_again(world):
    removal = world.removals[OWN]
    client = world.client(world.staff[OWN])
    url = reverse("removal_revoke", args=[removal.pk])
    assert client.post(url, form_data(revoke_data(world, OWN))).status_code == 302
    before = state()
    response = client.post(url, form_data(reason="再撤一次"))
    assert response.status_code in (302, 404)
    assert state() == before
    assert Removal.objects.get(pk=removal.pk).revoke_reason == "登记错了"


# --- pages without an id ----------------------------------------------------------------------

NO_ID_NAMES = sorted(
    r.name for r in routes() if r.name and not r.takes_arguments and not r.is_framework
)


# What a phone fetches before anyone signs in, to install the app and work offline
# (utilities/offline.py): no township's data in them.
PUBLIC = {"service_worker", "manifest", "offline"}


@pytest.mark.parametrize("name", sorted(set(NO_ID_NAMES) - PUBLIC))
def test_every_page_needs_login(db, name):
    url = reverse(name)
    for response in (Client().get(url), Client().post(url, form_data())):
        assert is_login_redirect(response), url


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_the_public_offline_files_hold_no_data_and_take_no_writes(db, staff, village, name):
    Signboard.objects.create(
        village=village, title="秘密牌子", kind="guidance", inventoried_on=dt.date(2024, 1, 2)
    )
    url = reverse(name)
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(staff)
    for client in (anonymous, signed_in):
        body = client.get(url).content.decode()
        assert village.name not in body and "秘密牌子" not in body and staff.username not in body
    before = Signboard.objects.count()
    assert anonymous.post(url, form_data()).status_code in (403, 405, 200)
    assert Signboard.objects.count() == before
