"""The ledger import's speed: a 20,000-row township ledger from upload to preview.

    .venv/bin/python -m benchmarks.imports [--runs N] [--profile]    # about 90 s with 3 runs

The target (the issue): "A 20,000-row ledger (the largest a township keeps) goes from upload to
preview in under 10 s on this machine with peak memory under 300 MB".

On a throwaway SQLite database in a temporary folder (DATABASE_URL is set to it whatever the
environment says; pending uploads go to the same folder): `migrate` and `seed_demo` (the 17
townships and 308 villages of the demo), then, in a child process, a township staffer of the
township with most villages and a 20,000-row ledger of it in the township's own layout (two
title rows, a 填报单位 line, a two-row header under merged groups, the village merged down its
rows, 小计 per village, 合计, a signature footer) as .xlsx, as .xls and as a GBK CSV (no merges
in a CSV: the village is on every row, as Excel saves it after 取消合并并填充).

For each format, each in a fresh process whose peak RSS (Django and Python included) is its
own: VmHWM from the child's /proc/self/status, not wait4's ru_maxrss, which Linux floors at the
parent's RSS when the child was spawned (the exec'd process inherits the vfork'd high-water
mark: a 10 MB child of a 300 MB parent reports 311 MB):
- read + plan: `imports.read_sign_sheet` + `imports.plan_sign_import`, as the upload view calls
  them; the plan must have no error and 20,000 signs to create;
- HTTP: through Django's test client as the staffer (DEBUG off), POST the file to the upload
  page and GET the preview it redirects to (which reads and plans the file again), after one
  untimed GET of the upload page;
- bare: openpyxl read-only + every row's values, csv.reader over the decoded text, or xlrd's
  open_workbook + every row: no Django, no checks; the ratio ours / bare is printed.

Prints a table and writes benchmarks/imports-results.json in the shape of results.json; with a
target missed (or --profile), the top cumulative entries of a cProfile of read + plan of the
.xlsx, from signs/ and openpyxl. Nothing listens on the network.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "imports-results.json"
ROWS = 20_000
SECONDS, MEGABYTES = 10, 300  # the target
FORMATS = ("xlsx", "xls", "csv")
STAFF = "bench_import_staff"
SEED = 20240630
CHILD_SECONDS = 120

# --- the ledger, in the township's words ----------------------------------------------------

KINDS = {
    "制度牌": ["三会一课制度", "村务公开制度", "财务管理制度", "值班制度", "档案管理制度"],
    "功能室牌子": ["党员活动室", "农家书屋", "调解室", "妇女之家", "老年活动室"],
    "指引牌": ["便民服务中心", "新时代文明实践站", "退役军人服务站", "楼层指引牌"],
    "机构牌子": ["村务监督委员会", "老年协会", "禁毒协会", "红白理事会", "人民调解委员会"],
}
REASONS = ["无实质性业务", "与功能室重复", "无依据挂牌", "内部制度不上墙", "功能相近合并"]
LOCATIONS = ["一楼外墙", "大门左侧", "大门右侧", "一楼大厅", "二楼走廊", "会议室", "院内"]
NOTES = ["", "", "", "已拍照留存", "已入库保管"]
HEADERS = ["序号", "村（社区）", "牌子名称", "类别", "悬挂位置", "是否摘除", "摘除时间",
           "摘除原因", "备注"]  # fmt: skip
GROUPS = [("基本信息", 1, 2), ("牌子情况", 3, 5), ("处置情况", 6, 9)]  # label, first, last column
WIDTH = len(HEADERS)
SIGNED = "填表人：韦小燕    审核人：黄志强    联系电话：0771-7221234"
FIRST_DAY, DAYS = dt.date(2024, 3, 1), 120


def ledger_rows(town_name: str, villages: list[str]) -> tuple[list[list], list[tuple]]:
    """The rows top to bottom, and the merges (row, column, last row, last column), 1-based;
    the village of a sign row after the first of its village is None (merged down)."""
    rng = random.Random(SEED)
    rows: list[list] = [
        [f"{town_name}村级组织场所牌子清理情况台账"] + [None] * (WIDTH - 1),
        ["（2024年度 第二季度）"] + [None] * (WIDTH - 1),
        [f"填报单位：{town_name}人民政府    填报日期：2024年6月30日"] + [None] * (WIDTH - 1),
    ]
    merges = [(r, 1, r, WIDTH) for r in (1, 2, 3)]
    upper = [None] * WIDTH
    for label, first, last in GROUPS:
        upper[first - 1] = label
        merges.append((4, first, 4, last))
    rows += [upper, list(HEADERS)]
    per_village, extra = divmod(ROWS, len(villages))
    number = removed_total = 0
    kinds = list(KINDS)
    for index, village in enumerate(villages):
        count = per_village + (index < extra)
        first_row, removed = len(rows) + 1, 0
        for position in range(count):
            number += 1
            kind = rng.choice(kinds)
            title = f"{rng.choice(KINDS[kind])}{number}"  # unique per (village, title, location)
            is_removed = rng.random() < 0.8
            removed += is_removed
            day = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS)) if is_removed else None
            rows.append([
                number, village if position == 0 else None, title, kind, rng.choice(LOCATIONS),
                "是" if is_removed else "否", day, rng.choice(REASONS) if is_removed else None,
                (rng.choice(NOTES) or None) if is_removed else None,
            ])  # fmt: skip
        merges.append((first_row, 2, len(rows), 2))
        rows.append([None, "小计", f"共{count}块", None, None, removed, None, None, None])
        removed_total += removed
    rows.append(["合计", None, f"共{number}块", None, None, removed_total, None, None, None])
    merges.append((len(rows), 1, len(rows), 2))
    rows.append([None] * WIDTH)
    rows.append([SIGNED] + [None] * (WIDTH - 1))
    merges.append((len(rows), 1, len(rows), WIDTH))
    return rows, merges


def write_xlsx(path: Path, rows: list[list], merges: list[tuple]) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    ws = workbook.active
    ws.title = "汇总表"
    for values in rows:
        ws.append(values)
    for row in ws.iter_rows(min_row=6, min_col=7, max_col=7):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = 'yyyy"年"m"月"d"日"'
    for r1, c1, r2, c2 in merges:
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    workbook.save(path)


def write_xls(path: Path, rows: list[list], merges: list[tuple]) -> None:
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    ws = workbook.add_sheet("汇总表")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    merged = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in merges}
    covered = {(r, c) for r1, c1, r2, c2 in merges for r in range(r1, r2 + 1)
               for c in range(c1, c2 + 1)}  # fmt: skip
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            style = date_style if isinstance(value, dt.date) else xlwt.Style.default_style
            if (r, c) in merged:
                r2, c2 = merged[(r, c)]
                ws.write_merge(r - 1, r2 - 1, c - 1, c2 - 1, value, style)
            elif value is not None and (r, c) not in covered:
                ws.write(r - 1, c - 1, value, style)
    workbook.save(str(path))


def write_csv(path: Path, rows: list[list]) -> None:
    """GBK, no merges: the village on every sign row, dates as 2024-03-05."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    village = None
    for values in rows:
        if isinstance(values[0], int):
            village = values[1] or village
            values = [values[0], village, *values[2:]]
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else v
                         for v in values])  # fmt: skip
    path.write_bytes(buffer.getvalue().encode("gbk"))


