"""g. The 台账 as a job (utilities.jobs): starting it, and the RQ worker that writes it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hengzhou_bench \\
        .venv/bin/python -m benchmarks.jobs --size 1x [--redis redis://127.0.0.1:6379/14]

Also part of `make bench` (measure "jobs"; Redis from BENCH_REDIS_URL, default the one above).
Uses (and seeds when needed) the same database as `make bench` (hengzhou_bench_<size>). In the
same run it measures: the POST that starts the job (p50 of 20; target < 300 ms); the worker's
whole run of the job in `rqworker --burst` (its peak RSS by wait4; target < 250 MB) against
raw SQL + a bare openpyxl loop of the same workbook (benchmarks.bare_ledger; target ≤ 1.3×)
and against write_ledger called in one process (the in-request way); and the web process's
RSS after 拍照识牌 uploads with the queue (target < 200 MB, no OCR engine) and without it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile

from benchmarks import data
from benchmarks.measures import PAST, Result, child, django_side, info, result

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def _side(env: dict, measure: str, arguments: str) -> tuple[dict, float]:
    return child([sys.executable, "-m", "benchmarks.django_side", measure, arguments], env)


def measure(
    prepared: data.Prepared, log, *, redis_url: str = REDIS_URL, runs: int = 20,
    ledger_runs: int = 1,
) -> list[Result]:  # fmt: skip
    from redis import Redis
    from redis.exceptions import RedisError

    name = f"{prepared.size} 台账 job"
    try:
        Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except RedisError as exc:
        log(f"  no Redis at {redis_url}: {exc}")
        return [Result(f"{name}: not measured", None, "", "", None, f"no Redis at {redis_url}")]
    as_of = PAST.isoformat()
    with tempfile.TemporaryDirectory() as results:
        queue = f"hengzhou-bench-{os.getpid()}"
        extra = {"REDIS_URL": redis_url, "JOB_QUEUE": queue, "JOB_RESULTS_ROOT": results}
        env = data.django_env(prepared.db, **extra)
        worker = [sys.executable, "-c", (
            "from django.core.management import execute_from_command_line; "
            f"execute_from_command_line(['manage.py', 'rqworker', '{queue}', '--burst']); "
            "print('{}')")]  # fmt: skip
        bare_cmd = [sys.executable, "-m", "benchmarks.bare_ledger", prepared.db.url, as_of,
                    os.path.join(results, "bare.xlsx")]  # fmt: skip
        starts, job_seconds, bare_seconds, worker_rss = [], [], [], 0.0
        for _run in range(ledger_runs):  # the job and the bare loop in turn: the same load
            start, _rss = _side(env, "job_start", f'{{"as_of": "{as_of}", "runs": {runs}}}')
            starts += start["times"]
            _out, rss = child(worker, env)
            worker_rss = max(worker_rss, rss)
            job, _rss = _side(env, "job_result", f'{{"job": {start["job"]}}}')
            bare, _rss = child(bare_cmd, data.django_env(prepared.db))
            job_seconds.append(job["seconds"] or float("nan"))
            bare_seconds.append(bare["seconds"])
            log(f"  job: {job['state']} in {job_seconds[-1]:.1f} s (worker peak {rss:.0f} MB), "
                f"bare {bare['seconds']:.1f} s")  # fmt: skip
        path = os.path.join(results, "in-request.xlsx")
        in_request, request_rss = django_side(prepared.db, "ledger", as_of=as_of, path=path)
        log(f"  write_ledger in one process {in_request['seconds']:.1f} s / {request_rss:.0f} MB")
        wall, _rss = _side(env, "wall_read_web", '{"photos": 3}')
        no_queue = {k: v for k, v in env.items() if k != "REDIS_URL"}
        in_web, _rss = _side(no_queue, "wall_read_web", '{"photos": 3}')
    p50 = statistics.median(starts) * 1000
    seconds, bare_median = statistics.median(job_seconds), statistics.median(bare_seconds)
    engine = f"OCR engine loaded: {wall['engine_loaded']}"
    return [
        result(f"{name}: start (POST, p50 of {runs})", p50, "ms", "<", 300),
        info(f"{name}: in the worker ({job['state']}, median of {ledger_runs})", seconds, "s"),
        info(f"{name}: raw SQL + bare openpyxl", bare_median, "s"),
        result(f"{name}: worker / bare openpyxl", seconds / bare_median, "×", "≤", 1.3),
        info(
            f"{name}: worker / write_ledger in one process", seconds / in_request["seconds"], "×"
        ),  # fmt: skip
        result(f"{name}: worker peak RSS", worker_rss, "MB", "<", 250),
        result("web RSS after 3 拍照识牌 uploads, queue", wall["rss_mb"], "MB", "<", 200, engine),
        info(
            "web RSS after 3 拍照识牌 uploads, no queue",
            in_web["rss_mb"],
            "MB",
            f"OCR engine loaded: {in_web['engine_loaded']}",
        ),  # fmt: skip
    ]


def main() -> None:
    from benchmarks.run import table

    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="1x", choices=sorted(data.SIZES))
    parser.add_argument("--redis", default=REDIS_URL)
    parser.add_argument("--runs", type=int, default=20, help="POSTs that start the job")
    parser.add_argument("--ledger-runs", type=int, default=3, help="the job and bare, in turn")
    args = parser.parse_args()
    prepared = data.prepare(data.base_database(os.environ.get("DATABASE_URL")), args.size,
                            fresh=False, log=print)  # fmt: skip
    print(table(measure(prepared, print, redis_url=args.redis, runs=args.runs,
                        ledger_runs=args.ledger_runs)))  # fmt: skip


if __name__ == "__main__":
    main()
