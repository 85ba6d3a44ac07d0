"""The reports' long work, run as jobs (utilities.jobs): the full 台账 workbook."""

from __future__ import annotations

import datetime as dt

from utilities import jobs
from villages.access import is_city_level, visible_towns

from . import exports

# The 台账 of a province (50× Hengzhou) took 54–214 s in one request (docs/performance.md).
LEDGER_TIME_LIMIT = 1800


def towns_in_scope(user):
    """What the user may see: None for the city level (every township), else their township(s).
    Applied when the job runs, so a job never sees more than its owner may then."""
    return None if is_city_level(user) else visible_towns(user)


@jobs.task("ledger", time_limit=LEDGER_TIME_LIMIT)
def ledger(run: jobs.Run) -> dict:
    as_of = dt.date.fromisoformat(run.params["as_of"])
    towns = towns_in_scope(run.owner)
    run.write_file(
        lambda out: exports.write_ledger(out, as_of=as_of, towns=towns, progress=run.progress),
        name=exports.filename(as_of),
        ascii_name=exports.ascii_filename(as_of),
    )
    return {"as_of": as_of.isoformat()}
