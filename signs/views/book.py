"""一村一本: a village's book of the standard, or every book of a township, to print or as PDF."""

from __future__ import annotations

import segno
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _

from utilities.excel import content_disposition
from villages.access import visible_towns, visible_villages
from villages.decorators import town_or_city_required, village_visible

from .. import book_pdf, selectors
from .village import village_url

SIZES = ("a5", "a4")


def _size(request) -> str:
    size = request.GET.get("size", SIZES[0])
    return size if size in SIZES else SIZES[0]


def _page(request, *, books, title, back, pdf_url, pdf_name, ascii_name, as_pdf):
    """The print page of `books`, or its PDF; one template serves both."""
    context = {
        "pages": [
            (book, segno.make(village_url(book.village), error="m").svg_inline(scale=3))
            for book in books
        ],
        "title": title,
        "back_url": back[0],
        "back_label": back[1],
        "pdf_url": pdf_url,
        "size": _size(request),
        "sizes": SIZES,
        "pdf_unavailable": book_pdf.unavailable_reason(),
    }
    if not as_pdf:
        return render(request, "signs/book/books.html", context)
    if context["pdf_unavailable"]:
        return render(request, "signs/book/books.html", context, status=503)
    html = render_to_string("signs/book/books.html", {**context, "for_pdf": True}, request)
    response = HttpResponse(book_pdf.render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(pdf_name, ascii_name=ascii_name)
    return response


@village_visible
def village_book(request, village, as_pdf=False):
    """One village's book: cover, contents, the rules, its rooms' plaques, what it lacks."""
    books = selectors.books([village])
    title = _("Book of the standard: %(village)s") % {"village": village.name}
    return _page(
        request,
        books=books,
        title=title,
        back=(reverse("village", args=[village.code]), _("Back to the village")),
        pdf_url=reverse("village_book_pdf", args=[village.code]),
        pdf_name=f"{village.town.name}{village.name}制度汇编.pdf",
        ascii_name=f"hengzhou-book-{village.code}.pdf",
        as_pdf=as_pdf,
    )


@town_or_city_required
def town_books(request, code, as_pdf=False):
    """Every village's book of a township, one after another in one file."""
    town = get_object_or_404(visible_towns(request.user), code=code)
    villages = visible_villages(request.user).filter(town=town).select_related("town")
    books = selectors.books(villages.order_by("code"))
    title = _("Books of the standard: %(town)s") % {"town": town.name}
    return _page(
        request,
        books=books,
        title=title,
        back=(reverse("town", args=[town.code]), _("Back to the township")),
        pdf_url=reverse("town_books_pdf", args=[town.code]),
        pdf_name=f"{town.name}制度汇编.pdf",
        ascii_name=f"hengzhou-books-{town.code}.pdf",
        as_pdf=as_pdf,
    )


urlpatterns = [
    path("v/<str:code>/book/", village_book, name="village_book"),
    path("v/<str:code>/book.pdf", village_book, {"as_pdf": True}, name="village_book_pdf"),
    path("t/<str:code>/books/", town_books, name="town_books"),
    path("t/<str:code>/books.pdf", town_books, {"as_pdf": True}, name="town_books_pdf"),
]
