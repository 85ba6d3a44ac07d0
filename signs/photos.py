"""Removal evidence photos: checked by content, downscaled, stamped like a 水印相机, no metadata."""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import math
import uuid
from dataclasses import dataclass
from pathlib import Path

import pillow_heif
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont, ImageOps

logger = logging.getLogger(__name__)

# iPhones upload HEIC unless the user changed the camera settings.
pillow_heif.register_heif_opener()

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
# Far above any phone camera (a 48 MP iPhone saves 12 MP by default), far below what would
# exhaust a worker's memory: a 40 MP RGB image is ~120 MB once decoded.
MAX_PIXELS = 40_000_000
MAX_EDGE = 1600
THUMB_EDGE = 320
JPEG_QUALITY = 85
# Only these parsers ever see an upload; Pillow identifies a JPEG with extra pictures as "MPO".
FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")

# Tried in order after settings.PHOTO_STAMP_FONT: (path, face index in a collection).
# Index 2 of Noto Sans CJK is the Simplified Chinese face (0 is Japanese, with other glyph shapes).
SYSTEM_FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)
STAMP_FONT_RATIO = 0.035  # font size as a share of the image width
STAMP_MIN_FONT = 12
STAMP_BAND_COLOR = (0, 0, 0, 140)  # dark, about 55 % opaque: the photo shows through


@dataclass(frozen=True)
class ProcessedPhoto:
    """A stamped JPEG ready for an ImageField, its thumbnail, and the stamped image's size."""

    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def process_photo(upload, *, village_name: str, taken_at: dt.datetime) -> ProcessedPhoto:
    """Check an uploaded photo by its content and return it downscaled, stamped and stripped.

    Raises ValidationError (translated message) for anything that is not a sound JPEG, PNG,
    WebP or HEIC photo within the size limits.
    """
    decoded = _decode(_read(upload))
    taken_at = camera_time(decoded) or taken_at
    image = _flatten(decoded)
    image.thumbnail((MAX_EDGE, MAX_EDGE), Image.Resampling.LANCZOS)  # never enlarges
    # The thumbnail is taken before stamping: at 320 px the stamp would be an illegible smear.
    thumb = image.copy()
    thumb.thumbnail((THUMB_EDGE, THUMB_EDGE), Image.Resampling.LANCZOS)
    _stamp(image, stamp_text(village_name=village_name, taken_at=taken_at))
    stem = uuid.uuid4().hex
    return ProcessedPhoto(
        image=ContentFile(_jpeg(image), name=f"{stem}.jpg"),
        thumbnail=ContentFile(_jpeg(thumb), name=f"{stem}_thumb.jpg"),
        width=image.width,
        height=image.height,
    )


EXIF_IFD = 0x8769
DATE_TIME_ORIGINAL = 0x9003


def open_photo(upload) -> Image.Image:
    """The upload checked as `process_photo` checks it, decoded upright as plain RGB, unstamped.

    Raises ValidationError (translated message) as `process_photo` does.
    """
    return _flatten(_decode(_read(upload)))


def camera_time(image: Image.Image) -> dt.datetime | None:
    """When the camera says the photo was taken (EXIF DateTimeOriginal, local time), if sane.

    The stamp should show when the board came down, not when a slow connection finished
    the upload; a missing, garbled or future date falls back to the time of recording.
    """
    raw = image.getexif().get_ifd(EXIF_IFD).get(DATE_TIME_ORIGINAL)
    try:
        taken = dt.datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S").replace(
            tzinfo=timezone.get_default_timezone()
        )  # cameras write local time without a zone; the phones are in Hengzhou
    except ValueError:
        return None
    if taken > timezone.now() or taken.year < 2000:
        return None
    return taken


def stamp_text(*, village_name: str, taken_at: dt.datetime) -> str:
    """The stamp's line: village and the time taken in Hengzhou, e.g. "城东村  2024-03-01 15:42"."""
    return f"{village_name}  {timezone.localtime(taken_at):%Y-%m-%d %H:%M}"


