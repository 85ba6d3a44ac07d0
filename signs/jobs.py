"""The signs' long work, run as jobs (utilities.jobs) where a queue is configured: reading the
photos of 拍照识牌 and checking removal photos (the OCR engine, ~420 MB, then lives in the
workers only), reading and planning a ledger import and committing it; and rebuilding the
tallies."""

from __future__ import annotations

import io
import pickle
import time
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.utils.translation import gettext as _

from utilities import jobs
from villages.access import editable_villages, visible_towns

from . import imports, readings, services
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
    return {"lines": lines, "url": run.params["url"], "go": True}


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


# --- a ledger import (signs.views.imports, with a queue) -----------------------------------

IMPORT_TIME_LIMIT = 900


def save_import_file(data: bytes, *, token: str) -> str:
    """Keep an uploaded ledger for its jobs (the pending upload stays the web's); returns where."""
    from django.core.files.base import ContentFile

    return storages["job_results"].save(f"{WALL_INPUTS}/{token}.ledger", ContentFile(data))


def _import_town(run: jobs.Run):
    town = visible_towns(run.owner).filter(code=run.params["town"]).first()
    if town is None:
        raise ValidationError(_("You can no longer import for this township."))
    return town


def _read(run: jobs.Run, town):
    with storages["job_results"].open(run.params["file"], "rb") as file:
        data = file.read()
    return imports.read_sign_sheet(data, town=town, sheets=run.params["sheets"])


def _refused(errors) -> ValidationError:
    errors = [str(e) for e in errors]
    shown = errors[: imports.MAX_ERRORS_SHOWN]
    if len(errors) > len(shown):
        shown.append(_("… and %(n)d more.") % {"n": len(errors) - len(shown)})
    return ValidationError(shown)


@jobs.task("sign_import_plan", time_limit=IMPORT_TIME_LIMIT)
def sign_import_plan(run: jobs.Run) -> dict:
    """Read and plan a pending ledger: the plan (pickled, for the preview to show) or where the
    upload goes next (the mapping step). The file is the web's own upload, kept in the job
    results' storage, which no user writes to."""
    town = _import_town(run)
    try:
        sheet = _read(run, town)
    except imports.NeedsMapping:
        return {"url": run.params["mapping_url"], "go": True}
    except imports.ImportFileError as exc:
        raise _refused(exc.messages) from exc
    run.progress(0.5)
    plan = imports.plan_sign_import(town=town, sheet=sheet)
    if plan.unknown_words:
        return {"url": run.params["mapping_url"], "go": True}
    if plan.errors:
        raise _refused(plan.errors)
    run.write_file(lambda out: pickle.dump(plan, out, protocol=pickle.HIGHEST_PROTOCOL),
                   name="plan.pickle")  # fmt: skip
    return {"url": run.params["preview_url"], "go": True, "summary": plan.summary}


def planned(job) -> imports.SignPlan:
    """The plan a finished sign_import_plan job made (from our own storage)."""
    with jobs.open_result(job) as file:
        return pickle.load(file)  # noqa: S301  (written by sign_import_plan, not by users)


@jobs.task("sign_import_commit", time_limit=IMPORT_TIME_LIMIT, retries=0)
def sign_import_commit(run: jobs.Run) -> dict:
    """Commit a pending ledger as the preview showed it (`expected`), or nothing."""
    town = _import_town(run)
    try:
        sheet = _read(run, town)
    except (imports.NeedsMapping, imports.ImportFileError) as exc:
        raise ValidationError(_("The file can no longer be read; upload it again.")) from exc
    try:
        plan = services.sign_import_commit(town=town, user=run.owner, sheet=sheet,
                                           file_name=run.params["name"],
                                           expected=run.params["expected"])  # fmt: skip
    except imports.ImportRejected as exc:
        raise _refused(exc.plan.errors) from exc
    except imports.PlanChanged as exc:
        raise ValidationError(_(
            "The inventory changed since you looked at this file: open its preview again, "
            "check the new figures and confirm again."
        )) from exc  # fmt: skip
    storages["job_results"].delete(run.params["file"])
    message = (
        _(
            "Imported: %(signs)d signs and %(removals)d removals added, "
            "%(skipped)d rows already in the inventory skipped."
        )
        % plan.summary
    )
    return {"url": run.params["done_url"], "message": message}
