"""Offline Chinese OCR for 拍照识牌: the engine, loaded once per process, and reading a photo.

The engine is rapidocr_onnxruntime (PP-OCRv4 models inside its wheel; nothing is downloaded),
an optional extra (`pip install -e '.[ocr]'`; `make run` and `make test` install it). Without it
`available()` is False and every page says the feature is unavailable.

Reading takes about a second of CPU: call it outside any database transaction.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import threading
from dataclasses import dataclass

from PIL import Image

# A photo is downscaled to this long edge before reading: plaques stay legible, and a 12 MP
# phone photo costs no more than a 1600 px one.
READ_MAX_EDGE = 1600
# Lines the engine is less sure of than this are not proposed.
MIN_SCORE = 0.6

_lock = threading.Lock()


@dataclass(frozen=True)
class TextLine:
    """One line of text read from a photo: the text, the engine's confidence, its box."""

    text: str
    score: float
    box: tuple[tuple[int, int], ...]  # four corners, in the downscaled photo's pixels

    @property
    def height(self) -> float:
        """The character size: the mean length of the box's two shorter sides, so that a line
        on a tilted photo is as tall as it is upright, written across or down."""
        a, b, c, d = self.box
        across = (math.dist(a, b) + math.dist(c, d)) / 2
        down = (math.dist(b, c) + math.dist(d, a)) / 2
        return min(across, down)


class OcrUnavailable(RuntimeError):
    """The `ocr` extra is not installed."""


def available() -> bool:
    """Whether the `ocr` extra is installed (found, not imported: importing takes a while)."""
    try:
        return importlib.util.find_spec("rapidocr_onnxruntime") is not None
    except (ImportError, ValueError):
        return False


def load_engine() -> None:
    """Load the engine now (about a second) rather than at the first reading."""
    _engine()


@functools.cache
def _engine():
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:
        raise OcrUnavailable(str(exc)) from exc
    from django.conf import settings

    threads = getattr(settings, "OCR_THREADS", None)
    # One thread per engine where several processes share the cores (web workers, test
    # workers): onnxruntime's own pool would otherwise spin against the others.
    return RapidOCR(intra_op_num_threads=threads) if threads else RapidOCR()


def read_image(image: Image.Image) -> list[TextLine]:
    """Every line of text in `image` (RGB) that the engine reads with at least MIN_SCORE."""
    engine = _engine()  # first: without the extra, this raises OcrUnavailable
    import numpy as np  # installed with the engine

    image = image.copy()
    image.thumbnail((READ_MAX_EDGE, READ_MAX_EDGE), Image.Resampling.LANCZOS)
    pixels = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])  # BGR
    with _lock:  # one reading at a time per process: each already uses every core
        result, _elapse = engine(pixels)
    lines = []
    for box, text, score in result or ():
        if float(score) >= MIN_SCORE and text.strip():
            corners = tuple((round(x), round(y)) for x, y in box)
            lines.append(TextLine(text=text.strip(), score=round(float(score), 3), box=corners))
    return lines
