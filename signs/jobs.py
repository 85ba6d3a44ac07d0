"""The signs' long work, run as jobs (utilities.jobs): rebuilding the tallies."""

from __future__ import annotations

import time

from utilities import jobs

from .tallies import rebuild_all_tallies


@jobs.task("rebuild_tallies", time_limit=3600)
def rebuild_tallies(run: jobs.Run) -> dict:
    started = time.monotonic()
    villages = rebuild_all_tallies()
    return {"villages": villages, "seconds": round(time.monotonic() - started, 1)}