# --- the children (each its own process) ----------------------------------------------------


def _town():
    from django.db.models import Count

    from villages.models import Town

    return Town.objects.annotate(n=Count("villages")).order_by("-n", "code").first()


def setup_child(*, folder: str) -> dict:
    """The staffer and the three files, for the township with most villages."""
    from django.contrib.auth.models import Group, User

    from villages import roles
    from villages.models import TownStaff

    town = _town()
    villages = list(town.villages.order_by("code").values_list("name", flat=True))
    user, _created = User.objects.get_or_create(username=STAFF)
    user.groups.set([Group.objects.get(name=roles.TOWN_STAFF)])
    TownStaff.objects.get_or_create(user=user, town=town)
    rows, merges = ledger_rows(town.name, villages)
    sizes = {}
    for fmt in FORMATS:
        path = Path(folder, f"ledger.{fmt}")
        started = time.perf_counter()
        if fmt == "xlsx":
            write_xlsx(path, rows, merges)
        elif fmt == "xls":
            write_xls(path, rows, merges)
        else:
            write_csv(path, rows)
        sizes[fmt] = {"bytes": path.stat().st_size, "seconds": time.perf_counter() - started}
    return {"town": town.code, "name": town.name, "villages": len(villages), "rows": len(rows),
            "files": sizes}  # fmt: skip


def plan_child(*, path: str, town: str) -> dict:
    """read + plan as the upload view does them; the time of each."""
    from signs import imports
    from villages.models import Town

    town_ = Town.objects.get(code=town)
    data = Path(path).read_bytes()
    started = time.perf_counter()
    sheet = imports.read_sign_sheet(data)
    read = time.perf_counter() - started
    plan = imports.plan_sign_import(town=town_, sheet=sheet)
    seconds = time.perf_counter() - started
    assert not plan.errors, [str(e) for e in plan.errors[:5]]
    assert plan.summary["signs"] == ROWS, plan.summary
    return {"seconds": seconds, "read": read, "summary": plan.summary,
            "skipped_rows": plan.skipped_rows}  # fmt: skip


