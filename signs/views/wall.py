"""拍照识牌: photograph a wall, tick the plaques read, add them to the inventory at once.

Step one uploads the photos of one room; each is checked, downscaled and read (outside any
transaction) and waits on the server (signs.pending) with what was read. Step two shows one
proposed entry per plaque — text, guessed kind, matching approved item, already inventoried —
and adds the ticked ones, with the photos as evidence, in one transaction.
"""

from __future__ import annotations

import io
import zipfile

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from utilities import jobs
from utilities.job_views import queue_unavailable
from utilities.models import JobState
from utilities.views import submit
from villages.decorators import village_editable

from .. import jobs as signs_jobs
from .. import ocr, readings, selectors, services
from ..forms import WallConfirmForm, WallEntryFormSet, WallPhotoForm
from ..pending import PendingUploads

PENDING_WALLS = PendingUploads(session_key="pending_wall_readings", suffix=".zip")


def _scope(village) -> dict:
    return {"village": village.code}


def _bundle(photos: list[bytes]) -> bytes:
    """The photos of one reading as one file (a stored, uncompressed zip: JPEGs don't shrink)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as bundle:
        for index, data in enumerate(photos):
            bundle.writestr(f"{index}.jpg", data)
    return buffer.getvalue()


def _unbundle(data: bytes) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        return [bundle.read(f"{index}.jpg") for index in range(len(bundle.namelist()))]


@village_editable
def wall_read(request, village):
    """Step one: the room and its photos; each photo is read before the next step."""
    context = {"village": village, "available": ocr.available()}
    if not context["available"]:
        return render(request, "signs/wall_read.html", context)
    form = WallPhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and jobs.queued():
        response = _read_in_a_job(request, village, form)
        if response:
            return response
    elif request.method == "POST" and form.is_valid():
        try:
            read = [readings.read_photo(upload) for upload in form.cleaned_data["photos"]]
        except ValidationError as exc:
            form.add_error("photos", exc.messages)
        else:
            token = PENDING_WALLS.store(
                request,
                scope=_scope(village),
                data=_bundle([data for data, _lines in read]),
                lines=[readings.lines_to_data(lines) for _data, lines in read],
                room=form.cleaned_data["location"],
            )
            return redirect("wall_review", code=village.code, token=token)
    context |= {"form": form, "rooms": selectors.room_suggestions(village=village)}
    return render(request, "signs/wall_read.html", context)


def _read_in_a_job(request, village, form):
    """With a queue: the photos are checked and downscaled here, read by a worker; the review
    page waits for the job. Errors go onto the form (None comes back)."""
    try:
        kept = [readings.kept_photo(upload) for upload in form.cleaned_data["photos"]]
    except ValidationError as exc:
        form.add_error("photos", exc.messages)
        return None
    bundle = _bundle(kept)
    token = PENDING_WALLS.store(
        request, scope=_scope(village), data=bundle, lines=None,
        room=form.cleaned_data["location"],
    )  # fmt: skip
    review_url = reverse("wall_review", args=[village.code, token])
    photos = signs_jobs.save_wall_photos(bundle, token=token)
    try:
        job = jobs.start(
            user=request.user,
            task="wall_read",
            title=_("拍照识牌 in %(village)s") % {"village": village.name},
            params={"village": village.code, "token": token, "url": review_url, "photos": photos},
        )
    except jobs.QueueUnavailable:  # nothing kept: neither the pending reading nor its photos
        PENDING_WALLS.discard(request, token)
        storages["job_results"].delete(photos)
        return queue_unavailable(request)
    return redirect(jobs.page_url(job))


def _job_lines(request, village, token):
    """The lines a worker read for pending reading `token`: (lines, None), or (None, the
    response to give while it is not read yet or could not be)."""
    job = jobs.latest(owner=request.user, task="wall_read", token=token)
    if job is None:
        messages.warning(request, _("Those photos are no longer kept; please take them again."))
        return None, redirect("wall_read", code=village.code)
    if job.state == JobState.DONE:
        return job.result["lines"], None
    if job.finished:
        messages.error(request, job.error or _("The photos could not be read."))
        return None, redirect("wall_read", code=village.code)
    return None, redirect(jobs.page_url(job))


@village_editable
def wall_photo(request, village, token, index):
    """A photo of a pending reading, for its own user to compare with what was read."""
    loaded = PENDING_WALLS.load(request, str(token), scope=_scope(village))
    photos = _unbundle(loaded[1]) if loaded else []
    if index >= len(photos):
        raise Http404
    response = HttpResponse(photos[index], content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=600"
    return response


@village_editable
def wall_review(request, village, token):
    """Step two: one proposed entry per plaque read; the ticked ones are added at once."""
    loaded = PENDING_WALLS.load(request, str(token), scope=_scope(village))
    if loaded is None:
        messages.warning(request, _("Those photos are no longer kept; please take them again."))
        return redirect("wall_read", code=village.code)
    entry, bundle = loaded
    lines_data = entry["lines"]
    if lines_data is None:  # read by a job
        lines_data, waiting = _job_lines(request, village, token)
        if waiting:
            return waiting
    photos_lines = [readings.lines_from_data(lines) for lines in lines_data]
    room = entry["room"]
    proposals = readings.proposals(photos_lines, village=village, location=room)
    items = selectors.standard_items()
    confirm = WallConfirmForm(request.POST or None, initial={"location": room})
    formset = WallEntryFormSet(
        request.POST or None,
        initial=[
            {
                "selected": p.selected,
                "title": p.text,
                "kind": p.kind,
                "approved_item": p.match.item.pk if p.match else None,
                "photo": p.photo,
            }
            for p in proposals
        ],
        form_kwargs={"items": items},
    )
    if request.method == "POST" and confirm.is_valid() and formset.is_valid():
        entries = [
            services.WallEntry(
                title=f.cleaned_data["title"],
                kind=f.cleaned_data["kind"],
                approved_item=f.cleaned_data["approved_item"],
                photo=f.cleaned_data["photo"],
            )
            for f in formset
            if f.cleaned_data.get("selected") and f.cleaned_data["photo"] < len(photos_lines)
        ]
        wall_photos = [
            services.WallPhoto(data=data, texts=lines)
            for data, lines in zip(_unbundle(bundle), lines_data, strict=True)
        ]
        village_url = reverse("village", args=[village.code])
        response = submit(
            request,
            confirm,
            lambda: services.signboards_create_from_photos(
                village=village,
                user=request.user,
                location=confirm.cleaned_data["location"],
                photos=wall_photos,
                entries=entries,
            ),
            success_url=village_url,
            message=lambda signs: (
                ngettext("%(n)d sign added.", "%(n)d signs added.", len(signs)) % {"n": len(signs)}
            ),
            then=lambda _signs: PENDING_WALLS.discard(request, str(token)),
        )
        if response:
            return response
    rows = list(zip(formset.forms, proposals, strict=False))
    return render(
        request,
        "signs/wall_review.html",
        {
            "village": village,
            "confirm": confirm,
            "formset": formset,
            "rows": rows,
            "photo_count": len(photos_lines),
            "photo_indexes": range(len(photos_lines)),
            "token": token,
            "rooms": selectors.room_suggestions(village=village),
        },
    )


urlpatterns = [
    path("v/<str:code>/read/", wall_read, name="wall_read"),
    path("v/<str:code>/read/<uuid:token>/", wall_review, name="wall_review"),
    path("v/<str:code>/read/<uuid:token>/<int:index>.jpg", wall_photo, name="wall_photo"),
]
