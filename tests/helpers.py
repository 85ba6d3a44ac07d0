"""Small helpers shared by the view tests."""

import importlib
import uuid


def with_token(data: dict | None = None, **fields) -> dict:
    """POST data for a write form, with a fresh one-time token as if from its own page load."""
    return {"form_token": str(uuid.uuid4()), **(data or {}), **fields}


def restore_roles() -> None:
    """Put the migrations' roles back after a transactional test flushed the database."""
    from django.apps import apps

    importlib.import_module("signs.migrations.0002_roles").create_roles(apps, None)
    separate = importlib.import_module("signs.migrations.0004_separate_administrators")
    separate.separate_administrators(apps, None)


def restore_weights() -> None:
    """Put the assessment's starting weights (supervision/0002) back after a flush."""
    from django.apps import apps

    importlib.import_module("supervision.migrations.0002_assessment_weights").add_weights(
        apps, None
    )


def plaque_photo(*titles: str, size=(1200, 800), quality=90) -> bytes:
    """A JPEG of a wall with one large white plaque per title, in a Chinese font.

    Skips the calling test where no CJK font is installed (apt-get install fonts-noto-cjk):
    without one the plaques would be blank and nothing could be read.
    """
    import io

    import pytest
    from PIL import Image, ImageDraw, ImageFont

    from benchmarks.ocr_photoset import available_fonts

    fonts = available_fonts()
    if not fonts:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    path, index, _label = fonts[0]
    image = Image.new("RGB", size, (226, 222, 212))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(path, 56, index=index)
    row = size[1] // max(len(titles), 1)
    for n, title in enumerate(titles):
        top = n * row + (row - 110) // 2
        draw.rectangle(
            (60, top, size[0] - 60, top + 110), fill="white", outline=(160, 0, 0), width=4
        )
        draw.text((size[0] // 2, top + 55), title, font=font, fill=(180, 0, 0), anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def ledger_download(client, data: dict | None = None):
    """The full 台账 as a user gets it: start the job (it runs in the request, with no queue),
    then the file from the job's page. Returns the file's response."""
    from django.urls import reverse

    started = client.post(reverse("ledger_export"), data or {})
    assert started.status_code == 302, started
    page = client.get(started.url)
    assert page.context["job"].state == "done", page.context["job"].error
    return client.get(reverse("job_file", args=[page.context["job"].pk]))
