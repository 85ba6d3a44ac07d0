"""The benchmark databases: `<name>_1x` and `<name>_50x` beside the one DATABASE_URL names.

One database cannot hold both sizes (`seed_demo --reset` replaces everything), so each size
has its own, created from the maintenance database `postgres` with the same credentials,
migrated on every run and seeded only when its village count is not the one wanted.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"1x": 308, "50x": 15_400}
# As the app's own connections (hengzhou/settings/base.py): JIT compiles the big progress
# plans for longer than they run, so the raw-SQL baseline runs without it too.
CONNECT_OPTIONS = "-c jit=off"


class NotPostgres(SystemExit):
    pass


@dataclass(frozen=True)
class Database:
    """One benchmark database: its name, URL and psycopg2 connection arguments."""

    url: str

    @property
    def name(self) -> str:
        return urlsplit(self.url).path.lstrip("/")

    def connect(self, **kwargs):
        return psycopg2.connect(self.url, options=CONNECT_OPTIONS, **kwargs)

    def sibling(self, name: str) -> Database:
        parts = urlsplit(self.url)
        return Database(urlunsplit(parts._replace(path=f"/{name}")))


def base_database(url: str | None) -> Database:
    """The database DATABASE_URL names; the benchmarks need PostgreSQL, the reference."""
    if not url:
        raise NotPostgres(
            "DATABASE_URL is not set. The benchmarks run on PostgreSQL only, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/hengzhou_bench make bench\n"
            "(the databases hengzhou_bench_1x and hengzhou_bench_50x are created beside it)."
        )
    if urlsplit(url).scheme not in {"postgres", "postgresql", "pgsql"}:
        raise NotPostgres(
            f"DATABASE_URL is {urlsplit(url).scheme}://…: the benchmarks measure against the "
            "limits for PostgreSQL (the production database) and refuse anything else. "
            "SQLite figures would mean little: one writer at a time, no 50× data set in "
            "reasonable time, and no gunicorn workers sharing it."
        )
    return Database(url)


def maintenance(db: Database) -> Database:
    return db.sibling("postgres")


@contextmanager
def _autocommit(db: Database):
    conn = maintenance(db).connect()
    conn.autocommit = True
    try:
        yield conn.cursor()
    finally:
        conn.close()


def create_if_missing(db: Database) -> bool:
    with _autocommit(db) as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db.name])
        if cur.fetchone():
            return False
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db.name)))
        return True


def copy_of(db: Database, name: str) -> Database:
    """A throwaway copy (CREATE DATABASE … TEMPLATE): nobody may be connected to `db`."""
    copy = db.sibling(name)
    with _autocommit(db) as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cur.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(db.name)
            )
        )
    return copy


def drop(db: Database) -> None:
    with _autocommit(db) as cur:
        cur.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db.name))
        )


def django_env(db: Database, **extra: str) -> dict[str, str]:
    """The environment for manage.py and the Django-side measures: local settings, DEBUG off."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db.url,
        DJANGO_SETTINGS_MODULE="hengzhou.settings.local",
        DJANGO_DEBUG="false",
        # The test client's host, and the loopback for gunicorn.
        DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def manage(db: Database, *args: str) -> float:
    """Run manage.py with `db`; the wall-clock seconds it took (Python start-up included)."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=django_env(db),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def village_count(db: Database) -> int:
    with db.connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM villages_village")
        count = cur.fetchone()[0]
    conn.close()
    return count


@dataclass
class Prepared:
    size: str
    db: Database
    villages: int
    seeded_seconds: float | None  # wall-clock of seed_demo when this run seeded


def prepare(base: Database, size: str, *, fresh: bool, log) -> Prepared:
    """Create, migrate and (only when needed) seed the database of one size."""
    villages = SIZES[size]
    db = base.sibling(f"{base.name}_{size}")
    if create_if_missing(db):
        log(f"created database {db.name}")
    manage(db, "migrate", "--noinput")
    have = village_count(db)
    seconds = None
    if fresh or have != villages:
        log(f"seeding {db.name}: {villages:,} villages (had {have:,}) …")
        seconds = manage(db, "seed_demo", "--villages", str(villages), "--reset")
        log(f"  seeded in {seconds:.1f} s")
        have = village_count(db)
    else:
        log(f"reusing {db.name} ({have:,} villages)")
    return Prepared(size=size, db=db, villages=have, seeded_seconds=seconds)
