"""A village's page (the inventory by room, the standard's checklist) and its QR code."""

import io

import segno
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone

from utilities.forms import AsOfForm
from utilities.offline import offline_page
from villages.access import (
    can_edit_village,
)
from villages.decorators import village_visible

from .. import selectors
from ..choices import SignStatus
from ..forms import BulkRemovalForm


@offline_page
@village_visible
def village_detail(request, village):
    """The inventory by room with each sign's state, and the standard's checklist."""
    as_of, _year = AsOfForm(request.GET).values()
    signs = list(selectors.village_signs(village=village, as_of=as_of))
    checklist = list(selectors.village_checklist(village=village, as_of=as_of))
    # Changes are made to today's inventory; a past date is for looking only.
    can_edit = can_edit_village(request.user, village) and as_of == timezone.localdate()
    removable = [s for s in signs if s.status in (SignStatus.TO_REMOVE, SignStatus.DUPLICATE)]
    bulk_form = BulkRemovalForm(signboards=selectors.editable_signboards(request.user))
    return render(
        request,
        "signs/village.html",
        {
            "village": village,
            "as_of": as_of,
            "signs": signs,
            "removable_count": len(removable),
            "checklist": checklist,
            "can_edit": can_edit,
            "bulk_form": bulk_form,
            "statuses": SignStatus,
        },
    )


def village_url(village) -> str:
    """The village page's full address, as its QR codes carry it."""
    base = settings.SITE_BASE_URL.rstrip("/")
    return base + reverse("village", args=[village.code])


@village_visible
def village_qr(request, village):
    """A printable QR code that opens the village page by its stable code."""
    url = village_url(village)
    svg = segno.make(url, error="m").svg_inline(scale=6, dark="#000")
    return render(request, "signs/village_qr.html", {"village": village, "url": url, "svg": svg})


@village_visible
def village_qr_svg(request, village):
    buffer = io.BytesIO()
    segno.make(village_url(village), error="m").save(buffer, kind="svg", scale=10)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


urlpatterns = [
    path("v/<str:code>/", village_detail, name="village"),
    path("v/<str:code>/qr/", village_qr, name="village_qr"),
    path("v/<str:code>/qr.svg", village_qr_svg, name="village_qr_svg"),
]
