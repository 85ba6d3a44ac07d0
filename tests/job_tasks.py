"""Tasks the job tests run (settings.test adds this module to JOB_MODULES)."""

import time

from django.core.exceptions import ValidationError

from utilities import jobs


@jobs.task("test.count", time_limit=4, retries=0)
def count(run):
    """Counts to params["steps"], `pause` seconds a step, then writes the numbers as a file."""
    steps = run.params.get("steps", 3)
    for step in range(steps):
        time.sleep(run.params.get("pause", 0))
        run.progress((step + 1) / steps)
    run.write_file(
        lambda out: out.write(b"\n".join(b"%d" % i for i in range(steps))), name="数.txt"
    )
    return {"steps": steps}


@jobs.task("test.refuse", retries=0)
def refuse(run):
    raise ValidationError("这份材料不能处理。")


@jobs.task("test.crash", retries=0)
def crash(run):
    raise KeyError("boom")
