"""The media view (removal photos) and the photo upload: signed-in users only, no path
traversal, served as images with nosniff, stored re-encoded under random names."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from signs.models import Removal

from .support import OWN, content, form_data, is_login_redirect

SECRET = b"TOP-SECRET-NOT-A-PHOTO"
RANDOM_NAME = re.compile(r"[0-9a-f]{32}(_thumb)?\.jpg")


def jpeg_bytes(size=(640, 480)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 130, 140)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def stored(private_folders):
    """A photo in MEDIA_ROOT, and a secret file next to (outside) MEDIA_ROOT."""
    media = settings.MEDIA_ROOT
    (media / "removals").mkdir()
    (media / "removals" / "a.jpg").write_bytes(jpeg_bytes())
    (private_folders / "secret.txt").write_bytes(SECRET)
    return media


def test_anonymous_gets_login_not_the_photo(world, stored):
    response = Client().get("/media/removals/a.jpg")
    assert is_login_redirect(response)
    assert b"\xff\xd8" not in content(response)


TRAVERSALS = [
    "/media/../secret.txt",
    "/media/%2e%2e/secret.txt",
    "/media/%2E%2E%2Fsecret.txt",
    "/media/..%2fsecret.txt",
    "/media/removals/../../secret.txt",
    "/media/removals/%2e%2e/%2e%2e/secret.txt",
    "/media/%252e%252e/secret.txt",
    "/media/..%5csecret.txt",
    "/media/....//secret.txt",
    "/media/.%2e/secret.txt",
    "/media/removals/..;/..;/secret.txt",
    "/media/%c0%ae%c0%ae/secret.txt",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_never_reads_outside_media(world, stored, path):
    client = world.client(world.staff[OWN])
    response = client.get(path)
    # 404, or 400 where Django's safe_join calls the path suspicious: never the file.
    assert response.status_code in (400, 404), path
    assert SECRET not in content(response)


def test_absolute_and_deep_paths_never_reach_project_files(world, stored, private_folders):
    client = world.client(world.staff[OWN])
    settings_file = settings.BASE_DIR / "hengzhou" / "settings" / "base.py"
    attempts = [
        "/media/" + str(private_folders / "secret.txt"),
        "/media//" + str(private_folders / "secret.txt").lstrip("/"),
        "/media/" + "../" * 12 + str(settings_file).lstrip("/"),
        "/media/" + "%2e%2e/" * 12 + str(settings_file).lstrip("/"),
        "/media/" + str(settings_file),
    ]
    for path in attempts:
        response = client.get(path)
        assert response.status_code in (400, 404), path
        body = content(response)
        assert SECRET not in body and b"INSTALLED_APPS" not in body, path


def test_no_directory_listing(world, stored):
    client = world.client(world.staff[OWN])
    for path in ("/media/removals/", "/media/removals", "/media/"):
        response = client.get(path)
        assert response.status_code in (301, 404), path
        assert b"a.jpg" not in content(response)


@pytest.fixture
def uploaded(world):
    """A removal recorded with two photos through the form, under revealing file names."""
    client = world.client(world.staff[OWN])
    response = client.post(
        reverse("removal_create", args=[world.signs[OWN].pk]),
        form_data(
            removed_on="2024-03-02",
            reason="no_business",
            photo=SimpleUploadedFile("城东村-张三-after.jpg", jpeg_bytes(), "image/jpeg"),
            photo_before=SimpleUploadedFile("before<script>.jpeg", jpeg_bytes(), "image/jpeg"),
        ),
    )
    assert response.status_code == 302
    return Removal.objects.get(signboard=world.signs[OWN], revoked_at__isnull=True)


def test_stored_photo_is_served_as_jpeg_with_nosniff(world, uploaded):
    client = world.client(world.staff[OWN])
    for field in (uploaded.photo, uploaded.photo_thumb, uploaded.photo_before):
        response = client.get(field.url)
        assert response.status_code == 200, field.url
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert content(response).startswith(b"\xff\xd8")


def test_uploaded_photos_are_stored_under_random_names(world, uploaded):
    names = [f.name.rsplit("/", 1)[-1] for f in (uploaded.photo, uploaded.photo_thumb,
             uploaded.photo_before, uploaded.photo_before_thumb)]  # fmt: skip
    for name in names:
        assert RANDOM_NAME.fullmatch(name), name
    assert len({n.removeprefix("_thumb") for n in names}) == 4
    assert uploaded.photo.name.split("_thumb")[0][:-4] != uploaded.photo_before.name[:-4]
    for field in (uploaded.photo, uploaded.photo_before):
        assert "城东村" not in field.name and "script" not in field.name


def test_two_uploads_of_the_same_file_get_different_names(world):
    client = world.client(world.staff[OWN])
    names = []
    for sign in (world.signs[OWN], world.kept[OWN]):
        client.post(
            reverse("removal_create", args=[sign.pk]),
            form_data(removed_on="2024-03-02", reason="no_business",
                      photo=SimpleUploadedFile("same.jpg", jpeg_bytes())),
        )  # fmt: skip
        names.append(Removal.objects.get(signboard=sign).photo.name)
    assert names[0] != names[1]
    assert all(RANDOM_NAME.fullmatch(n.rsplit("/", 1)[-1]) for n in names)


def test_html_disguised_as_a_photo_is_refused_and_nothing_stored(world):
    client = world.client(world.staff[OWN])
    for name, data in [
        ("x.jpg", b"<html><script>alert(1)</script></html>"),
        ("x.html", b"<html><script>alert(1)</script></html>"),
        ("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ]:
        response = client.post(
            reverse("removal_create", args=[world.signs[OWN].pk]),
            form_data(removed_on="2024-03-02", reason="no_business",
                      photo=SimpleUploadedFile(name, data, "image/jpeg")),
        )  # fmt: skip
        assert response.status_code == 200, name  # the form again, with the error
    assert not Removal.objects.filter(signboard=world.signs[OWN]).exists()
    assert not [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]


def test_a_polyglot_is_re_encoded_so_its_payload_is_not_served(world):
    """A real JPEG with HTML appended is accepted as a photo, but what is stored and served is
    the re-encoded image: the appended bytes are gone, the name is a random .jpg."""
    client = world.client(world.staff[OWN])
    payload = b"<html><script>alert(document.cookie)</script></html>"
    response = client.post(
        reverse("removal_create", args=[world.signs[OWN].pk]),
        form_data(removed_on="2024-03-02", reason="no_business",
                  photo=SimpleUploadedFile("x.html", jpeg_bytes() + payload, "text/html")),
    )  # fmt: skip
    assert response.status_code == 302
    removal = Removal.objects.get(signboard=world.signs[OWN])
    assert removal.photo.name.endswith(".jpg")
    served = client.get(removal.photo.url)
    assert served["Content-Type"] == "image/jpeg"
    assert payload not in content(served)
    assert b"<script" not in content(served)
