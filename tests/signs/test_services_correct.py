"""signs.services.removal_correct: a returned removal's reason, note and photos corrected."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from signs import services
from signs.models import Removal
from villages.models import AuditEntry


def jpeg(colour=(120, 130, 140), size=(800, 600)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def removal(village, staff):
    sign = services.signboard_create(
        village=village, user=staff, kind="guidance", title="廉洁工作站",
        inventoried_on=dt.date(2024, 1, 2),
    )  # fmt: skip
    return services.removal_record(
        signboard=sign, user=staff, removed_on=dt.date(2024, 3, 1), reason="no_business",
        photo=jpeg(), photo_before=jpeg((10, 10, 10)),
    )  # fmt: skip


def files(folder) -> set[str]:
    return {p.name for p in folder.rglob("*") if p.is_file()}


def test_correct_changes_reason_and_note_and_audits(removal, staff):
    corrected = services.removal_correct(
        removal=removal, user=staff, reason="duplicate", note="  与党员活动室重复  "
    )
    stored = Removal.objects.get(pk=removal.pk)
    assert (stored.reason, stored.note) == ("duplicate", "与党员活动室重复")
    assert corrected.reason == "duplicate"
    assert stored.photo.name == removal.photo.name  # no new photo: the old one stays
    entry = AuditEntry.objects.get(action="removal.correct")
    assert (entry.actor, entry.object_id) == (staff, str(removal.pk))
    assert (entry.before["reason"], entry.after["reason"]) == ("no_business", "duplicate")


def test_new_photo_replaces_the_old_whose_files_go_only_after_the_commit(
    removal, staff, media, django_capture_on_commit_callbacks
):
    old = {removal.photo.name, removal.photo_thumb.name}
    before_photo = removal.photo_before.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        corrected = services.removal_correct(
            removal=removal, user=staff, reason="no_business", note="", photo=jpeg((200, 0, 0))
        )
        # Not yet committed: the old evidence is still on disk.
        assert all(default_storage.exists(name) for name in old)
    assert len(callbacks) == 1
    callbacks[0]()
    assert not any(default_storage.exists(name) for name in old)
    assert corrected.photo.name not in old and default_storage.exists(corrected.photo.name)
    assert default_storage.exists(corrected.photo_thumb.name)
    assert corrected.photo_before.name == before_photo and default_storage.exists(before_photo)
    entry = AuditEntry.objects.get(action="removal.correct")
    assert entry.before["photo"] == removal.photo.name
    assert entry.after["photo"] == corrected.photo.name


def test_refused_correction_keeps_the_old_photos_and_leaves_no_new_file(
    removal, staff, media, django_capture_on_commit_callbacks
):
    before = files(media)
    bad = SimpleUploadedFile("x.jpg", b"not a picture at all")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as info:
        services.removal_correct(
            removal=removal, user=staff, reason="duplicate", note="",
            photo=jpeg((0, 200, 0)), photo_before=bad,
        )  # fmt: skip
    assert "photo_before" in info.value.message_dict
    assert files(media) == before
    stored = Removal.objects.get(pk=removal.pk)
    assert (stored.reason, stored.photo.name) == ("no_business", removal.photo.name)
    assert not AuditEntry.objects.filter(action="removal.correct").exists()


def test_other_reason_needs_a_note(removal, staff):
    with pytest.raises(ValidationError) as info:
        services.removal_correct(removal=removal, user=staff, reason="other", note=" ")
    assert "请在备注中说明原因" in " ".join(info.value.messages)
    assert Removal.objects.get(pk=removal.pk).reason == "no_business"


def test_revoked_removal_cannot_be_corrected(removal, staff):
    services.removal_revoke(removal=removal, user=staff, reason="登记错了")
    with pytest.raises(ValidationError) as info:
        services.removal_correct(removal=removal, user=staff, reason="duplicate", note="")
    assert "已撤销的摘除记录不能更正" in " ".join(info.value.messages)
    assert Removal.objects.get(pk=removal.pk).reason == "no_business"


def test_title_in_photo_is_kept_unless_given(removal, staff):
    Removal.objects.filter(pk=removal.pk).update(title_in_photo=True)
    services.removal_correct(removal=removal, user=staff, reason="duplicate", note="")
    assert Removal.objects.get(pk=removal.pk).title_in_photo is True
    services.removal_correct(
        removal=removal, user=staff, reason="duplicate", note="", photo=jpeg(),
        title_in_photo=False,
    )  # fmt: skip
    assert Removal.objects.get(pk=removal.pk).title_in_photo is False
