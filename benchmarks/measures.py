"""The measures: each runs the app's side and its baseline, and returns Result rows."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from openpyxl import load_workbook

from benchmarks import data, load, raw_sql

PAST = dt.date(2024, 6, 30)


@dataclass
class Result:
    name: str
    value: float | None
    unit: str
    target: str
    passed: bool | None
    note: str = ""

    def as_json(self) -> dict:
        row = asdict(self)
        row["pass"] = row.pop("passed")
        if not row["note"]:
            del row["note"]
        return row


def median(values) -> float:
    return statistics.median(values)


def _check(value: float, op: str, limit: float) -> bool:
    return value <= limit if op == "≤" else value < limit if op == "<" else value >= limit


def result(name, value, unit, op, limit, note="") -> Result:
    return Result(name, round(value, 3), unit, f"{op} {limit:g}", _check(value, op, limit), note)


def info(name, value, unit, note="") -> Result:
    """A figure shown beside the one with a target (a baseline, a part): no target."""
    return Result(name, round(value, 3), unit, "", None, note)


# --- running a child process ---------------------------------------------------------------


def child(cmd: list[str], env: dict) -> tuple[dict, float]:
    """Run `cmd`; its JSON answer (last stdout line) and its peak RSS in MB (wait4)."""
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(cmd, cwd=data.ROOT, env=env, stdout=subprocess.PIPE, stderr=errors)
        out = proc.stdout.read()
        proc.stdout.close()
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            errors.seek(0)
            tail = errors.read().decode(errors="replace")[-3000:]
            raise RuntimeError(f"{' '.join(cmd[:4])} … exited {proc.returncode}:\n{tail}")
    return json.loads(out.decode().strip().splitlines()[-1]), usage.ru_maxrss / 1024


def django_side(db: data.Database, measure: str, **arguments) -> tuple[dict, float]:
    cmd = [sys.executable, "-m", "benchmarks.django_side", measure, json.dumps(arguments)]
    return child(cmd, data.django_env(db))


# --- a. the dashboard against one raw query ------------------------------------------------


def today() -> dt.date:
    """Today in Hengzhou, as timezone.localdate() gives it to the app."""
    return dt.datetime.now(raw_sql.SHANGHAI).date()


def _raw_times(db: data.Database, as_of: dt.date, runs: int) -> tuple[list[float], dict]:
    conn = db.connect()
    try:
        figures = raw_sql.town_figures(conn, as_of)  # warm-up, and the figures to compare
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            raw_sql.town_figures(conn, as_of)
            times.append(time.perf_counter() - started)
    finally:
        conn.close()
    return times, figures


def dashboard(prepared: data.Prepared, runs: int, log) -> list[Result]:
    """Today's page and a past date's, each against the raw SQL of its figures; a past date
    against today too (issue 18: ≤ 1.2× today's page, ≤ 0.5× its raw SQL)."""
    results, pages = [], []
    for label, as_of in (("today", None), (PAST.isoformat(), PAST.isoformat())):
        page, _rss = django_side(prepared.db, "dashboard", as_of=as_of, runs=runs)
        date = dt.date.fromisoformat(page["as_of"])
        raw, figures = _raw_times(prepared.db, date, runs)
        ours = {str(code): row for code, row in figures.items()}
        if ours != page["figures"]:  # an honest baseline counts the same signs
            diff = {k: (ours.get(k), v) for k, v in page["figures"].items() if ours.get(k) != v}
            raise AssertionError(f"raw SQL ≠ town_progress as of {date}: {diff}")
        p50, raw_p50 = median(page["times"]), median(raw)
        selectors_p50 = median(page["selector_times"])
        log(
            f"  dashboard as of {date}: page {p50 * 1000:.0f} ms ({page['queries']} queries), "
            f"town_progress + city_progress {selectors_p50 * 1000:.0f} ms, "
            f"raw {raw_p50 * 1000:.0f} ms; figures equal ({len(figures) - 1} townships)"
        )
        name = f"{prepared.size} dashboard as of {label}"
        results.append(result(f"{name}: page p50", p50 * 1000, "ms", "<", 300))
        results.append(info(f"{name}: raw SQL p50", raw_p50 * 1000, "ms"))
        limit = 2.0 if as_of is None else 0.5
        results.append(result(f"{name}: page / raw SQL", p50 / raw_p50, "×", "≤", limit))
        # Where the time goes: the selectors' share of the page, against the same raw query.
        results.append(info(f"{name}: selectors p50", selectors_p50 * 1000, "ms"))
        results.append(info(f"{name}: selectors / raw SQL", selectors_p50 / raw_p50, "×"))
        pages.append(p50)
    today_p50, past_p50 = pages
    name = f"{prepared.size} dashboard as of {PAST.isoformat()} / as of today"
    results.append(result(name, past_p50 / today_p50, "×", "≤", 1.2))
    return results


# --- b. the 台账 against a bare openpyxl loop ----------------------------------------------


def _row_count(path: Path, member: str) -> int:
    count, tail = 0, b""
    with zipfile.ZipFile(path) as zf, zf.open(member) as xml:
        while chunk := xml.read(1 << 20):
            block = tail + chunk
            count += block.count(b"<row ") - tail.count(b"<row ")
            tail = block[-4:]
    return count


def workbook_shape(path: Path) -> list[tuple[int, int]]:
    """(rows, columns of the header row) per sheet, without loading the sheets."""
    wb = load_workbook(path, read_only=True)
    shape = []
    for index, ws in enumerate(wb.worksheets, start=1):
        header = next(itertools.islice(ws.iter_rows(values_only=True), 2, None), ())
        shape.append((_row_count(path, f"xl/worksheets/sheet{index}.xml"), len(header)))
    wb.close()
    return shape


def ledger(prepared: data.Prepared, runs: int, log, as_of: dt.date = PAST) -> list[Result]:
    ours, bare, styled, ours_rss, bare_rss = [], [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        app_file, bare_file = Path(tmp, "ledger.xlsx"), Path(tmp, "bare.xlsx")
        for _ in range(runs):
            answer, rss = django_side(
                prepared.db, "ledger", as_of=as_of.isoformat(), path=str(app_file)
            )
            ours.append(answer["seconds"])
            ours_rss.append(rss)
            cmd = [sys.executable, "-m", "benchmarks.bare_ledger", prepared.db.url,
                   as_of.isoformat(), str(bare_file)]  # fmt: skip
            answer, rss = child(cmd, data.django_env(prepared.db))
            bare.append(answer["seconds"])
            bare_rss.append(rss)
            answer, _rss = child([*cmd, "--styled"], data.django_env(prepared.db))
            styled.append(answer["seconds"])
            log(f"  ledger run: write_ledger {ours[-1]:.1f} s / {ours_rss[-1]:.0f} MB, "
                f"bare {bare[-1]:.1f} s / {bare_rss[-1]:.0f} MB, "
                f"bare with the 台账's cell styles {styled[-1]:.1f} s")  # fmt: skip
        shape, bare_shape = workbook_shape(app_file), workbook_shape(bare_file)
        size_mb = app_file.stat().st_size / 1e6
    if shape != bare_shape:
        raise AssertionError(f"bare workbook {bare_shape} ≠ write_ledger's {shape}")
    rows = sum(r for r, _c in shape)
    note = f"{runs} run(s); {len(shape)} sheets, {rows:,} rows, {size_mb:.1f} MB, same shape"
    name = f"{prepared.size} 台账 as of {as_of}"
    return [
        info(f"{name}: write_ledger", median(ours), "s", note),
        info(f"{name}: raw SQL + bare openpyxl", median(bare), "s"),
        result(f"{name}: write_ledger / bare", median(ours) / median(bare), "×", "≤", 1.3),
        info(f"{name}: raw SQL + bare openpyxl, 台账 cell styles", median(styled), "s"),
        info(f"{name}: write_ledger / bare with cell styles", median(ours) / median(styled), "×"),
        result(f"{name}: write_ledger peak RSS", max(ours_rss), "MB", "<", 250, note),
        info(f"{name}: bare peak RSS", max(bare_rss), "MB"),
    ]


# --- c. one table's xlsx export ------------------------------------------------------------


def table_export(prepared: data.Prepared, runs: int, log, as_of: dt.date = PAST) -> list[Result]:
    answer, _rss = django_side(prepared.db, "table_export", as_of=as_of.isoformat(), runs=runs)
    ours, theirs = median(answer["write_table"]["times"]), median(answer["TableExport"]["times"])
    log(f"  township table ({answer['rows']} rows): write_table {ours * 1000:.1f} ms, "
        f"TableExport {theirs * 1000:.1f} ms")  # fmt: skip
    name = f"{prepared.size} township table xlsx ({answer['rows']} rows)"
    return [
        info(f"{name}: write_table", ours * 1000, "ms"),
        info(f"{name}: TableExport (tablib)", theirs * 1000, "ms"),
        result(f"{name}: speed-up of write_table", theirs / ours, "×", "≥", 4),
    ]


# --- f. 一村一本: a township's books as PDF, one village's print page ---------------------


def book(prepared: data.Prepared, runs: int, log) -> list[Result]:
    """The largest township's books (18 villages at 1×) as one PDF against their print page,
    and one village's book page against its village page; reviewer, test client, warm."""
    answer, rss = django_side(prepared.db, "book", runs=runs)
    pdf, html = median(answer["town_pdf"]["times"]), median(answer["town_page"]["times"])
    page, village = median(answer["village_book"]["times"]), median(answer["village_page"]["times"])
    log(f"  {answer['town']} ({answer['villages']} villages): PDF {pdf:.1f} s, "
        f"{answer['pdf_pages']} pages, {answer['pdf_bytes'] / 1e3:,.0f} kB, {rss:.0f} MB; "
        f"print page {html * 1000:.0f} ms; village book {page * 1000:.0f} ms, "
        f"village page {village * 1000:.0f} ms")  # fmt: skip
    pdf_runs = len(answer["town_pdf"]["times"])
    note = (f"{answer['town']}, {answer['villages']} books, {answer['pdf_pages']} A5 pages, "
            f"{answer['pdf_bytes'] / 1e3:,.0f} kB; {pdf_runs} run(s)")  # fmt: skip
    name = f"{prepared.size} 一村一本"
    return [
        result(f"{name}: township's books PDF", pdf, "s", "<", 20, note),
        info(f"{name}: the same books' print page", html * 1000, "ms"),
        info(f"{name}: PDF / print page", pdf / html, "×"),
        info(f"{name}: PDF peak RSS", rss, "MB"),
        result(f"{name}: village book page p50", page * 1000, "ms", "<", 300),
        info(f"{name}: village page p50", village * 1000, "ms"),
        info(f"{name}: village book page / village page", page / village, "×"),
    ]


# --- d. record-removal POSTs under gunicorn ------------------------------------------------


def removal_posts(prepared: data.Prepared, runs: int, log, *, clients=16, seconds=10.0):
    rps, p50, p99, total, recorded, other = [], [], [], 0, 0, {}
    for _ in range(runs):
        answer = load.run(prepared.db, clients=clients, seconds=seconds, workers=4, log=log)
        rps.append(answer["rps"])
        p50.append(answer["p50"])
        p99.append(answer["p99"])
        total += answer["requests"]
        recorded += answer["recorded"]
        for code, n in answer["statuses"].items():
            if code != 302:
                other[code] = other.get(code, 0) + n
        log(
            f"  POST run: {answer['rps']:.0f} req/s, p50 {answer['p50'] * 1000:.0f} ms, "
            f"p99 {answer['p99'] * 1000:.0f} ms, {answer['requests']} requests, "
            f"{answer['recorded']} removals in the database, statuses {answer['statuses']}"
        )
    if other or recorded != total:
        raise AssertionError(f"{total} POSTs, {recorded} recorded, other answers {other}")
    note = f"{runs} run(s) of {seconds:g} s, {clients} clients, gunicorn -w 4; {total:,} POSTs"
    name = f"{prepared.size} record-removal POST"
    # The same load without writing the figures by day (DAY_TALLIES off): what they cost.
    without = []
    for _ in range(runs):
        answer = load.run(prepared.db, clients=clients, seconds=seconds, workers=4, log=log,
                          DAY_TALLIES="false")  # fmt: skip
        without.append(answer["rps"])
        log(f"  POST run without the figures by day: {answer['rps']:.0f} req/s")
    return [
        result(f"{name}: throughput", median(rps), "req/s", "≥", 200, note),
        result(f"{name}: p50", median(p50) * 1000, "ms", "<", 150),
        result(f"{name}: p99", median(p99) * 1000, "ms", "<", 150),
        info(f"{name}: throughput without the figures by day", median(without), "req/s"),
        result(
            f"{name}: with / without the figures by day",
            median(rps) / median(without),
            "×",
            "≥",
            0.9,
        ),  # fmt: skip
    ]


# --- e. seeding 50× ------------------------------------------------------------------------

SEED_NAME = "50x seed_demo --villages 15400 --reset"


def seeding(prepared: data.Prepared, previous: list[dict]) -> Result:
    if prepared.seeded_seconds is not None:
        return result(SEED_NAME, prepared.seeded_seconds, "s", "<", 120, "measured in this run")
    for row in previous:
        if row.get("name") == SEED_NAME and row.get("value") is not None:
            note = "not reseeded in this run: the last measured value (--seed-timing measures)"
            return Result(SEED_NAME, row["value"], "s", "< 120", row.get("pass"), note)
    return Result(SEED_NAME, None, "s", "< 120", None, "data reused, never timed: --seed-timing")


def previous_results(path: Path) -> list[dict]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
