"""Security cases of 我的任务/下载 (merged into test_url_scope.REGISTRY).

A job is its owner's only: each side's job is started by that side's township staffer, and
another staffer, a reviewer or the system administrator gets a 404 for it, file included.
"""

from utilities import jobs
from utilities.models import Job

from .cases import DENIED, POST, Case


def job_pk(w, side, client=None):
    """A finished job of the side's staffer, with its file (tests/job_tasks.py)."""
    job = Job.objects.filter(owner=w.staff[side], task="test.count").first()
    if job is None:
        job = jobs.start(user=w.staff[side], task="test.count", title="数数", params={"steps": 2})
    return {"pk": job.pk}


def rerun_data(w, side):
    return {}


CASES: dict = {
    "job": Case(job_pk, city=DENIED),
    "job_status": Case(job_pk, city=DENIED),
    "job_file": Case(job_pk, city=DENIED),
    "job_rerun": Case(job_pk, POST, rerun_data, city=DENIED),
}
