"""The backup of docs/deploy.md restores: pg_dump -Fc → pg_restore gives the same dashboard, and
a tar of MEDIA_ROOT brings back the same photo files."""

import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from PIL import Image

from signs import selectors, services
from signs.models import ApprovedItem, Removal
from villages.models import DemonstrationSite, Village

ROOT = Path(__file__).resolve().parent.parent
PHOTO_FIELDS = ("photo", "photo_thumb", "photo_before", "photo_before_thumb")

only_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="pg_dump/pg_restore back up PostgreSQL only; set DATABASE_URL=postgres://… to run",
)


def jpeg(color: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), color).save(buffer, "JPEG")
    return SimpleUploadedFile("IMG_0001.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def ledger(village, other_town, staff):
    """Two townships: a retained rule and its duplicate, a removal with photos, a revoked
    removal, and another township's removal next to a demonstration site."""
    today = timezone.localdate()
    early = today - dt.timedelta(days=90)
    rule = ApprovedItem.objects.get(standard__is_current=True, kind="rule", number=18)
    far = Village.objects.create(town=other_town, code="450181101201", name="百合村")

    def sign(where, title, kind, item=None):
        return services.signboard_create(
            village=where, user=staff, kind=kind, title=title, approved_item=item,
            inventoried_on=early,
        )  # fmt: skip

    sign(village, "村规民约", "rule", rule)
    sign(village, "村规民约（旧）", "rule", rule)
    services.removal_record(
        signboard=sign(village, "廉洁工作站", "guidance"),
        user=staff,
        removed_on=today - dt.timedelta(days=30),
        reason="no_business",
        photo=jpeg("gray"),
        photo_before=jpeg("navy"),
    )
    mistaken = services.removal_record(
        signboard=sign(village, "脱贫攻坚领导小组", "rule"),
        user=staff,
        removed_on=today - dt.timedelta(days=20),
        reason="no_basis",
    )
    services.removal_revoke(removal=mistaken, user=staff, reason="登记错了，牌子仍在")
    services.removal_record(
        signboard=sign(far, "科普宣传室", "plaque"),
        user=staff,
        removed_on=today,
        reason="merged",
    )
    DemonstrationSite.objects.create(
        village=far, year_designated=today.year, investment=Decimal("40000")
    )
    return today


def progress(row: selectors.Progress) -> dict:
    names = [
        "villages", "villages_meeting", "on_wall", "retained", "still_to_remove", "removed",
        "removed_rule", "removed_guidance", "last_removed_on", "towns", "towns_fully_covered",
        "demonstration_sites", "investment", "progress", "villages_meeting_percent",
    ]  # fmt: skip
    return {"town": row.town and row.town.code, **{name: getattr(row, name) for name in names}}


def photo_names() -> list[str]:
    """Every photo and thumbnail file the removals point to, relative to MEDIA_ROOT."""
    rows = Removal.objects.values_list(*PHOTO_FIELDS)
    return sorted(name for row in rows for name in row if name)  # an empty FileField is ""


def snapshot(as_of: dt.date) -> dict:
    """The dashboard's figures at `as_of`, plus each table's row count, a digest of its rows,
    each sequence's position and the photo paths: what a restore must bring back as it was."""
    rows = selectors.town_progress(as_of=as_of)
    monthly = selectors.removed_by_month(as_of=as_of, year=as_of.year)
    figures = {
        "city": progress(selectors.city_progress(as_of=as_of, rows=rows)),
        "towns": [progress(row) for row in rows],
        "by_kind": selectors.removed_by_kind(as_of=as_of),
        "by_month": {
            "ends": monthly.ends,
            "city": monthly.city,
            "by_town": {str(town): series for town, series in sorted(monthly.by_town.items())},
            "before_year": monthly.before_year,
        },
    }
    tables = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                f"FROM {quoted} AS t"
            )
            tables[table] = list(cursor.fetchone())
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences ORDER BY sequencename")
        sequences = dict(cursor.fetchall())
    return json.loads(
        json.dumps(
            {"figures": figures, "tables": tables, "sequences": sequences, "photos": photo_names()},
            default=str,
        )
    )


def pg_tool(name: str) -> str:
    """The pg_dump/pg_restore of the server's major version (or newer): an older pg_dump
    refuses a newer server, and Debian installs one folder per version."""
    major = connection.pg_version // 10000
    candidates = [f"/usr/lib/postgresql/{major}/bin/{name}", shutil.which(name)]
    for path in filter(None, candidates):
        if not os.access(path, os.X_OK):
            continue
        version = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
        found = re.search(r"(\d+)(?:\.\d+)?", version)
        if found and int(found.group(1)) >= major:
            return path
    pytest.fail(f"{name} {major} not found: apt-get install postgresql-client-{major}")


def pg_args(db: dict) -> tuple[list[str], dict[str, str]]:
    """Command-line connection options and environment for the PostgreSQL client tools."""
    args = []
    if db["HOST"]:
        args += ["--host", db["HOST"]]
    if db["PORT"]:
        args += ["--port", str(db["PORT"])]
    if db["USER"]:
        args += ["--username", db["USER"]]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return args + ["--no-password"], env


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, f"{command[0]} failed:\n{out.stderr}"
    return out


def snapshot_of(database: str, as_of: dt.date, tmp_path: Path) -> dict:
    """`snapshot` computed by a fresh process against another database of the same server."""
    url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{database}").geturl()
    code = (
        "import datetime, json, django; django.setup(); "
        "from tests.test_backup_restore import snapshot; "
        f"print(json.dumps(snapshot(datetime.date.fromisoformat({as_of.isoformat()!r}))))"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "hengzhou.settings.test",
        "TMPDIR": str(tmp_path),  # the test settings' temporary folders land here
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@only_postgresql
@pytest.mark.django_db(transaction=True)
def test_pg_dump_and_restore_give_the_same_dashboard(ledger, tmp_path):
    before = snapshot(ledger)
    city = before["figures"]["city"]
    # The data set is not empty: every kind of row the figures depend on is there.
    assert (city["removed"], city["still_to_remove"], city["retained"]) == (2, 2, 1)
    assert before["tables"]["signs_removal"][0] == 3 and len(before["photos"]) == 4

    db = connection.settings_dict
    args, env = pg_args(db)
    dump = tmp_path / "hengzhou.dump"
    run([pg_tool("pg_dump"), *args, "--format=custom", f"--file={dump}", db["NAME"]], env)

    restored = f"{db['NAME'][:40]}_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:  # autocommit: this test runs outside a transaction
        cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(restored)}")
    try:
        run(
            [
                pg_tool("pg_restore"), *args, "--no-owner", "--exit-on-error",
                f"--dbname={restored}", str(dump),
            ],
            env,
        )  # fmt: skip
        after = snapshot_of(restored, ledger, tmp_path)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(restored)}")

    assert after["figures"] == before["figures"]
    assert after["tables"] == before["tables"]
    assert after["sequences"] == before["sequences"]
    assert after["photos"] == before["photos"]


@pytest.mark.django_db
def test_media_backup_brings_back_the_photo_files(ledger, tmp_path):
    media = Path(settings.MEDIA_ROOT)
    names = photo_names()
    assert len(names) == 4 and all((media / name).is_file() for name in names)

    archive = tmp_path / "media.tar.gz"
    restored = tmp_path / "media"
    restored.mkdir()
    env = dict(os.environ)
    run(["tar", "-C", str(media), "-czf", str(archive), "."], env)
    run(["tar", "-C", str(restored), "-xzf", str(archive)], env)

    for name in names:
        assert (restored / name).read_bytes() == (media / name).read_bytes(), name