def http_child(*, path: str, town: str) -> dict:
    """POST the file to the upload page as the staffer, GET the preview it redirects to."""
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(User.objects.get(username=STAFF))
    url = reverse("sign_import", args=[town])
    warm = client.get(url)  # untimed: URL conf, templates, translations
    assert warm.status_code == 200, warm.status_code
    upload = SimpleUploadedFile(Path(path).name, Path(path).read_bytes())
    started = time.perf_counter()
    posted = client.post(url, {"file": upload})
    post = time.perf_counter() - started
    assert posted.status_code == 302, (posted.status_code, posted.content[-2000:])
    preview = client.get(posted["Location"])
    seconds = time.perf_counter() - started
    assert preview.status_code == 200, preview.status_code
    assert f"{ROWS:,}".encode() in preview.content or str(ROWS).encode() in preview.content
    return {"seconds": seconds, "post": post, "get": seconds - post}


def idle_child() -> dict:
    """Django set up and the import modules loaded, nothing read: the floor of the RSS."""
    from signs import imports  # noqa: F401

    return {}


def bare_child(*, path: str, fmt: str) -> dict:
    started = time.perf_counter()
    cells = 0
    if fmt == "xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        for ws in workbook.worksheets:
            for row in ws.iter_rows(values_only=True):
                cells += len(row)
        workbook.close()
    elif fmt == "xls":
        import xlrd

        book = xlrd.open_workbook(path)
        for sheet in book.sheets():
            for index in range(sheet.nrows):
                cells += len(sheet.row_values(index))
    else:
        for row in csv.reader(io.StringIO(Path(path).read_bytes().decode("gbk"), newline="")):
            cells += len(row)
    return {"seconds": time.perf_counter() - started, "cells": cells}


def profile_child(*, path: str, town: str, top: int = 15) -> dict:
    """cProfile of read + plan; the top entries by cumulative time from signs/ and openpyxl."""
    import cProfile
    import pstats

    from signs import imports
    from villages.models import Town

    town_ = Town.objects.get(code=town)
    data = Path(path).read_bytes()
    profiler = cProfile.Profile()
    profiler.enable()
    plan = imports.plan_sign_import(town=town_, sheet=imports.read_sign_sheet(data))
    profiler.disable()
    assert not plan.errors
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    entries = []
    for (file, line, name), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():
        where = file.replace(str(ROOT) + "/", "")
        if where.startswith("signs/") or "/openpyxl/" in where:
            where = where.split("site-packages/")[-1]
            entries.append((cumtime, tottime, calls, f"{where}:{line}({name})"))
    entries.sort(reverse=True)
    return {"total": total, "entries": entries[:top]}


CHILDREN = {"setup": setup_child, "plan": plan_child, "http": http_child, "idle": idle_child,
            "bare": bare_child, "profile": profile_child}  # fmt: skip
DJANGO_CHILDREN = {"setup", "plan", "http", "idle", "profile"}


# --- the parent -----------------------------------------------------------------------------


def environment(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{folder / 'bench-imports.sqlite3'}",
        DJANGO_SETTINGS_MODULE="hengzhou.settings.local",
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS="testserver",
        IMPORT_UPLOAD_DIR=str(folder / "uploads"),
        DJANGO_MEDIA_ROOT=str(folder / "media"),
        PYTHONPATH=str(ROOT),
    )
    return env


def peak_rss_mb() -> float:
    """This process's own high-water RSS in MB (VmHWM; Linux)."""
    status = Path("/proc/self/status").read_text()
    return int(next(ln for ln in status.splitlines() if ln.startswith("VmHWM:")).split()[1]) / 1024


def run_child(env: dict, mode: str, **arguments) -> tuple[dict, float]:
    """The child's answer and its peak RSS in MB (its VmHWM; see the module's docstring)."""
    from benchmarks.measures import child

    cmd = [sys.executable, "-m", "benchmarks.imports", "--child", mode, json.dumps(arguments)]
    answer, _floored_rss = child(cmd, env)
    return answer, answer.pop("peak_rss_mb")


def manage(env: dict, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, timeout=300)  # fmt: skip
    return time.perf_counter() - started


def log(message: str) -> None:
    print(message, flush=True)


