"""`make bench`: the app against its limits and against plain baselines, at 1× and 50× Hengzhou.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hengzhou_bench make bench
    .venv/bin/python -m benchmarks.run [--quick] [--fresh] [--seed-timing] [--runs N]
                                       [--sizes 1x,50x] [--skip ledger,posts,…]

PostgreSQL only (the production database; SQLite is refused with a message). The data lives in
`<name>_1x` (308 villages) and `<name>_50x` (15,400) beside the database DATABASE_URL names:
created when missing, migrated, and seeded with seed_demo only when the village count is not
right (`--fresh` reseeds both, `--seed-timing` reseeds 50× to time it). Each measure runs
BENCH_RUNS times (default 5, or --runs); the 50× 台账 takes about 2.5 minutes a run, so
`--quick` runs it once. Prints the medians and writes benchmarks/results.json (git-ignored):
[{"name", "value", "unit", "target", "pass", "note"?}], pass null where a row has no target.

Measures: a. /dashboard/ (test client, reviewer, DEBUG off) vs one raw SQL query of the same
figures (asserted equal to town_progress), today and 2024-06-30; b. the 台账
(reports.exports.write_ledger) vs raw SQL + a bare openpyxl write-only loop of the same shape,
each in its own process for peak RSS; c. the dashboard's township table through
utilities.excel.write_table vs django-tables2's TableExport("xlsx"); d. record-removal POSTs, 16
clients for 10 s, gunicorn -w 4, on a throwaway copy of the 50× database; e. seed_demo at 50×;
f. at 1× only, 一村一本: the largest township's books as one PDF vs their print page, and one
village's book page vs its village page; g. the 台账 as a job on a real RQ worker (start, worker
time vs bare, worker RSS) and the web's RSS after 拍照识牌 with and without a queue
(benchmarks/jobs.py; Redis at BENCH_REDIS_URL, default redis://127.0.0.1:6379/14).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

from benchmarks import data, jobs, measures

RESULTS = Path(__file__).resolve().parent / "results.json"
MEASURES = ("dashboard", "ledger", "table", "book", "jobs", "posts")


def log(message: str) -> None:
    print(message, flush=True)


def machine(db: data.Database) -> str:
    with db.connect() as conn, conn.cursor() as cur:
        cur.execute("SHOW server_version")
        version = cur.fetchone()[0]
    conn.close()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"machine: {os.cpu_count()} cores, {memory:.1f} GiB RAM, PostgreSQL {version}, "
        f"Python {platform.python_version()}, {platform.platform(terse=True)}"
    )


def table(results: list[measures.Result]) -> str:
    verdict = {True: "pass", False: "FAIL", None: ""}
    rows = [("measure (median)", "value", "unit", "target", "pass")]
    for r in results:
        value = "—" if r.value is None else f"{r.value:,.3f}".rstrip("0").rstrip(".")
        rows.append((r.name, value, r.unit, r.target, verdict[r.passed]))
    widths = [max(_width(row[i]) for row in rows) for i in range(5)]
    lines = []
    for index, row in enumerate(rows):
        cells = [_pad(cell, widths[i], right=i == 1) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    notes = [f"  {r.name}: {r.note}" for r in results if r.note]
    return "\n".join(lines + (["", "notes:", *notes] if notes else []))


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)  # CJK is two columns wide


def _pad(text: str, width: int, *, right: bool) -> str:
    space = " " * (width - _width(text))
    return space + text if right else text + space


def arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "5")))
    parser.add_argument("--quick", action="store_true", help="one run of the 50× 台账")
    parser.add_argument("--fresh", action="store_true", help="reseed both databases")
    parser.add_argument("--seed-timing", action="store_true", help="reseed 50× and time it")
    parser.add_argument("--sizes", default="1x,50x", help="1x, 50x or both (default)")
    parser.add_argument("--skip", default="", help=f"comma-separated, of {', '.join(MEASURES)}")
    args = parser.parse_args(argv)
    args.sizes = [s for s in args.sizes.split(",") if s]
    args.skip = {s for s in args.skip.split(",") if s}
    if unknown := (set(args.sizes) - set(data.SIZES)) | (args.skip - set(MEASURES)):
        parser.error(f"unknown: {', '.join(sorted(unknown))}")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv=None) -> int:
    args = arguments(argv)
    base = data.base_database(os.environ.get("DATABASE_URL"))
    started = time.monotonic()
    log(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · {machine(data.maintenance(base))}")
    log(f"runs per measure: {args.runs}{' (50× 台账: 1, --quick)' if args.quick else ''}")
    previous = measures.previous_results(RESULTS)
    results: list[measures.Result] = []
    prepared = {}
    for size in args.sizes:
        fresh = args.fresh or (args.seed_timing and size == "50x")
        prepared[size] = data.prepare(base, size, fresh=fresh, log=log)
    for size, ready in prepared.items():
        log(f"== {size}: {ready.villages:,} villages in {ready.db.name}")
        if "dashboard" not in args.skip:
            results += measures.dashboard(ready, args.runs, log)
        if "ledger" not in args.skip:
            runs = 1 if args.quick and size == "50x" else args.runs
            results += measures.ledger(ready, runs, log)
        if "table" not in args.skip:
            results += measures.table_export(ready, args.runs, log)
        if "book" not in args.skip and size == "1x":  # one township of 18 villages, as asked
            results += measures.book(ready, args.runs, log)
        if "jobs" not in args.skip:
            ledger_runs = 1 if args.quick and size == "50x" else min(args.runs, 3)
            results += jobs.measure(ready, log, ledger_runs=ledger_runs)
    if "posts" not in args.skip:
        target = prepared.get("50x") or prepared[args.sizes[0]]
        log(f"== record-removal POSTs on a copy of {target.db.name}")
        results += measures.removal_posts(target, args.runs, log)
    if "50x" in prepared:
        results.append(measures.seeding(prepared["50x"], previous))
    log("")
    log(table(results))
    RESULTS.write_text(
        json.dumps([r.as_json() for r in results], ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    log(f"\nwritten {RESULTS.relative_to(data.ROOT)} in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
