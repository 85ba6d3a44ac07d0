"""The signs' long work, run as jobs (utilities.jobs): rebuilding the tallies, and reading the
photos of 拍照识牌 where a queue is configured (the OCR engine, ~420 MB, then lives in the
workers only)."""

from __future__ import annotations

import io
import time
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.utils.translation import gettext as _

from utilities import jobs
from villages.access import editable_villages

from . import readings, services
from .models import Removal
from .sign_reading import title_seen
from .tallies import rebuild_all_tallies


@jobs.task("rebuild_tallies", time_limit=3600)
def rebuild_tallies(run: jobs.Run) -> dict:
    started = time.monotonic()
    villages = rebuild_all_tallies()
    return {"villages": villages, "seconds": round(time.monotonic() - started, 1)}


# A reading's photos wait for the worker here, in the job results' storage (shared by the hosts).
WALL_INPUTS = "inputs"
# Two minutes a photo at most, and the engine's first load.
WALL_READ_TIME_LIMIT = 600


def save_wall_photos(bundle: bytes, *, token: str) -> str:
    """Keep the photos of a reading (a zip of JPEGs) for its job; returns where."""
    from django.core.files.base import ContentFile

    return storages["job_results"].save(f"{WALL_INPUTS}/{token}.zip", ContentFile(bundle))


@jobs.task("wall_read", time_limit=WALL_READ_TIME_LIMIT)
def wall_read(run: jobs.Run) -> dict:
    """Read each photo of a 拍照识牌 reading; the lines go to the job's result, which the
    review page (signs.views.wall) takes up at run.params["url"]."""
    if not editable_villages(run.owner).filter(code=run.params["village"]).exists():
        raise ValidationError(_("You can no longer add signs in this village."))
    storage = storages["job_results"]
    with (
        storage.open(run.params["photos"], "rb") as file,
        zipfile.ZipFile(io.BytesIO(file.read())) as bundle,
    ):
        names = [f"{index}.jpg" for index in range(len(bundle.namelist()))]
        lines = []
        for index, name in enumerate(names):
            lines.append(readings.lines_to_data(readings.read_kept_photo(bundle.read(name))))
            run.progress((index + 1) / len(names))
    storage.delete(run.params["photos"])
    return {"lines": lines, "url": run.params["url"]}


@jobs.task("removal_photo_check", time_limit=300)
def removal_photo_check(run: jobs.Run) -> dict:
    """Read a saved removal's photo after removal; flag the removal when the sign's title still
    shows (what the form warns about when the web reads the photo itself)."""
    removal = Removal.objects.select_related("signboard__village__town").get(
        pk=run.params["removal"]
    )
    if not removal.photo:
        return {"seen": ""}
    with removal.photo.open("rb") as photo:
        line = title_seen(removal.signboard.title, readings.read_kept_photo(photo.read()))
    if line is not None:
        services.removal_flag_title_in_photo(removal=removal, user=run.owner, seen=line.text)
    return {"seen": line.text if line else ""}
