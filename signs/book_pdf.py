"""一村一本 as PDF.

The route is WeasyPrint: it lays out the print page's own HTML and CSS (paged media: A5 or A4
pages, page numbers in the margin, the contents' page numbers through `target-counter`), so the
PDF and the page a township prints from its browser cannot drift apart; it embeds a subset of
the CJK fonts it uses (Noto Serif/Sans CJK from Debian's fonts-noto-cjk), so the file reads the
same on a computer without them; and it runs inside the worker, with no browser on the server.
ReportLab would mean a second layout kept in step by hand, and cannot embed Noto CJK's CFF
outlines; Chromium's print-to-PDF would put a browser on every web host.

WeasyPrint needs the system's Pango. Like the OCR extra, it is optional: without it the print
page still works and the PDF link says what the server lacks (`unavailable_reason`).
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

from django.contrib.staticfiles import finders
from django.utils.translation import gettext as _
from PIL import ImageFile

STYLESHEET = "css/book.css"


@functools.cache
def _weasyprint():
    """The weasyprint module, or the reason it cannot be loaded (a string)."""
    if importlib.util.find_spec("weasyprint") is None:
        return "missing-package"
    # WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process on import; the
    # removal photos' check (signs.photos) refuses truncated uploads, so put it back.
    truncated = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        import weasyprint
    except OSError:  # the package is there, Pango is not
        return "missing-pango"
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated
    return weasyprint


def unavailable_reason() -> str | None:
    """Why this server cannot write PDFs, in the user's language; None when it can."""
    module = _weasyprint()
    if module == "missing-package":
        return _(
            "The server cannot write PDFs: the WeasyPrint package is not installed "
            "(pip install '.[pdf]'). Print the page from the browser instead."
        )
    if module == "missing-pango":
        return _(
            "The server cannot write PDFs: the system's Pango library is missing "
            "(apt-get install libpango-1.0-0 libpangoft2-1.0-0). "
            "Print the page from the browser instead."
        )
    return None


def _refuse_fetch(url: str, *args, **kwargs):
    """The book's HTML carries everything inline; a page never makes the server fetch a URL."""
    raise ValueError(f"not fetched: {url}")


def render_pdf(html: str) -> bytes:
    """The PDF of the book page `html` (rendered with `for_pdf`), laid out by book.css."""
    weasyprint = _weasyprint()
    if isinstance(weasyprint, str):
        raise RuntimeError(unavailable_reason())
    stylesheet = weasyprint.CSS(filename=str(Path(finders.find(STYLESHEET))))
    document = weasyprint.HTML(string=html, url_fetcher=_refuse_fetch)
    return document.write_pdf(stylesheets=[stylesheet])
