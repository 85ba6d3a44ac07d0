"""拍照识牌: the wall-reading pages, the removal-photo check and `read_signs`, with real OCR.

The photos are drawn here (tests.helpers.plaque_photo) and read by the installed engine; the
accuracy on a generated set is measured in test_ocr_accuracy.py.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from signs import ocr, services
from signs.models import ApprovedItem, InventoryPhoto, Removal, Signboard, VillageTally
from signs.tallies import rebuild_all_tallies
from tests.helpers import plaque_photo, with_token
from villages import roles
from villages.models import AuditEntry

pytestmark = pytest.mark.skipif(not ocr.available(), reason="the ocr extra is not installed")


@pytest.fixture
def place(village, other_town, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "pending")
    item = ApprovedItem.objects.get(standard__is_current=True, title="党员活动室")
    kept = Signboard.objects.create(
        village=village, title="党员活动室", kind="plaque", approved_item=item,
        location="二楼", inventoried_on=dt.date(2024, 1, 2),
    )  # fmt: skip
    todo = Signboard.objects.create(
        village=village, title="廉洁工作站", kind="organization", location="一楼",
        inventoried_on=dt.date(2024, 1, 2),
    )  # fmt: skip
    rebuild_all_tallies()
    staff = make_user("staff_wall", role=roles.TOWN_STAFF, town=village.town)
    return {
        "village": village,
        "kept": kept,
        "todo": todo,
        "staff": staff,
        "other_staff": make_user("staff_other", role=roles.TOWN_STAFF, town=other_town),
        "reviewer": make_user("reviewer_wall", role=roles.REVIEWER),
    }


def photo(*titles, name="wall.jpg"):
    return SimpleUploadedFile(name, plaque_photo(*titles), "image/jpeg")


def read_wall(client, village, *titles, location="二楼"):
    """Step one: upload a photo of `titles`; returns the review page's URL."""
    response = client.post(
        reverse("wall_read", args=[village.code]), {"location": location, "photos": photo(*titles)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return response.url


def confirm_data(response, changes: dict | None = None) -> dict:
    """The review form as the page proposes it (every default left alone), with `changes`
    as {index: {field: value}}."""
    formset = response.context["formset"]
    data = {
        "form_token": response.context["confirm"]["form_token"].value(),
        "location": response.context["confirm"]["location"].value(),
        "form-TOTAL_FORMS": str(formset.total_form_count()),
        "form-INITIAL_FORMS": str(formset.initial_form_count()),
    }
    for index, form in enumerate(formset.forms):
        values = {**form.initial, **(changes or {}).get(index, {})}
        for field in ("title", "kind", "photo"):
            data[f"form-{index}-{field}"] = values[field]
        if values.get("approved_item"):
            data[f"form-{index}-approved_item"] = values["approved_item"]
        if values.get("selected"):
            data[f"form-{index}-selected"] = "on"
    return data


def proposals_by_title(response) -> dict:
    return {p.text: p for _form, p in response.context["rows"]}


# --- reading a wall ---------------------------------------------------------------------------


def test_wall_photo_becomes_proposals_and_one_tap_adds_the_new_ones(client, place):
    village = place["village"]
    client.force_login(place["staff"])
    review = client.get(read_wall(client, village, "党员活动室", "村务公开制度", "廉洁工作站"))
    assert review.status_code == 200
    found = proposals_by_title(review)
    assert set(found) == {"党员活动室", "村务公开制度", "廉洁工作站"}
    # Matched to the standard (exact), kinds guessed, and the inventory checked by room.
    assert found["村务公开制度"].match.exact and found["村务公开制度"].kind == "rule"
    assert found["村务公开制度"].match.item.title == "村务公开制度"
    assert found["党员活动室"].existing.pk == place["kept"].pk
    assert not found["党员活动室"].selected  # already inventoried in 二楼: not ticked
    assert found["廉洁工作站"].match is None and found["廉洁工作站"].kind == "organization"
    assert found["廉洁工作站"].elsewhere[0].pk == place["todo"].pk  # hangs in 一楼 too
    assert found["廉洁工作站"].selected
    content = review.content.decode()
    assert content.count('data-testid="already-inventoried"') == 1
    assert "本房间台账中已有" in content

    before = Signboard.objects.count()
    response = client.post(review.request["PATH_INFO"], confirm_data(review))
    assert response.status_code == 302 and response.url == reverse("village", args=[village.code])
    added = Signboard.objects.filter(pk__gt=place["todo"].pk).order_by("title")
    assert Signboard.objects.count() == before + 2
    assert [(s.title, s.kind, s.location) for s in added] == [
        ("廉洁工作站", "organization", "二楼"),
        ("村务公开制度", "rule", "二楼"),
    ]
    rule = added.get(title="村务公开制度")
    assert rule.approved_item.title == "村务公开制度" and rule.created_by == place["staff"]
    # One photo, kept as evidence, stamped and with what was read.
    (kept,) = InventoryPhoto.objects.all()
    assert {s.inventory_photo_id for s in added} == {kept.pk}
    assert kept.photo.storage.exists(kept.photo.name)
    assert {t["text"] for t in kept.texts_read} >= {"村务公开制度", "廉洁工作站"}
    history = client.get(reverse("signboard_history", args=[rule.pk])).content.decode()
    assert 'data-testid="inventory-photo"' in history and kept.photo_thumb.url in history
    assert AuditEntry.objects.filter(action="signboard.create").count() == 2
    # Today's figures: 廉洁工作站 (not in the standard) is one more sign to remove.
    tally = VillageTally.objects.get(village=village)
    assert tally.still_to_remove == 2


def test_corrections_on_the_review_page_are_what_is_saved(client, place):
    village = place["village"]
    client.force_login(place["staff"])
    review = client.get(read_wall(client, village, "科普宣传室"))
    (proposal,) = proposals_by_title(review).values()
    item = ApprovedItem.objects.get(standard__is_current=True, title="文体活动室")
    data = confirm_data(
        review, {0: {"title": "科普活动室", "kind": "plaque", "approved_item": item.pk}}
    )
    data["location"] = "三楼"
    client.post(review.request["PATH_INFO"], data)
    sign = Signboard.objects.get(title="科普活动室")
    assert (sign.kind, sign.approved_item, sign.location) == ("plaque", item, "三楼")


def test_nothing_ticked_saves_nothing_with_a_chinese_message(client, place):
    client.force_login(place["staff"])
    review = client.get(read_wall(client, place["village"], "科普宣传室"))
    before = (Signboard.objects.count(), InventoryPhoto.objects.count())
    response = client.post(
        review.request["PATH_INFO"], confirm_data(review, {0: {"selected": False}})
    )
    assert response.status_code == 200
    assert "请至少勾选一块牌子" in response.content.decode()
    assert (Signboard.objects.count(), InventoryPhoto.objects.count()) == before


def test_an_invalid_entry_saves_none_of_them(client, place):
    client.force_login(place["staff"])
    review = client.get(read_wall(client, place["village"], "科普宣传室", "心理咨询室"))
    before = (Signboard.objects.count(), InventoryPhoto.objects.count())
    response = client.post(review.request["PATH_INFO"], confirm_data(review, {1: {"title": " "}}))
    assert response.status_code == 200
    assert (Signboard.objects.count(), InventoryPhoto.objects.count()) == before


def test_the_service_is_all_or_nothing_and_leaves_no_files(place, tmp_path):
    village = place["village"]
    entries = [
        services.WallEntry(title="科普宣传室", kind="plaque", approved_item=None, photo=0),
        services.WallEntry(title="心理咨询室", kind="no-such-kind", approved_item=None, photo=0),
    ]
    wall = services.WallPhoto(data=plaque_photo("科普宣传室"), texts=[])
    with pytest.raises(services.ValidationError):
        services.signboards_create_from_photos(
            village=village, user=place["staff"], location="二楼", photos=[wall], entries=entries
        )
    assert not Signboard.objects.filter(title="科普宣传室").exists()
    assert not InventoryPhoto.objects.exists()
    media = tmp_path / "media"
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


def test_confirming_twice_adds_once(client, place):
    client.force_login(place["staff"])
    review = client.get(read_wall(client, place["village"], "科普宣传室"))
    data = confirm_data(review)
    client.post(review.request["PATH_INFO"], data)
    second = client.post(review.request["PATH_INFO"], data, follow=True)
    assert Signboard.objects.filter(title="科普宣传室").count() == 1
    assert second.status_code == 200


def test_a_file_that_is_not_a_photo_is_refused_in_chinese(client, place):
    client.force_login(place["staff"])
    url = reverse("wall_read", args=[place["village"].code])
    bad = SimpleUploadedFile("wall.jpg", b"<html>not a photo</html>", "image/jpeg")
    response = client.post(url, {"location": "二楼", "photos": bad})
    assert response.status_code == 200
    assert "不是照片" in response.content.decode()


def test_more_than_six_photos_at_once_are_refused(client, place):
    client.force_login(place["staff"])
    url = reverse("wall_read", args=[place["village"].code])
    photos = [photo("科普宣传室", name=f"{n}.jpg") for n in range(7)]
    response = client.post(url, {"location": "二楼", "photos": photos})
    assert response.status_code == 200
    assert "最多" in response.content.decode()


def test_a_reading_is_only_for_the_user_who_made_it(client, place, make_user):
    client.force_login(place["staff"])
    review_url = read_wall(client, place["village"], "科普宣传室")
    colleague = make_user("staff_colleague", role=roles.TOWN_STAFF, town=place["village"].town)
    client.force_login(colleague)
    response = client.get(review_url)
    assert response.status_code == 302
    assert response.url == reverse("wall_read", args=[place["village"].code])


def test_other_township_and_reviewer_get_404(client, place):
    for user in (place["other_staff"], place["reviewer"]):
        client.force_login(user)
        assert client.get(reverse("wall_read", args=[place["village"].code])).status_code == 404


def test_anonymous_goes_to_login(client, place):
    response = client.get(reverse("wall_read", args=[place["village"].code]))
    assert response.status_code == 302 and reverse("login") in response.url


# --- without the ocr extra ----------------------------------------------------------------------


@pytest.fixture
def without_ocr(monkeypatch):
    """As if the extra were not installed: importing rapidocr_onnxruntime fails."""
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)
    ocr._engine.cache_clear()
    yield
    ocr._engine.cache_clear()


def test_without_the_extra_the_page_says_so_and_removals_still_work(client, place, without_ocr):
    assert not ocr.available()
    client.force_login(place["staff"])
    page = client.get(reverse("wall_read", args=[place["village"].code]))
    assert page.status_code == 200
    assert 'data-testid="ocr-unavailable"' in page.content.decode()
    assert "不可用" in page.content.decode()
    assert "wall-form" not in page.content.decode()
    # A removal whose photo still shows the sign is saved without any check.
    response = client.post(
        reverse("removal_create", args=[place["todo"].pk]),
        with_token(removed_on="2024-03-02", reason="no_business", photo=photo("廉洁工作站")),
    )
    assert response.status_code == 302
    assert Removal.objects.get(signboard=place["todo"]).title_in_photo is False


def test_without_the_extra_the_command_says_so(without_ocr, tmp_path):
    path = tmp_path / "wall.jpg"
    path.write_bytes(plaque_photo("村务公开制度"))
    with pytest.raises(CommandError, match="未安装"):
        call_command("read_signs", str(path))


# --- checking a removal photo -------------------------------------------------------------------


def test_removal_photo_still_showing_the_sign_warns_then_saves_flagged(client, place):
    sign = place["todo"]
    client.force_login(place["staff"])
    url = reverse("removal_create", args=[sign.pk])
    form = with_token(removed_on="2024-03-02", reason="no_business", note="")
    warned = client.post(url, {**form, "photo": photo("廉洁工作站")})
    assert warned.status_code == 200
    assert 'data-testid="title-in-photo"' in warned.content.decode()
    assert "照片中仍可见该牌子" in warned.content.decode()
    assert not Removal.objects.filter(signboard=sign).exists()
    kept = warned.context["form"]["pending_photo"].value()
    assert kept
    # Sent again without ticking 仍然保存: warned again, still nothing saved.
    again = client.post(url, {**form, "pending_photo": kept})
    assert again.status_code == 200 and not Removal.objects.filter(signboard=sign).exists()
    # Ticked: saved with the kept photo, flagged for the reviewer.
    saved = client.post(url, {**form, "pending_photo": kept, "save_anyway": "on"})
    assert saved.status_code == 302
    removal = Removal.objects.get(signboard=sign)
    assert removal.title_in_photo is True
    assert removal.photo and removal.photo.storage.exists(removal.photo.name)
    village_page = client.get(reverse("village", args=[sign.village.code]))
    assert 'data-testid="title-in-photo-flag"' in village_page.content.decode()
    # The reviewer finds it on the township's page.
    client.force_login(place["reviewer"])
    town_page = client.get(reverse("town", args=[sign.village.town.code]))
    assert [r.pk for r in town_page.context["flagged"]] == [removal.pk]
    assert 'data-testid="flagged-removals"' in town_page.content.decode()
    other = client.get(reverse("town", args=[place["other_staff"].town_staff.town.code]))
    assert other.context["flagged"] == []


def test_removal_photo_of_a_bare_wall_saves_unflagged_at_once(client, place):
    sign = place["todo"]
    client.force_login(place["staff"])
    response = client.post(
        reverse("removal_create", args=[sign.pk]),
        with_token(removed_on="2024-03-02", reason="no_business", photo=photo("村务公开制度")),
    )
    assert response.status_code == 302
    assert Removal.objects.get(signboard=sign).title_in_photo is False


def test_a_kept_photo_is_only_for_its_sign(client, place):
    sign, other = place["todo"], place["kept"]
    client.force_login(place["staff"])
    form = with_token(removed_on="2024-03-02", reason="no_business")
    warned = client.post(
        reverse("removal_create", args=[sign.pk]), {**form, "photo": photo("廉洁工作站")}
    )
    kept = warned.context["form"]["pending_photo"].value()
    response = client.post(
        reverse("removal_create", args=[other.pk]),
        with_token(
            removed_on="2024-03-02", reason="duplicate", pending_photo=kept, save_anyway="on"
        ),
    )
    assert response.status_code == 200
    assert "已过期" in response.content.decode()
    assert not Removal.objects.filter(signboard=other).exists()


# --- the command --------------------------------------------------------------------------------


def test_read_signs_prints_json_with_scores_boxes_kinds_and_items(place, tmp_path, capsys):
    path = tmp_path / "wall.jpg"
    path.write_bytes(plaque_photo("村务公开制度", "廉洁工作站"))
    call_command("read_signs", str(path), "--json", "--village", place["village"].code)
    (result,) = json.loads(capsys.readouterr().out)
    signs = {s["text"]: s for s in result["signs"]}
    assert set(signs) == {"村务公开制度", "廉洁工作站"}
    rule = signs["村务公开制度"]
    assert rule["kind"] == "rule" and rule["item"]["title"] == "村务公开制度"
    assert rule["item"]["exact"] is True and rule["score"] > 0.9
    assert len(rule["box"]) == 4 and all(len(corner) == 2 for corner in rule["box"])
    assert signs["廉洁工作站"]["item"] is None
    assert signs["廉洁工作站"]["inventoried"] is False  # it hangs in 一楼, not in this photo's room
    assert result["seconds"] > 0


def test_read_signs_refuses_a_missing_file_plainly(tmp_path):
    with pytest.raises(CommandError, match="无法打开"):
        call_command("read_signs", str(tmp_path / "missing.jpg"))


def test_text_read_from_a_photo_is_escaped_on_the_review_page(client, place, monkeypatch):
    payload = '<script>alert("识")</script>管理制度'
    box = ((10, 10), (400, 10), (400, 60), (10, 60))
    monkeypatch.setattr(ocr, "read_image", lambda image: [ocr.TextLine(payload, 0.99, box)])
    client.force_login(place["staff"])
    review = client.get(read_wall(client, place["village"], "无关"))
    content = review.content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert" in content


def test_the_review_page_shows_the_photos_read_to_their_user_only(client, place, make_user):
    village = place["village"]
    client.force_login(place["staff"])
    review_url = read_wall(client, village, "科普宣传室")
    token = review_url.rstrip("/").rsplit("/", 1)[1]
    review = client.get(review_url)
    photo_url = reverse("wall_photo", args=[village.code, token, 0])
    assert photo_url in review.content.decode()
    served = client.get(photo_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served).startswith(b"\xff\xd8")  # a JPEG
    assert client.get(reverse("wall_photo", args=[village.code, token, 1])).status_code == 404
    colleague = make_user("staff_colleague2", role=roles.TOWN_STAFF, town=village.town)
    client.force_login(colleague)
    assert client.get(photo_url).status_code == 404


# --- with a job queue: the worker reads, the web never loads the engine ---------------------


@pytest.mark.django_db(transaction=True)
def test_with_a_queue_a_worker_reads_the_photos_and_the_web_never_does(
    client, place, worker, monkeypatch
):
    from utilities.models import Job, JobState

    def not_here(image):
        raise AssertionError("the web process read a photo")

    monkeypatch.setattr(ocr, "read_image", not_here)
    village = place["village"]
    client.force_login(place["staff"])
    wall = {"location": "二楼", "photos": photo("村务公开制度", "廉洁工作站")}
    response = client.post(reverse("wall_read", args=[village.code]), wall)
    job = Job.objects.get()
    assert response.url == reverse("job", args=[job.pk]) and job.state == JobState.QUEUED
    review_url = job.params["url"]
    assert client.get(review_url).url == reverse("job", args=[job.pk])  # not read yet: wait

    worker.burst()
    job.refresh_from_db()
    assert job.state == JobState.DONE, job.error
    assert client.get(reverse("job_status", args=[job.pk])).json()["next"] == review_url
    review = client.get(review_url)
    assert set(proposals_by_title(review)) == {"村务公开制度", "廉洁工作站"}
    before = Signboard.objects.count()
    response = client.post(review_url, confirm_data(review))
    assert response.url == reverse("village", args=[village.code])
    assert Signboard.objects.count() == before + 2
    (kept,) = InventoryPhoto.objects.all()
    assert {t["text"] for t in kept.texts_read} >= {"村务公开制度", "廉洁工作站"}


@pytest.mark.django_db(transaction=True)
def test_a_reading_job_of_a_user_who_lost_the_village_fails_and_says_why(
    client, place, worker, other_town
):
    from utilities.models import Job, JobState
    from villages.models import TownStaff

    village = place["village"]
    client.force_login(place["staff"])
    client.post(reverse("wall_read", args=[village.code]),
                {"location": "二楼", "photos": photo("村务公开制度")})  # fmt: skip
    TownStaff.objects.filter(user=place["staff"]).update(town=other_town)  # moved meanwhile
    worker.burst()
    job = Job.objects.get()
    assert job.state == JobState.FAILED and "无权" in job.error
    assert Signboard.objects.filter(village=village).count() == 2


@pytest.mark.django_db(transaction=True)
def test_with_a_queue_a_removal_saves_at_once_and_a_worker_flags_its_photo(
    client, place, worker, monkeypatch
):
    from utilities.models import Job, JobState

    def not_here(image):
        raise AssertionError("the web process read a photo")

    monkeypatch.setattr(ocr, "read_image", not_here)
    sign, bare = place["todo"], place["kept"]
    client.force_login(place["staff"])
    for signboard, picture in ((sign, "廉洁工作站"), (bare, "村务公开制度")):
        response = client.post(
            reverse("removal_create", args=[signboard.pk]),
            with_token(removed_on="2024-03-02", reason="no_business", photo=photo(picture)),
        )
        assert response.url == reverse("village", args=[sign.village.code])  # no warning
    assert not Removal.objects.filter(title_in_photo=True).exists()
    assert Job.objects.filter(task="removal_photo_check", state=JobState.QUEUED).count() == 2

    worker.burst()
    assert set(Job.objects.values_list("state", flat=True)) == {JobState.DONE}
    assert Removal.objects.get(signboard=sign).title_in_photo is True  # still shows: flagged
    assert Removal.objects.get(signboard=bare).title_in_photo is False
    (entry,) = AuditEntry.objects.filter(action="removal.title_in_photo")
    assert entry.actor == place["staff"] and entry.after["seen"] == "廉洁工作站"
    client.force_login(place["reviewer"])
    town_page = client.get(reverse("town", args=[sign.village.town.code]))
    assert [r.signboard_id for r in town_page.context["flagged"]] == [sign.pk]


def test_with_the_queue_down_a_reading_keeps_nothing_and_says_so(client, place, settings):
    from pathlib import Path

    from utilities.models import Job

    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    inputs = set(Path(settings.JOB_RESULTS_ROOT).rglob("*.zip"))
    client.force_login(place["staff"])
    response = client.post(reverse("wall_read", args=[place["village"].code]),
                           {"location": "二楼", "photos": photo("村务公开制度")})  # fmt: skip
    assert response.status_code == 503 and "后台任务服务暂时无法连接" in response.content.decode()
    assert not Job.objects.exists()
    assert not [p for p in Path(settings.IMPORT_UPLOAD_DIR).rglob("*") if p.is_file()]
    assert set(Path(settings.JOB_RESULTS_ROOT).rglob("*.zip")) == inputs
