"""The app offline, server side (utilities/offline.py): the outbox's entries are posted to the
online forms' views and answered in JSON, with the same checks; pages marked for the service
worker; the worker and the manifest served at the root."""

import datetime as dt
import io
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from signs import photos, readings
from signs.models import Removal, Signboard
from utilities.models import SubmittedForm
from utilities.offline import OFFLINE_PAGE_HEADER
from villages import roles
from villages.models import Village

OUTBOX = {"HTTP_X_OUTBOX": "1"}


@pytest.fixture(autouse=True)
def no_reader(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(readings, "seen_in_removal_photo", lambda title, upload: "")


@pytest.fixture
def sign(village):
    return Signboard.objects.create(
        village=village, title="廉洁工作站", kind="guidance", inventoried_on=dt.date(2024, 1, 2)
    )


def jpeg(size=(800, 600)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (120, 140, 160)).save(out, "JPEG")
    return SimpleUploadedFile("photo.jpg", out.getvalue(), content_type="image/jpeg")


def entry(token=None, **fields) -> dict:
    """An outbox entry as static/js/offline.js posts it: its UUID as the form token."""
    return {
        "form_token": str(token or uuid.uuid4()),
        "removed_on": "2024-04-01",
        "reason": "no_business",
        "save_anyway": "on",
        **fields,
    }


def send(client, url, data):
    response = client.post(url, data, **OUTBOX)
    return response.status_code, json.loads(response.content)


def removal_url(sign):
    return reverse("removal_create", args=[sign.pk])


def test_an_entry_is_saved_and_its_resend_writes_nothing(client, staff, village, sign):
    client.force_login(staff)
    data = entry(photo=jpeg())
    status, answer = send(client, removal_url(sign), data)
    assert (status, answer["state"]) == (200, "saved")
    assert answer["url"] == reverse("village", args=[village.code])
    assert "已登记" in answer["message"] and answer["level"] == "success"
    removal = Removal.objects.get(signboard=sign)
    assert removal.photo and removal.recorded_by == staff
    # The answer was lost: the outbox sends the same entry again.
    data["photo"] = jpeg()
    status, again = send(client, removal_url(sign), data)
    assert (status, again["state"]) == (200, "saved")
    assert "没有重复保存" in again["message"]
    assert Removal.objects.count() == 1 and SubmittedForm.objects.count() == 1
    # The messages went into the answers, not onto the next page.
    page = client.get(reverse("village", args=[village.code])).content.decode()
    assert "已登记“" not in page and "没有重复保存" not in page


def test_the_sign_removed_meanwhile_is_a_conflict_with_the_sign_to_open(
    client, staff, make_user, town, village, sign
):
    colleague = make_user("staff_b", role=roles.TOWN_STAFF, town=town)
    client.force_login(colleague)
    assert send(client, removal_url(sign), entry())[1]["state"] == "saved"
    client.force_login(staff)
    status, answer = send(client, removal_url(sign), entry())
    assert (status, answer["state"]) == (409, "conflict")
    assert answer["message"] == "该牌子已摘除，不能重复登记。"
    assert answer["url"] == reverse("village", args=[village.code])
    assert Removal.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"removed_on": "2023-12-31"}, "早于"),  # before the sign's inventory date
        ({"removed_on": "2999-01-01"}, "不能晚于今天"),
        ({"removed_on": "not a date"}, "有效的日期"),
    ],
)
def test_a_date_the_online_form_refuses_is_refused_with_its_message(
    client, staff, sign, fields, said
):
    client.force_login(staff)
    status, answer = send(client, removal_url(sign), entry(**fields))
    assert (status, answer["state"]) == (409, "conflict")
    assert said in answer["message"]
    assert answer["url"] == removal_url(sign)  # open the form, to record it online
    assert not Removal.objects.exists() and not SubmittedForm.objects.exists()


def test_an_oversize_photo_is_refused(client, staff, sign, monkeypatch):
    monkeypatch.setattr(photos, "MAX_UPLOAD_BYTES", 10_000)
    client.force_login(staff)
    status, answer = send(client, removal_url(sign), entry(photo=jpeg((2000, 1500))))
    assert (status, answer["state"]) == (409, "conflict")
    assert "MB" in answer["message"] or "过大" in answer["message"]
    assert not Removal.objects.exists()


def test_another_townships_sign_is_no_access_and_writes_nothing(
    client, staff, other_town, make_user
):
    village = Village.objects.create(town=other_town, code="450181101201", name="西村")
    theirs = Signboard.objects.create(
        village=village, title="综治中心", kind="guidance", inventoried_on=dt.date(2024, 1, 2)
    )
    client.force_login(staff)
    status, answer = send(client, removal_url(theirs), entry())
    assert (status, answer["state"]) == (409, "conflict")
    assert "无权" in answer["message"]
    status, answer = send(
        client,
        reverse("signboard_create", args=[village.code]),
        entry(title="新牌", kind="plaque", inventoried_on="2024-05-01"),
    )
    assert answer["state"] == "conflict"
    assert not Removal.objects.exists() and not Signboard.objects.filter(title="新牌").exists()


