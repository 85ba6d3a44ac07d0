"""拍照识牌 from an upload to proposals: what the page, the removal form and `read_signs` share.

`read_photo` checks, downscales and reads one photo (about a second: call it outside any
transaction); `proposals` turns what was read into entries for a village, against the current
standard and the village's inventory.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils import timezone
from PIL import Image

from villages.models import Village

from . import ocr, photos, selectors
from .choices import SignStatus
from .ocr import TextLine
from .sign_reading import Existing, Item, Proposal, propose, title_seen

KEPT_JPEG_QUALITY = 90


def _downscaled(upload) -> Image.Image:
    image = photos.open_photo(upload)
    image.thumbnail((ocr.READ_MAX_EDGE, ocr.READ_MAX_EDGE), Image.Resampling.LANCZOS)
    return image


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=KEPT_JPEG_QUALITY)
    return buffer.getvalue()


def read_photo(upload) -> tuple[bytes, list[TextLine]]:
    """The photo checked (signs.photos), downscaled to the reading size, and the lines read.

    Returns the downscaled JPEG (what is kept as evidence) and the lines. Raises
    ValidationError for a file that is not a sound photo, OcrUnavailable without the extra.
    """
    image = _downscaled(upload)
    return _jpeg(image), ocr.read_image(image)


def kept_photo(upload) -> bytes:
    """The photo checked and downscaled as `read_photo` keeps it, not read: the web's half of
    a reading a job does (`read_kept_photo`), so that the web never loads the engine."""
    return _jpeg(_downscaled(upload))


def read_kept_photo(data: bytes) -> list[TextLine]:
    """The lines of a photo `kept_photo` made (in a worker)."""
    with Image.open(io.BytesIO(data)) as image:
        return ocr.read_image(image.convert("RGB"))


def lines_to_data(lines: Sequence[TextLine]) -> list[dict]:
    return [{"text": x.text, "score": x.score, "box": [list(p) for p in x.box]} for x in lines]


def lines_from_data(data: Sequence[dict]) -> list[TextLine]:
    return [
        TextLine(text=x["text"], score=x["score"], box=tuple(tuple(p) for p in x["box"]))
        for x in data
    ]


def standard_items() -> list[Item]:
    return [Item(pk=i.pk, kind=i.kind, title=i.title) for i in selectors.standard_items()]


def hanging_signs(village: Village) -> list[Existing]:
    """The village's signs on the wall today (not removed), as duplicates are checked against."""
    signs = selectors.village_signs(village=village, as_of=timezone.localdate())
    return [
        Existing(pk=s.pk, title=s.title, location=s.location)
        for s in signs
        if s.status != SignStatus.REMOVED
    ]


def proposals(
    photos_lines: Sequence[Sequence[TextLine]], *, village: Village | None, location: str = ""
) -> list[Proposal]:
    """One proposed entry per plaque title read, matched to the current standard and, for a
    village, checked against its inventory."""
    return propose(
        photos_lines,
        items=standard_items(),
        inventory=hanging_signs(village) if village else (),
        location=location,
        village_name=village.name if village else "",
        town_name=village.town.name if village else "",
    )


def seen_in_removal_photo(title: str, upload) -> str:
    """The text that still shows the removed sign's `title` in the photo, or "" if none does
    (or the reader is not installed). Raises ValidationError for a file that is not a photo."""
    if not ocr.available():
        return ""
    _data, lines = read_photo(upload)
    line = title_seen(title, lines)
    return line.text if line else ""
