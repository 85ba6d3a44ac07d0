import datetime as dt
import io
import logging
import re

import pillow_heif
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageStat

from signs import photos

# 07:42 UTC is 15:42 in Hengzhou.
TAKEN_AT = dt.datetime(2024, 3, 1, 7, 42, tzinfo=dt.UTC)


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **params)
    return buf.getvalue()


def upload(content: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def process(content: bytes, name: str = "photo.jpg") -> photos.ProcessedPhoto:
    return photos.process_photo(upload(content, name), village_name="城东村", taken_at=TAKEN_AT)


def opened(file) -> Image.Image:
    file.seek(0)
    return Image.open(io.BytesIO(file.read()))


def refusal(content: bytes, name: str = "photo.jpg") -> ValidationError:
    with pytest.raises(ValidationError) as info:
        process(content, name)
    return info.value


def test_large_jpeg_is_downscaled_with_thumbnail():
    result = process(encode(Image.new("RGB", (4000, 3000), "gray"), "JPEG"))

    image, thumb = opened(result.image), opened(result.thumbnail)
    assert (image.format, image.size) == ("JPEG", (1600, 1200))
    assert (result.width, result.height) == (1600, 1200)
    assert (thumb.format, thumb.size) == ("JPEG", (320, 240))
    stem = re.fullmatch(r"([0-9a-f]{32})\.jpg", result.image.name).group(1)
    assert result.thumbnail.name == f"{stem}_thumb.jpg"


def test_png_with_alpha_becomes_rgb_jpeg_on_white():
    result = process(encode(Image.new("RGBA", (400, 300), (255, 0, 0, 0)), "PNG"), "x.png")

    image = opened(result.image)
    assert (image.format, image.mode) == ("JPEG", "RGB")
    # Transparent areas are white, not black (top left corner, away from the stamp).
    assert min(image.getpixel((5, 5))) > 245


@pytest.mark.parametrize(
    "fmt",
    ["WEBP", pytest.param("HEIF", id="HEIC")],
)
def test_webp_and_heic_are_accepted(fmt):
    source = Image.new("RGB", (640, 480), (30, 120, 200))
    if fmt == "HEIF":
        buf = io.BytesIO()
        pillow_heif.from_pillow(source).save(buf, quality=50)
        content = buf.getvalue()
    else:
        content = encode(source, fmt)

    image = opened(process(content, "IMG_0001.heic").image)

    assert (image.format, image.size) == ("JPEG", (640, 480))


def test_exif_orientation_is_applied_and_small_photo_not_enlarged():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    result = process(encode(Image.new("RGB", (300, 200), "gray"), "JPEG", exif=exif))

    assert opened(result.image).size == (200, 300)


def test_output_has_no_exif_gps_or_comment():
    exif = Image.Exif()
    exif[0x010F] = "Apple"  # Make
    exif[0x8825] = {1: "N", 2: (22.0, 41.0, 0.0), 3: "E", 4: (109.0, 15.0, 0.0)}  # GPSInfo
    content = encode(Image.new("RGB", (800, 600), "gray"), "JPEG", exif=exif, comment=b"secret")
    assert Image.open(io.BytesIO(content)).getexif().get_ifd(0x8825)  # the input has GPS

    result = process(content)

    for file in (result.image, result.thumbnail):
        image = opened(file)
        assert not image.getexif()
        assert "exif" not in image.info
        assert "comment" not in image.info


def test_stamp_darkens_the_bottom_band_only():
    result = process(encode(Image.new("RGB", (1600, 1200), "white"), "PNG"), "white.png")

    image = opened(result.image).convert("L")
    top = ImageStat.Stat(image.crop((0, 0, 1600, 40))).mean[0]
    bottom = ImageStat.Stat(image.crop((0, 1160, 1600, 1200))).mean[0]
    assert top > 250
    assert bottom < 200
    # The thumbnail is not stamped.
    thumb = opened(result.thumbnail).convert("L")
    assert ImageStat.Stat(thumb.crop((0, 230, 320, 240))).mean[0] > 250


def test_stamp_text_is_in_local_time():
    assert photos.stamp_text(village_name="城东村", taken_at=TAKEN_AT) == "城东村  2024-03-01 15:42"


def test_text_file_named_jpg_is_refused_with_a_clear_message():
    error = refusal(b"this is not a photo\n" * 50)

    assert error.code == "not_a_photo"
    assert error.messages == ["该文件不是照片（支持 JPEG、PNG、WebP 或 HEIC 格式）。"]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(encode(Image.new("P", (100, 100)), "GIF"), id="gif"),
        pytest.param(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", id="pdf"),
        pytest.param(b"", id="empty"),
    ],
)
def test_other_files_are_refused(content):
    assert refusal(content).code == "not_a_photo"