def _read(upload) -> bytes:
    """Return the upload's bytes, refusing an oversized file before anything decodes it."""
    if (getattr(upload, "size", None) or 0) > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The photo is larger than 15 MB."), code="too_large")
    if hasattr(upload, "seek"):
        upload.seek(0)  # a form may already have read it
    # Read one byte past the limit, so that a declared size that lies cannot get more through.
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The photo is larger than 15 MB."), code="too_large")
    return data


def _decode(data: bytes) -> Image.Image:
    """Open, verify and fully decode the bytes as an allowed format, upright per its EXIF."""
    too_many_pixels = ValidationError(
        _("The photo has too many pixels (more than 40 megapixels)."), code="too_many_pixels"
    )
    # Pillow's parsers report malformed input with many exception types (OSError, SyntaxError,
    # struct.error, ValueError, ...), so every failure while parsing untrusted bytes is a refusal.
    try:
        probe = Image.open(io.BytesIO(data), formats=FORMATS)  # reads the header only
    except Image.DecompressionBombError as exc:
        raise too_many_pixels from exc
    except Exception as exc:
        raise ValidationError(
            _("The file is not a photo (JPEG, PNG, WebP or HEIC)."), code="not_a_photo"
        ) from exc
    if probe.width * probe.height > MAX_PIXELS:
        raise too_many_pixels
    try:
        probe.verify()
        # verify() leaves the image unusable, and only a full decode finds a truncated file.
        image = Image.open(io.BytesIO(data), formats=FORMATS)
        # For a JPEG, decode at a reduced scale straight away, keeping the long edge >= MAX_EDGE.
        scale = MAX_EDGE / max(image.size)
        if scale < 1:
            image.draft(None, (math.ceil(image.width * scale), math.ceil(image.height * scale)))
        image.load()
        return ImageOps.exif_transpose(image)
    except Exception as exc:
        raise ValidationError(
            _("The photo is damaged or incomplete; please upload it again."), code="damaged"
        ) from exc


def _flatten(image: Image.Image) -> Image.Image:
    """Return a fresh RGB image on white, carrying none of the source's metadata.

    Pasting into a new image, rather than converting, leaves EXIF (with GPS), XMP and JPEG
    comments behind, and puts transparent areas on white instead of black.
    """
    flat = Image.new("RGB", image.size, "white")
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat.paste(rgba, mask=rgba.getchannel("A"))
    else:
        flat.paste(image.convert("RGB"))
    return flat


def _stamp(image: Image.Image, text: str) -> None:
    """Draw `text` in white on a semi-transparent dark band along the bottom of `image`."""
    width, height = image.size
    size = max(STAMP_MIN_FONT, round(width * STAMP_FONT_RATIO))
    font = _font(size)
    margin = size // 2
    # A long village name on a narrow portrait photo must still fit on one line.
    if (length := font.getlength(text)) > width - 2 * margin:
        size = max(STAMP_MIN_FONT, int(size * (width - 2 * margin) / length))
        font = _font(size)
    band = round(size * 1.8)
    draw = ImageDraw.Draw(image, "RGBA")  # RGBA drawing blends onto the RGB photo
    draw.rectangle((0, height - band, width, height), fill=STAMP_BAND_COLOR)
    draw.text((margin, height - band / 2), text, font=font, fill="white", anchor="lm")


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The stamp font at `size` pixels: a CJK font if one is found, else Pillow's default."""
    found = _find_font(getattr(settings, "PHOTO_STAMP_FONT", None))
    if found is None:
        return ImageFont.load_default(size=size)
    path, index = found
    return ImageFont.truetype(path, size, index=index)


@functools.cache
def _find_font(configured: str | None) -> tuple[str, int] | None:
    """Locate the stamp font once per configured value; warn once if there is no CJK font."""
    if configured and not Path(configured).is_file():
        logger.warning("PHOTO_STAMP_FONT %s does not exist; looking for a system font.", configured)
    candidates = ((configured, 0),) if configured else ()
    for path, index in (*candidates, *SYSTEM_FONTS):
        if Path(path).is_file():
            return path, index
    logger.warning(
        "No CJK font found for the photo stamp (install fonts-noto-cjk or set "
        "PHOTO_STAMP_FONT): Chinese village names will be missing from the stamp."
    )
    return None


def _jpeg(image: Image.Image) -> bytes:
    """Encode as a JPEG without any metadata (the image passed in has none to carry)."""
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return buf.getvalue()
