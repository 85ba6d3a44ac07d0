"""A removal photo made small on the phone before it is sent: upright, at most 1600 px, JPEG,
with the camera's time carried beside it (static/js/photo-shrink.js)."""

import datetime as dt
import io
import random

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from signs import photos, readings
from signs.models import Removal, Signboard
from villages import roles
from villages.models import Town, Village

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAKEN = "2024:03:02 10:15:00"


def camera_photo() -> bytes:
    """A phone's photo: 3000×2250 of fine detail (several MB), held sideways (EXIF
    Orientation 6: turn it 90° to see it upright), with its DateTimeOriginal."""
    rng = random.Random(7)
    image = Image.frombytes("RGB", (3000, 2250), rng.randbytes(3000 * 2250 * 3))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif.get_ifd(0x8769)[0x9003] = TAKEN  # DateTimeOriginal
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def sign(fixtures_loaded, make_user, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(readings, "seen_in_removal_photo", lambda title, upload: "")
    town = Town.objects.get(code="450181100")
    village = Village.objects.create(town=town, code="450181100201", name="城东村")
    make_user("staff_photo", role=roles.TOWN_STAFF, town=town)
    return Signboard.objects.create(
        village=village, title="廉洁工作站", kind="guidance", inventoried_on=dt.date(2024, 1, 2)
    )


def test_the_photo_is_made_small_upright_and_keeps_its_time(
    page, live_server, sign, monkeypatch, screenshot
):
    stamped = []
    real = photos.stamp_text
    monkeypatch.setattr(
        photos, "stamp_text", lambda **kw: stamped.append(kw["taken_at"]) or real(**kw)
    )
    original = camera_photo()
    assert len(original) > 3_000_000
    sent = []
    page.on("request", lambda r: sent.append(len(r.post_data_buffer or b""))
            if r.method == "POST" else None)  # fmt: skip
    sign_in(page, live_server, "staff_photo")
    page.goto(f"{live_server.url}/s/{sign.pk}/remove/")
    photo = page.locator('input[name="photo"]')
    page.evaluate(
        "() => document.addEventListener('photo-ready', () => { window.photoReady = true; })"
    )
    photo.set_input_files({"name": "IMG_0001.JPG", "mimeType": "image/jpeg", "buffer": original})
    page.wait_for_function("() => window.photoReady === true")
    size = photo.evaluate("el => el.files[0].size")
    assert size < len(original) / 2
    taken = page.locator('input[name="photo_taken_at"]').input_value()
    # exifr reads DateTimeOriginal (no zone) as the phone's local time.
    expected = page.evaluate("() => new Date(2024, 2, 2, 10, 15, 0).toISOString()")
    assert taken == expected
    screenshot("removal-photo-shrunk")
    page.get_by_role("button", name="保存摘除记录").click()
    expect(page.locator(".alert-success")).to_be_visible()

    removal = Removal.objects.get(signboard=sign)
    with Image.open(removal.photo.path) as image:
        width, height = image.size
    assert (width, height) == (1200, 1600)  # turned upright, then 1600 px on its long side
    assert sent and max(sent) < len(original) / 2  # what went over the network was small
    assert stamped == [dt.datetime.fromisoformat(expected.replace("Z", "+00:00"))]
    assert timezone.is_aware(stamped[0])
