"""One-time form tokens: a resent form writes once; a failed write leaves the token usable."""

import datetime as dt
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from signs.models import Removal, Signboard
from tests.helpers import with_token
from utilities.models import SubmittedForm
from villages import roles
from villages.models import AuditEntry


@pytest.fixture
def sign(village):
    return Signboard.objects.create(
        village=village, title="廉洁工作站", kind="guidance", inventoried_on=dt.date(2024, 1, 2)
    )


def test_each_page_load_carries_a_fresh_token(client, staff, village, sign):
    client.force_login(staff)
    first = client.get(reverse("removal_create", args=[sign.pk])).context["form"]
    second = client.get(reverse("removal_create", args=[sign.pk])).context["form"]
    assert uuid.UUID(str(first["form_token"].value()))
    assert first["form_token"].value() != second["form_token"].value()
    page = client.get(reverse("village", args=[village.code])).content.decode()
    assert 'name="form_token"' in page  # the bulk form on the village page


def test_the_same_sign_form_sent_twice_adds_one_sign(client, staff, village):
    client.force_login(staff)
    url = reverse("signboard_create", args=[village.code])
    data = with_token(
        title="党员活动室", kind="plaque", location="二楼", inventoried_on="2024-05-01"
    )
    client.post(url, data)
    again = client.post(url, data, follow=True)
    assert Signboard.objects.filter(title="党员活动室").count() == 1
    assert AuditEntry.objects.filter(action="signboard.create").count() == 1
    assert "该表单已保存过，没有重复保存" in again.content.decode()
    assert SubmittedForm.objects.get().user == staff


def test_the_same_bulk_form_sent_twice_writes_once(client, staff, village, sign):
    client.force_login(staff)
    url = reverse("removal_bulk", args=[village.code])
    data = with_token(signboards=[sign.pk], removed_on="2024-04-01", reason="no_business")
    client.post(url, data)
    # Revoke in between, so that only the spent token stops the second write.
    Removal.objects.update(revoked_at=timezone.now(), revoked_by=staff, revoke_reason="错录")
    again = client.post(url, data, follow=True)
    assert Removal.objects.filter(signboard=sign).count() == 1
    assert "该表单已保存过" in again.content.decode()


def test_a_failed_write_does_not_spend_the_token(client, staff, sign):
    client.force_login(staff)
    url = reverse("removal_create", args=[sign.pk])
    token = str(uuid.uuid4())
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    refused = client.post(url, {"form_token": token, "removed_on": future, "reason": "no_business"})
    assert refused.status_code == 200 and not SubmittedForm.objects.exists()
    fixed = client.post(
        url, {"form_token": token, "removed_on": "2024-03-02", "reason": "no_business"}
    )
    assert fixed.status_code == 302, fixed.context["form"].errors
    assert Removal.objects.filter(signboard=sign).count() == 1
    assert SubmittedForm.objects.filter(token=token).exists()


@pytest.mark.parametrize("token", [None, "not-a-uuid"])
def test_a_form_without_a_valid_token_is_refused_in_chinese(client, staff, sign, token):
    client.force_login(staff)
    data = {"removed_on": "2024-03-02", "reason": "other"}
    if token is not None:
        data["form_token"] = token
    response = client.post(reverse("removal_create", args=[sign.pk]), data)
    assert response.status_code == 200
    assert "表单已过期，请刷新页面后重试" in response.content.decode()
    assert not Removal.objects.exists()


# --- the token as the idempotency key of one write --------------------------------------------


def photo(colour=(120, 130, 140)) -> SimpleUploadedFile:
    """A small phone-like JPEG, the same bytes for the same colour."""
    out = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(out, "JPEG", quality=80)
    return SimpleUploadedFile("IMG_0001.jpg", out.getvalue(), content_type="image/jpeg")


def test_a_resend_after_a_lost_answer_writes_nothing_and_says_it_was_saved(client, staff, sign):
    """A phone that lost the answer sends the same form again, photo and all: one removal,
    one audit row, and the second answer says it was saved already."""
    client.force_login(staff)
    url = reverse("removal_create", args=[sign.pk])
    data = {"form_token": str(uuid.uuid4()), "removed_on": "2024-03-02", "reason": "no_business"}
    first = client.post(url, {**data, "photo": photo()})
    assert first.status_code == 302, first.context["form"].errors
    audits = AuditEntry.objects.count()
    again = client.post(url, {**data, "photo": photo()}, follow=True)
    assert "该表单已保存过，没有重复保存" in again.content.decode()
    assert (Removal.objects.count(), AuditEntry.objects.count()) == (1, audits)
    assert SubmittedForm.objects.count() == 1 and Removal.objects.get().photo


@pytest.mark.parametrize("change", ["date", "photo"])
def test_the_token_sent_again_with_other_content_is_refused_not_merged(
    client, staff, village, sign, change
):
    client.force_login(staff)
    token = str(uuid.uuid4())
    url = reverse("removal_create", args=[sign.pk])
    data = {"form_token": token, "removed_on": "2024-03-02", "reason": "no_business"}
    assert client.post(url, {**data, "photo": photo()}).status_code == 302
    # Revoked in between, so that only the spent token can stop the second write.
    Removal.objects.update(revoked_at=timezone.now(), revoked_by=staff, revoke_reason="错录")
    other = {"date": {"removed_on": "2024-03-05"}, "photo": {"photo": photo((200, 40, 40))}}
    resent = {**data, "photo": photo(), **other[change]}
    refused = client.post(url, resent)
    assert refused.status_code == 200
    assert "该表单已用其他内容或由其他用户保存过，本次没有保存" in refused.content.decode()
    assert Removal.objects.count() == 1 and SubmittedForm.objects.count() == 1


def test_another_users_token_is_refused_and_tells_nothing_of_their_write(
    client, staff, make_user, town, village, sign
):
    colleague = make_user("staff_b", role=roles.TOWN_STAFF, town=town)
    token = str(uuid.uuid4())
    add = reverse("signboard_create", args=[village.code])
    data = {"form_token": token, "title": "党员活动室", "kind": "plaque", "location": "二楼",
            "inventoried_on": "2024-05-01"}  # fmt: skip
    client.force_login(colleague)
    assert client.post(add, data).status_code == 302
    client.force_login(staff)  # the same form, token and all, from another account
    refused = client.post(add, data)
    page = refused.content.decode()
    assert refused.status_code == 200 and "本次没有保存" in page
    assert "已保存过，没有重复保存" not in page
    assert Signboard.objects.filter(title="党员活动室").count() == 1
    assert SubmittedForm.objects.get().user == colleague