def measure(env: dict, folder: Path, town: dict, runs: int) -> list:
    from benchmarks.measures import info, result

    results = []
    _idle, idle_rss = run_child(env, "idle")
    results.append(info("Django + signs.imports loaded, nothing read: peak RSS", idle_rss, "MB"))
    for fmt in FORMATS:
        path = str(folder / f"ledger.{fmt}")
        keys = ("plan", "plan_rss", "read", "http", "http_rss", "post", "bare", "bare_rss")
        figures: dict[str, list] = {key: [] for key in keys}
        for _ in range(runs):
            answer, rss = run_child(env, "plan", path=path, town=town["town"])
            figures["plan"].append(answer["seconds"])
            figures["read"].append(answer["read"])
            figures["plan_rss"].append(rss)
            skipped = answer["skipped_rows"]
            answer, rss = run_child(env, "http", path=path, town=town["town"])
            figures["http"].append(answer["seconds"])
            figures["post"].append(answer["post"])
            figures["http_rss"].append(rss)
            answer, rss = run_child(env, "bare", path=path, fmt=fmt)
            figures["bare"].append(answer["seconds"])
            figures["bare_rss"].append(rss)
        m = {k: statistics.median(v) if not k.endswith("rss") else max(v)
             for k, v in figures.items()}  # fmt: skip
        log(f"  .{fmt}: read + plan {m['plan']:.2f} s (read {m['read']:.2f} s) / "
            f"{m['plan_rss']:.0f} MB; HTTP {m['http']:.2f} s (POST {m['post']:.2f} s) / "
            f"{m['http_rss']:.0f} MB; bare {m['bare']:.2f} s / {m['bare_rss']:.0f} MB")  # fmt: skip
        name = f"{ROWS:,}-row ledger .{fmt}"
        results += [
            result(f"{name}: read + plan", m["plan"], "s", "<", SECONDS, f"skipped: {skipped}"),
            info(f"{name}: of which read_sign_sheet", m["read"], "s"),
            result(f"{name}: read + plan peak RSS", m["plan_rss"], "MB", "<", MEGABYTES),
            result(f"{name}: HTTP upload → preview", m["http"], "s", "<", SECONDS,
                   "POST (read + plan) then GET preview (read + plan again)"),
            info(f"{name}: of which POST", m["post"], "s"),
            result(f"{name}: HTTP peak RSS", m["http_rss"], "MB", "<", MEGABYTES),
            info(f"{name}: bare read ({BARE[fmt]})", m["bare"], "s"),
            info(f"{name}: read + plan / bare", m["plan"] / m["bare"], "×"),
            info(f"{name}: bare peak RSS (no Django)", m["bare_rss"], "MB"),
        ]  # fmt: skip
    return results


BARE = {"xlsx": "openpyxl read-only, values_only", "xls": "xlrd", "csv": "GBK decode + csv.reader"}


def arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each measure (median)")
    parser.add_argument("--profile", action="store_true", help="profile even if all pass")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "JSON"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv=None) -> int:
    args = arguments(argv)
    if args.child:
        mode, payload = args.child
        signal.alarm(CHILD_SECONDS)  # bounded: SIGALRM ends a child that hangs
        if mode in DJANGO_CHILDREN:
            import django

            django.setup()
        answer = CHILDREN[mode](**json.loads(payload))
        print(json.dumps({**answer, "peak_rss_mb": peak_rss_mb()}, default=str))
        return 0
    from benchmarks.run import table

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as tmp:
        folder = Path(tmp)
        env = environment(folder)
        log(f"throwaway database: {env['DATABASE_URL']}")
        seconds = manage(env, "migrate", "--noinput")
        seconds += manage(env, "seed_demo")
        town, _rss = run_child(env, "setup", folder=tmp)
        files = ", ".join(f".{f} {v['bytes'] / 1e6:.1f} MB ({v['seconds']:.1f} s)"
                          for f, v in town["files"].items())  # fmt: skip
        log(
            f"migrate + seed_demo {seconds:.0f} s; {town['name']} ({town['town']}, "
            f"{town['villages']} villages): {ROWS:,} signs in {town['rows']:,} rows; {files}"
        )
        results = measure(env, folder, town, args.runs)
        failed = any(r.passed is False for r in results)
        profile = None
        if failed or args.profile:
            profile, _rss = run_child(env, "profile", path=str(folder / "ledger.xlsx"),
                                      town=town["town"])  # fmt: skip
    log("")
    log(table(results))
    if profile:
        log(
            f"\ncProfile of read + plan of the .xlsx ({profile['total']:.1f} s in all; "
            "signs/ and openpyxl, by cumulative time):"
        )
        log(f"  {'cumulative s':>12}  {'own s':>7}  {'calls':>9}  function")
        for cumtime, tottime, calls, where in profile["entries"]:
            log(f"  {cumtime:12.2f}  {tottime:7.2f}  {calls:9,}  {where}")
    RESULTS.write_text(
        json.dumps([r.as_json() for r in results], ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    log(f"\nwritten {RESULTS.relative_to(ROOT)} in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
