"""The 台账 as a job (utilities.jobs): starting it, and the RQ worker that writes it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hengzhou_bench \\
        .venv/bin/python -m benchmarks.jobs --size 1x [--redis redis://127.0.0.1:6379/14]

Uses (and seeds when needed) the same database as `make bench` (hengzhou_bench_<size>). In the
same run it measures: the POST that starts the job (p50 of 20; target < 300 ms); the worker's
whole run of the job in `rqworker --burst` (its peak RSS by wait4; target < 250 MB) against
write_ledger called in one process on the same data (the in-request way), as a ratio; and
the web process's RSS after 拍照识牌 uploads with the queue (target < 200 MB, no OCR engine).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile

from benchmarks import data
from benchmarks.measures import PAST, child, django_side


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="1x", choices=sorted(data.SIZES))
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    prepared = data.prepare(data.base_database(os.environ.get("DATABASE_URL")), args.size,
                            fresh=False, log=print)  # fmt: skip
    with tempfile.TemporaryDirectory() as results:
        queue = f"hengzhou-bench-{os.getpid()}"
        extra = {"REDIS_URL": args.redis, "JOB_QUEUE": queue, "JOB_RESULTS_ROOT": results}
        env = data.django_env(prepared.db, **extra)
        as_of = PAST.isoformat()
        start, _rss = child([sys.executable, "-m", "benchmarks.django_side", "job_start",
                             f'{{"as_of": "{as_of}", "runs": {args.runs}}}'], env)  # fmt: skip
        worker_cmd = [sys.executable, "-c", (
            "import sys; from django.core.management import execute_from_command_line; "
            f"execute_from_command_line(['manage.py', 'rqworker', '{queue}', '--burst']); "
            "print('{}')")]  # fmt: skip
        _out, worker_rss = child(worker_cmd, env)
        job, _rss = child([sys.executable, "-m", "benchmarks.django_side", "job_result",
                           f'{{"job": {start["job"]}}}'], env)  # fmt: skip
        wall, _rss = child([sys.executable, "-m", "benchmarks.django_side", "wall_read_web",
                            '{"photos": 3}'], env)  # fmt: skip
        no_queue = {k: v for k, v in env.items() if k != "REDIS_URL"}
        in_web, _rss = child([sys.executable, "-m", "benchmarks.django_side", "wall_read_web",
                              '{"photos": 3}'], no_queue)  # fmt: skip
        path = os.path.join(results, "in-request.xlsx")
        in_request, request_rss = django_side(prepared.db, "ledger", as_of=as_of, path=path)
    p50 = statistics.median(start["times"]) * 1000
    ratio = job["seconds"] / in_request["seconds"] if job["seconds"] else float("nan")
    print(f"\n台账 as a job at {args.size} ({prepared.villages:,} villages), as of {as_of}:")
    print(f"  start the job (POST, p50 of {args.runs}): {p50:.1f} ms   target < 300 ms")
    print(f"  the job in the worker: {job['seconds']:.1f} s ({job['state']}) against "
          f"{in_request['seconds']:.1f} s in one process: {ratio:.2f}×")  # fmt: skip
    print(f"  worker peak RSS (rqworker + work horse): {worker_rss:.0f} MB   target < 250 MB; "
          f"in one process: {request_rss:.0f} MB")  # fmt: skip
    print(f"  web process after 3 拍照识牌 uploads of a 12 MP photo: RSS {wall['rss_mb']:.0f} MB "
          f"(peak {wall['hwm_mb']:.0f} MB), OCR engine loaded: {wall['engine_loaded']}   "
          "target < 200 MB")  # fmt: skip
    print(
        f"  the same without a queue (read in the request): RSS {in_web['rss_mb']:.0f} MB "
        f"(peak {in_web['hwm_mb']:.0f} MB), OCR engine loaded: {in_web['engine_loaded']}"
    )


if __name__ == "__main__":
    main()
