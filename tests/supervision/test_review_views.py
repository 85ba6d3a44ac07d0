"""Review pages: the reviewers' queue and decisions, the townships' returned list and
corrections, each village's 销号. Anonymous → login, another township → 404, own → works."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from signs import ocr, readings
from signs import services as signs_services
from signs.models import Removal
from supervision.choices import ReviewStatus
from supervision.models import RemovalReview
from supervision.services import review as services
from tests.helpers import with_token
from villages import roles
from villages.models import AuditEntry, Village


def jpeg(colour=(120, 130, 140)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(buffer, "JPEG")
    return SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def media(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    # The reader is tested with signs; here a new photo shows no sign unless a test says so.
    monkeypatch.setattr(readings, "seen_in_removal_photo", lambda title, upload: "")


def remove(village, user, title, *, photo=None, flagged=False):
    sign = signs_services.signboard_create(
        village=village, user=user, kind="guidance", title=title,
        inventoried_on=dt.date(2024, 1, 2),
    )  # fmt: skip
    return signs_services.removal_record(
        signboard=sign, user=user, removed_on=dt.date(2024, 3, 1), reason="no_business",
        photo=photo, title_in_photo=flagged,
    )  # fmt: skip


@pytest.fixture
def other_village(other_town):
    return Village.objects.create(town=other_town, code="450181101201", name="百合村")


@pytest.fixture
def staff_b(make_user, other_town):
    return make_user("staff_b", role=roles.TOWN_STAFF, town=other_town)


@pytest.fixture
def admin_user(make_user):
    return make_user("admin_city", role=roles.SYSTEM_ADMIN)


@pytest.fixture
def place(village, other_village, staff, staff_b):
    """Town A: a removal with a photo and a flagged one; town B: one removal."""
    return {
        "photo": remove(village, staff, "廉洁工作站", photo=jpeg()),
        "flagged": remove(village, staff, "益农信息社", flagged=True),
        "other": remove(other_village, staff_b, "科普宣传室"),
    }


def login(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def urls(place, town, other_town):
    removal = place["photo"]
    return {
        "review_queue": reverse("review_queue"),
        "review_removal": reverse("review_removal", args=[removal.pk]),
        "review_returned": reverse("review_returned", args=[town.code]),
        "removal_resubmit": reverse("removal_resubmit", args=[removal.pk]),
        "village_closure": reverse("village_closure", args=[town.code]),
    }


# --- who may see what ---------------------------------------------------------------------


def test_anonymous_is_sent_to_login_everywhere(client, place, town, other_town):
    for name, url in urls(place, town, other_town).items():
        for response in (client.get(url), client.post(url, with_token())):
            assert response.status_code == 302, name
            assert response.url.startswith(reverse("login")), name
    assert not RemovalReview.objects.exists()


def test_township_staff_get_404_on_the_reviewers_pages(client, place, staff, town, other_town):
    login(client, staff)
    for name in ("review_queue", "review_removal"):
        url = urls(place, town, other_town)[name]
        assert client.get(url).status_code == 404, name
        assert client.post(url, with_token(decision="verify")).status_code == 404, name
    assert not RemovalReview.objects.exists()


def test_administrators_may_look_but_not_decide(client, place, admin_user, town, other_town):
    login(client, admin_user)
    u = urls(place, town, other_town)
    assert client.get(u["review_queue"]).status_code == 200
    page = client.get(u["review_removal"])
    assert page.status_code == 200
    assert 'data-testid="verify"' not in text(page)
    assert client.post(u["review_removal"], with_token(decision="verify")).status_code == 404
    data = with_token(removals=[place["photo"].pk])
    assert client.post(u["review_queue"], data).status_code == 404
    assert not RemovalReview.objects.exists()


def test_other_townships_staff_get_404_on_the_township_pages(
    client, place, staff_b, reviewer, town
):
    services.removal_return(removal=place["photo"], user=reviewer, comment="补拍照片")
    login(client, staff_b)
    for url in (
        reverse("review_returned", args=[town.code]),
        reverse("village_closure", args=[town.code]),
        reverse("removal_resubmit", args=[place["photo"].pk]),
    ):
        assert client.get(url).status_code == 404, url
    data = with_token(reason="duplicate", note="")
    assert (
        client.post(reverse("removal_resubmit", args=[place["photo"].pk]), data).status_code == 404
    )
    assert RemovalReview.objects.get().status == ReviewStatus.RETURNED


# --- the queue ------------------------------------------------------------------------------


def test_queue_lists_pending_removals_with_thumbnail_flag_and_links(client, place, reviewer):
    services.removal_verify(removal=place["other"], user=reviewer)
    login(client, reviewer)
    response = client.get(reverse("review_queue"))
    assert response.status_code == 200
    rows = list(response.context["table"].rows)
    assert [r.record.pk for r in rows] == [place["photo"].pk, place["flagged"].pk]  # oldest first
    html = text(response)
    assert place["photo"].photo_thumb.url in html
    assert reverse("review_removal", args=[place["photo"].pk]) in html
    assert html.count('data-testid="photo-flag"') == 1
    assert 'name="removals"' in html and "核验通过所选" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=", {"photo", "flagged", "other"}),
        ("state=verified", {"other"}),
        ("flagged=on", {"flagged"}),
        ("q=百合", set()),  # verified removals leave the default 待核验 view
        ("q=益农", {"flagged"}),
        ("state=&q=百合", {"other"}),
    ],
)
def test_queue_filters(client, place, reviewer, town, query, expected):
    services.removal_verify(removal=place["other"], user=reviewer)
    login(client, reviewer)
    response = client.get(reverse("review_queue") + "?" + query)
    names = {
        k
        for k, r in place.items()
        if r.pk in {row.record.pk for row in response.context["table"].rows}
    }
    assert names == expected


def test_queue_filters_by_township(client, place, reviewer, other_town):
    login(client, reviewer)
    response = client.get(reverse("review_queue"), {"town": other_town.pk})
    assert [r.record.pk for r in response.context["table"].rows] == [place["other"].pk]


def test_queue_pages_in_a_fixed_number_of_queries(
    client, village, staff, reviewer, django_assert_max_num_queries
):
    for n in range(35):
        remove(village, staff, f"牌子{n:02d}", photo=jpeg() if n < 3 else None)
    login(client, reviewer)
    client.get(reverse("review_queue"))  # warm the session
    with django_assert_max_num_queries(10):
        response = client.get(reverse("review_queue"))
    assert len(response.context["table"].page.object_list) == 30
    with django_assert_max_num_queries(10):
        second = client.get(reverse("review_queue"), {"page": 2})
    assert len(second.context["table"].page.object_list) == 5


def test_bulk_verify_verifies_the_ticked_and_keeps_the_filters(client, place, reviewer):
    login(client, reviewer)
    url = reverse("review_queue") + "?flagged=on"
    response = client.post(url, with_token(removals=[place["photo"].pk, place["flagged"].pk]))
    assert response.status_code == 302 and response.url == url
    assert set(RemovalReview.objects.values_list("pk", "status")) == {
        (place["photo"].pk, "verified"), (place["flagged"].pk, "verified"),
    }  # fmt: skip
    follow = client.get(response.url)
    assert "已核验通过 2 条摘除记录" in text(follow)


def test_bulk_verify_is_all_or_nothing_and_writes_once(client, place, staff, reviewer):
    signs_services.removal_revoke(removal=place["flagged"], user=staff, reason="登记错了")
    login(client, reviewer)
    url = reverse("review_queue")
    response = client.post(url, with_token(removals=[place["photo"].pk, place["flagged"].pk]))
    assert response.status_code == 302
    assert not RemovalReview.objects.exists()
    assert "未核验任何记录" in text(client.get(url))

    data = with_token(removals=[place["photo"].pk])
    client.post(url, data)
    again = client.post(url, data)  # the same form sent twice
    assert again.status_code == 302
    assert AuditEntry.objects.filter(action="review.verify").count() == 1


# --- one removal ----------------------------------------------------------------------------


def test_review_page_shows_the_evidence(client, place, reviewer):
    login(client, reviewer)
    response = client.get(reverse("review_removal", args=[place["photo"].pk]))
    html = text(response)
    removal = place["photo"]
    assert "廉洁工作站" in html and "城东村" in html and "无实质性业务" in html
    assert f'href="{removal.photo.url}"' in html and removal.photo_thumb.url in html
    assert 'data-testid="photo-flag"' not in html
    assert 'data-testid="verify"' in html and 'data-testid="return"' in html
    flagged = text(client.get(reverse("review_removal", args=[place["flagged"].pk])))
    assert 'data-testid="photo-flag"' in flagged


def test_verify_goes_to_the_next_pending_removal(client, place, reviewer):
    login(client, reviewer)
    url = reverse("review_removal", args=[place["photo"].pk])
    response = client.post(url, with_token(decision="verify"))
    assert response.url == reverse("review_removal", args=[place["flagged"].pk])
    assert RemovalReview.objects.get(pk=place["photo"].pk).status == ReviewStatus.VERIFIED
    # The last one of the queue comes round to the first still pending.
    response = client.post(
        reverse("review_removal", args=[place["other"].pk]), with_token(decision="verify")
    )
    assert response.url == reverse("review_removal", args=[place["flagged"].pk])
    response = client.post(
        reverse("review_removal", args=[place["flagged"].pk]), with_token(decision="verify")
    )
    assert response.url == reverse("review_queue")
    assert "没有其他待核验的记录了" in text(client.get(response.url))


def test_return_needs_a_comment_and_then_is_recorded(client, place, reviewer):
    login(client, reviewer)
    url = reverse("review_removal", args=[place["photo"].pk])
    response = client.post(url, with_token(decision="return", comment=" "))
    assert response.status_code == 200
    assert "请写明需要更正的内容" in text(response)
    assert not RemovalReview.objects.exists()
    response = client.post(url, with_token(decision="return", comment="照片看不到墙面"))
    assert response.status_code == 302
    review = RemovalReview.objects.get()
    assert (review.status, review.comment, review.reviewed_by) == (
        "returned",
        "照片看不到墙面",
        reviewer,
    )
    page = text(client.get(url))
    assert "照片看不到墙面" in page and 'data-testid="verify"' not in page


def test_a_revoked_removal_cannot_be_verified_on_its_page(client, place, staff, reviewer):
    signs_services.removal_revoke(removal=place["photo"], user=staff, reason="登记错了")
    login(client, reviewer)
    url = reverse("review_removal", args=[place["photo"].pk])
    assert 'data-testid="verify"' not in text(client.get(url))
    response = client.post(url, with_token(decision="verify"))
    assert response.status_code == 200
    assert "该摘除记录已撤销，无需核验" in text(response)
    assert not RemovalReview.objects.exists()


# --- returned and resubmitted ---------------------------------------------------------------


def test_returned_page_lists_the_comment_and_the_correction_link(
    client, place, staff, reviewer, town
):
    services.removal_return(removal=place["photo"], user=reviewer, comment="原因应为重复悬挂")
    url = reverse("review_returned", args=[town.code])
    login(client, staff)
    html = text(client.get(url))
    assert "原因应为重复悬挂" in html and "廉洁工作站" in html
    assert reverse("removal_resubmit", args=[place["photo"].pk]) in html
    assert "益农信息社" not in html  # pending, not returned
    login(client, reviewer)
    html = text(client.get(url))
    assert "原因应为重复悬挂" in html
    assert reverse("removal_resubmit", args=[place["photo"].pk]) not in html


def test_returned_page_in_a_fixed_number_of_queries(
    client, village, staff, reviewer, town, django_assert_max_num_queries
):
    for n in range(12):
        removal = remove(village, staff, f"牌子{n:02d}")
        services.removal_return(removal=removal, user=reviewer, comment=f"意见{n}")
    login(client, staff)
    url = reverse("review_returned", args=[town.code])
    client.get(url)
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert text(response).count('data-testid="returned-removal"') == 12


def test_resubmit_corrects_and_sends_back(client, place, staff, reviewer, town):
    services.removal_return(removal=place["photo"], user=reviewer, comment="原因应为重复悬挂")
    old_photo = place["photo"].photo.name
    url = reverse("removal_resubmit", args=[place["photo"].pk])
    login(client, staff)
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["reason"].value() == "no_business"
    assert "原因应为重复悬挂" in text(page)
    response = client.post(
        url, with_token(reason="duplicate", note="与党员活动室重复", photo=jpeg((200, 0, 0)))
    )
    assert response.status_code == 302
    assert response.url == reverse("review_returned", args=[town.code])
    review = RemovalReview.objects.get(pk=place["photo"].pk)
    assert (review.status, review.resubmissions) == (ReviewStatus.PENDING, 1)
    removal = Removal.objects.get(pk=place["photo"].pk)
    assert (removal.reason, removal.note) == ("duplicate", "与党员活动室重复")
    assert removal.photo.name != old_photo
    # No longer returned: the page says so instead of offering the form again.
    again = client.get(url)
    assert again.status_code == 302 and again.url == response.url


def test_resubmit_with_a_photo_still_showing_the_sign_is_flagged(
    client, place, staff, reviewer, monkeypatch
):
    services.removal_return(removal=place["photo"], user=reviewer, comment="补拍照片")
    monkeypatch.setattr(readings, "seen_in_removal_photo", lambda title, upload: title)
    monkeypatch.setattr(ocr, "available", lambda: True)  # the reader may not be installed
    login(client, staff)
    url = reverse("removal_resubmit", args=[place["photo"].pk])
    response = client.post(url, with_token(reason="no_business", note="", photo=jpeg()))
    assert response.status_code == 302
    assert Removal.objects.get(pk=place["photo"].pk).title_in_photo is True
    assert "新照片中仍识别到该牌子" in text(client.get(response.url))


def test_resubmit_is_for_the_townships_staff_only(client, place, reviewer):
    services.removal_return(removal=place["photo"], user=reviewer, comment="补拍照片")
    login(client, reviewer)
    url = reverse("removal_resubmit", args=[place["photo"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, with_token(reason="duplicate")).status_code == 404
    assert RemovalReview.objects.get().status == ReviewStatus.RETURNED


def test_a_pending_removal_is_not_offered_for_correction(client, place, staff, town):
    login(client, staff)
    url = reverse("removal_resubmit", args=[place["photo"].pk])
    for response in (client.get(url), client.post(url, with_token(reason="duplicate"))):
        assert response.status_code == 302
        assert response.url == reverse("review_returned", args=[town.code])
    assert Removal.objects.get(pk=place["photo"].pk).reason == "no_business"


# --- 销号 -----------------------------------------------------------------------------------


def test_closure_page_shows_each_village(client, place, village, staff, reviewer, town, other_town):
    url = reverse("village_closure", args=[town.code])
    login(client, staff)
    response = client.get(url)
    assert response.status_code == 200
    (row,) = response.context["rows"]
    assert (row.reported, row.verified, row.pending, row.closed) == (2, 0, 2, False)
    assert 'data-closed="no"' in text(response)
    for removal in (place["photo"], place["flagged"]):
        services.removal_verify(removal=removal, user=reviewer)
    html = text(client.get(url))
    assert 'data-closed="yes"' in html and "已销号" in html
    login(client, reviewer)
    assert client.get(reverse("village_closure", args=[other_town.code])).status_code == 200


def test_closure_page_in_a_fixed_number_of_queries(
    client, town, staff, reviewer, django_assert_max_num_queries
):
    for n in range(15):
        v = Village.objects.create(town=town, code=f"4501811002{n:02d}", name=f"村{n}")
        remove(v, staff, f"牌子{n}")
    login(client, staff)
    url = reverse("village_closure", args=[town.code])
    client.get(url)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert text(response).count('data-testid="closure-row"') == 15


# --- an imported ledger, verified as one batch ---------------------------------------------


def imported_batch(client, staff, village, n=3):
    """Import a ledger of `n` removed signs for the village's township, as its staff."""
    from signs.models import ImportBatch
    from tests.signs.test_imports import row, xlsx

    client.force_login(staff)
    rows = [row(title=f"导入牌子{i}", removed="2024-03-01", reason="破损褪色") for i in range(n)]
    data = xlsx(rows)
    response = client.post(
        reverse("sign_import", args=[village.town.code]),
        {"file": SimpleUploadedFile("横州镇台账.xlsx", data)},
    )
    client.post(response.url)
    client.logout()
    return ImportBatch.objects.get(town=village.town)


