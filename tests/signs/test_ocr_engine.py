"""How the OCR engine is installed and run: headless OpenCV, one engine per process, photos
downscaled first, and reading outside any database transaction."""

from __future__ import annotations

import glob
import importlib.metadata
import os
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from PIL import Image

from signs import ocr
from tests.helpers import plaque_photo, with_token
from villages import roles

pytestmark = pytest.mark.skipif(not ocr.available(), reason="the ocr extra is not installed")


def test_opencv_is_the_headless_build_without_libgl():
    import cv2

    (extension,) = glob.glob(os.path.join(os.path.dirname(cv2.__file__), "cv2*.so"))
    linked = subprocess.run(["ldd", extension], capture_output=True, text=True, check=True).stdout
    assert "libGL" not in linked
    assert importlib.metadata.version("opencv-python-headless")
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        importlib.metadata.version("opencv-python")


def test_the_engine_is_loaded_once_per_process():
    ocr._engine.cache_clear()
    image = Image.new("RGB", (400, 300), "white")
    ocr.read_image(image)
    ocr.read_image(image)
    assert ocr._engine.cache_info().misses == 1
    assert ocr._engine.cache_info().hits >= 1


def test_a_large_photo_is_downscaled_before_reading(monkeypatch):
    shapes = []

    def engine(pixels):
        shapes.append(pixels.shape)
        return [], None

    monkeypatch.setattr(ocr, "_engine", lambda: engine)
    ocr.read_image(Image.new("RGB", (4000, 3000), "white"))
    ocr.read_image(Image.new("RGB", (800, 600), "white"))
    assert shapes == [(1200, 1600, 3), (600, 800, 3)]  # never enlarged


def test_lines_below_the_score_floor_are_dropped(monkeypatch):
    box = [[0, 0], [100, 0], [100, 30], [0, 30]]
    result = [[box, "党员活动室", 0.99], [box, "模糊字", ocr.MIN_SCORE - 0.01], [box, "  ", 0.99]]
    monkeypatch.setattr(ocr, "_engine", lambda: lambda pixels: (result, None))
    lines = ocr.read_image(Image.new("RGB", (200, 100), "white"))
    assert [line.text for line in lines] == ["党员活动室"]
    assert lines[0].box == ((0, 0), (100, 0), (100, 30), (0, 30)) and lines[0].height == 30


@pytest.mark.django_db(transaction=True)
def test_photos_are_read_outside_any_transaction(
    client, village, make_user, monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "pending")
    from signs.models import Signboard

    sign = Signboard.objects.create(
        village=village, title="廉洁工作站", kind="organization", inventoried_on="2024-01-02"
    )
    client.force_login(make_user("staff_tx", role=roles.TOWN_STAFF, town=village.town))
    in_transaction = []
    real = ocr.read_image

    def spy(image):
        in_transaction.append(connection.in_atomic_block)
        return real(image)

    monkeypatch.setattr(ocr, "read_image", spy)
    photo = SimpleUploadedFile("wall.jpg", plaque_photo("村务公开制度"), "image/jpeg")
    client.post(reverse("wall_read", args=[village.code]), {"location": "", "photos": photo})
    photo = SimpleUploadedFile("after.jpg", plaque_photo("村务公开制度"), "image/jpeg")
    response = client.post(
        reverse("removal_create", args=[sign.pk]),
        with_token(removed_on="2024-03-02", reason="no_business", photo=photo),
    )
    assert response.status_code == 302
    assert in_transaction == [False, False]