def test_truncated_jpeg_is_refused():
    content = encode(Image.effect_noise((800, 600), 64).convert("RGB"), "JPEG")

    error = refusal(content[: len(content) // 2])

    assert error.code == "damaged"
    assert error.messages == ["照片已损坏或不完整，请重新上传。"]


def test_png_failing_verify_is_refused():
    content = bytearray(encode(Image.effect_noise((200, 200), 64), "PNG"))
    idat = content.index(b"IDAT")
    content[idat + 20] ^= 0xFF  # the chunk's checksum no longer matches

    assert refusal(bytes(content), "x.png").code == "damaged"


def test_too_many_pixels_is_refused_before_decoding():
    # 48 MP of a single colour compresses to a few kB: a small file that would decode huge.
    content = encode(Image.new("1", (8000, 6000)), "PNG")
    assert len(content) < 100_000

    error = refusal(content, "bomb.png")

    assert error.code == "too_many_pixels"
    assert error.messages == ["照片像素过高（超过 4000 万像素）。"]


class OversizedUpload:
    """Declares more than the limit; reading it would fail the test."""

    name = "huge.jpg"
    size = photos.MAX_UPLOAD_BYTES + 1

    def read(self, *args):
        raise AssertionError("an oversized upload must be refused before it is read")


def test_oversized_upload_is_refused_before_reading():
    with pytest.raises(ValidationError) as info:
        photos.process_photo(OversizedUpload(), village_name="城东村", taken_at=TAKEN_AT)

    assert info.value.code == "too_large"
    assert info.value.messages == ["照片超过 15 MB。"]


def test_upload_larger_than_its_declared_size_is_refused(monkeypatch):
    monkeypatch.setattr(photos, "MAX_UPLOAD_BYTES", 1000)
    file = upload(encode(Image.new("RGB", (800, 600), "gray"), "JPEG", quality=100))
    file.size = 10  # a size that lies

    with pytest.raises(ValidationError) as info:
        photos.process_photo(file, village_name="城东村", taken_at=TAKEN_AT)

    assert info.value.code == "too_large"


@pytest.fixture
def fresh_font_lookup():
    photos._find_font.cache_clear()
    yield
    photos._find_font.cache_clear()


def test_configured_font_comes_first(settings, tmp_path, fresh_font_lookup):
    font = tmp_path / "stamp.ttf"
    font.write_bytes(b"")
    settings.PHOTO_STAMP_FONT = str(font)

    assert photos._find_font(settings.PHOTO_STAMP_FONT) == (str(font), 0)


def test_without_cjk_font_the_default_font_still_stamps(
    settings, tmp_path, monkeypatch, caplog, fresh_font_lookup
):
    settings.PHOTO_STAMP_FONT = str(tmp_path / "missing.ttf")
    monkeypatch.setattr(photos, "SYSTEM_FONTS", ())

    with caplog.at_level(logging.WARNING, logger="signs.photos"):
        result = process(encode(Image.new("RGB", (800, 600), "white"), "PNG"), "white.png")
        process(encode(Image.new("RGB", (800, 600), "white"), "PNG"), "white.png")

    image = opened(result.image).convert("L")
    assert ImageStat.Stat(image.crop((0, 580, 800, 600))).mean[0] < 200
    assert sum("No CJK font" in r.getMessage() for r in caplog.records) == 1


def test_pillow_decompression_bomb_error_is_refused(monkeypatch):
    # Pillow itself refuses images over twice its MAX_IMAGE_PIXELS when opening them.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)

    error = refusal(encode(Image.new("RGB", (100, 100), "gray"), "JPEG"))

    assert error.code == "too_many_pixels"


def exif_photo(date_time_original: str) -> bytes:
    exif = Image.Exif()
    exif.get_ifd(photos.EXIF_IFD)[photos.DATE_TIME_ORIGINAL] = date_time_original
    return encode(Image.new("RGB", (400, 300), "white"), "JPEG", exif=exif)


def test_camera_time_is_read_as_local_time():
    image = Image.open(io.BytesIO(exif_photo("2024:03:01 09:15:00")))
    assert photos.camera_time(image) == dt.datetime(2024, 3, 1, 1, 15, tzinfo=dt.UTC)


@pytest.mark.parametrize("raw", ["2999:01:01 00:00:00", "garbage", "1980:01:01 00:00:00"])
def test_future_garbled_or_ancient_camera_time_is_ignored(raw):
    assert photos.camera_time(Image.open(io.BytesIO(exif_photo(raw)))) is None


def test_stamp_uses_the_camera_time_when_there_is_one(monkeypatch):
    stamped = []
    monkeypatch.setattr(photos, "_stamp", lambda image, text: stamped.append(text))
    photos.process_photo(
        upload(exif_photo("2024:03:01 09:15:00")), village_name="城东村", taken_at=TAKEN_AT
    )
    photos.process_photo(
        upload(encode(Image.new("RGB", (400, 300)), "JPEG")), village_name="城东村",
        taken_at=TAKEN_AT,
    )  # fmt: skip
    assert stamped == ["城东村  2024-03-01 09:15", "城东村  2024-03-01 15:42"]