def test_an_imported_batch_is_verified_at_once(
    client, place, village, staff, reviewer, settings, tmp_path
):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "imports")
    batch = imported_batch(client, staff, village, n=3)
    assert (batch.signs, batch.removals, batch.imported_by) == (3, 3, staff)
    assert batch.removal_rows.count() == 3  # each removal knows where it came from
    login(client, reviewer)
    url = reverse("review_queue") + f"?batch={batch.pk}"
    queue = client.get(url)
    assert {r.record.signboard.title for r in queue.context["table"].page.object_list} == {
        "导入牌子0", "导入牌子1", "导入牌子2"}  # fmt: skip
    assert queue.context["batch_pending"] == 3
    assert "核验通过本批次全部 3 条" in text(queue)
    done = client.post(url, with_token(batch=batch.pk))
    assert done.status_code == 302
    verified = RemovalReview.objects.filter(status="verified")
    assert set(verified.values_list("pk", flat=True)) == set(
        batch.removal_rows.values_list("pk", flat=True)
    )
    assert not RemovalReview.objects.filter(pk=place["photo"].pk).exists()  # not in the batch
    assert "已核验通过 3 条摘除记录" in text(client.get(done.url))


def test_staff_cannot_verify_a_batch(client, place, village, staff, settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "imports")
    batch = imported_batch(client, staff, village, n=2)
    login(client, staff)
    response = client.post(reverse("review_queue"), with_token(batch=batch.pk))
    assert response.status_code in (403, 404)
    assert not RemovalReview.objects.exists()