def test_a_uuid_of_another_users_write_is_refused_not_merged(
    client, staff, make_user, town, village, sign
):
    other_sign = Signboard.objects.create(
        village=village, title="村务公开栏", kind="guidance", inventoried_on=dt.date(2024, 1, 2)
    )
    colleague = make_user("staff_b", role=roles.TOWN_STAFF, town=town)
    token = uuid.uuid4()
    client.force_login(colleague)
    assert send(client, removal_url(other_sign), entry(token))[1]["state"] == "saved"
    client.force_login(staff)
    status, answer = send(client, removal_url(sign), entry(token))
    assert (status, answer["state"]) == (409, "conflict")
    assert "其他内容或由其他用户保存过" in answer["message"]
    # The same user, the same UUID, other content: refused too.
    client.force_login(colleague)
    status, answer = send(client, removal_url(sign), entry(token, note="改了"))
    assert answer["state"] == "conflict"
    assert list(Removal.objects.values_list("signboard", flat=True)) == [other_sign.pk]


def test_an_expired_session_says_sign_in_and_keeps_nothing_half_done(client, sign):
    status, answer = send(client, removal_url(sign), entry())
    assert (status, answer["state"]) == (401, "signed_out")
    assert "重新登录" in answer["message"]
    assert answer["url"] == reverse("login")
    assert not Removal.objects.exists()


def test_a_missing_csrf_token_says_sign_in(staff, sign):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    status, answer = send(client, removal_url(sign), entry())
    assert (status, answer["state"]) == (401, "signed_out")
    assert not Removal.objects.exists()


def test_a_bulk_entry_writes_all_or_nothing(client, staff, village, sign):
    second = Signboard.objects.create(
        village=village, title="村务公开栏", kind="guidance", inventoried_on=dt.date(2024, 1, 2)
    )
    client.force_login(staff)
    url = reverse("removal_bulk", args=[village.code])
    status, answer = send(client, url, entry(signboards=[sign.pk, second.pk]))
    assert answer["state"] == "saved" and Removal.objects.count() == 2
    third = Signboard.objects.create(
        village=village, title="三务公开栏", kind="guidance", inventoried_on=dt.date(2024, 1, 2)
    )
    status, answer = send(client, url, entry(signboards=[sign.pk, third.pk]))
    assert (status, answer["state"]) == (409, "conflict")
    assert answer["message"].startswith("未保存任何记录。")
    assert Removal.objects.count() == 2


def test_an_online_form_is_answered_as_before(client, staff, village, sign):
    client.force_login(staff)
    response = client.post(removal_url(sign), entry())
    assert response.status_code == 302
    assert response["Location"] == reverse("village", args=[village.code])


def test_pages_for_offline_are_marked_for_their_user_only(client, staff, village, sign):
    pages = [
        reverse("town", args=[village.town.code]),
        reverse("village", args=[village.code]),
        removal_url(sign),
        reverse("signboard_create", args=[village.code]),
        reverse("outbox"),
    ]
    for url in pages:  # anonymous: the login page, which is not kept
        response = client.get(url)
        assert response.status_code == 302 and OFFLINE_PAGE_HEADER not in response
    client.force_login(staff)
    for url in pages:
        assert client.get(url)[OFFLINE_PAGE_HEADER] == str(staff.pk), url
    assert OFFLINE_PAGE_HEADER not in client.get(reverse("village_history", args=[village.code]))


def test_another_townships_village_is_not_kept(client, staff, other_town):
    village = Village.objects.create(town=other_town, code="450181101201", name="西村")
    client.force_login(staff)
    response = client.get(reverse("village", args=[village.code]))
    assert response.status_code == 404 and OFFLINE_PAGE_HEADER not in response


def test_the_service_worker_and_manifest_are_served_at_the_root(client):
    worker = client.get("/sw.js")
    assert worker["Content-Type"].startswith("text/javascript")
    assert worker["Service-Worker-Allowed"] == "/"
    assert "no-cache" in worker["Cache-Control"]
    source = worker.content.decode()
    assert "storage.googleapis.com" not in source  # no CDN: Workbox's modules from our static
    assert "/static/vendor/workbox-routing/workbox-routing.prod.js" in source
    assert "&quot;" not in source
    csp = worker["Content-Security-Policy"]
    assert "worker-src 'self'" in csp and "manifest-src 'self'" in csp
    manifest = json.loads(client.get("/manifest.webmanifest").content)
    assert manifest["name"] == "横州摘牌台账" and manifest["scope"] == "/"
    assert manifest["icons"][0]["src"].startswith("/static/icons/")


def test_the_worker_is_new_when_the_page_script_is(client, settings):
    """The worker names the page script's hashed file, so a new script installs a new
    worker (browsers compare the worker byte for byte)."""
    assert "/static/js/offline.js" in client.get("/sw.js").content.decode()


def test_the_outbox_page_needs_a_sign_in(client, staff):
    assert client.get(reverse("outbox")).status_code == 302
    client.force_login(staff)
    page = client.get(reverse("outbox")).content.decode()
    assert "待上传" in page and "立即上传" in page


def test_the_offline_page_is_public_and_plain(client):
    page = client.get(reverse("offline")).content.decode()
    assert "没有网络" in page


def test_the_photos_time_travels_with_the_entry_to_its_stamp(client, staff, sign, monkeypatch):
    stamped = []
    real = photos.stamp_text
    monkeypatch.setattr(
        photos, "stamp_text", lambda **kw: stamped.append(kw["taken_at"]) or real(**kw)
    )
    client.force_login(staff)
    taken = (timezone.now() - dt.timedelta(hours=3)).replace(microsecond=0)
    send(client, removal_url(sign), entry(photo=jpeg(), photo_taken_at=taken.isoformat()))
    assert Removal.objects.get().photo
    assert stamped == [taken]
