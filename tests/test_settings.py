"""Settings come from the environment (DATABASE_URL, DJANGO_SECRET_KEY, …)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def settings_in_subprocess(
    module: str, env: dict[str, str], expr: str
) -> subprocess.CompletedProcess:
    code = f"import django, os; django.setup(); from django.conf import settings; print({expr})"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": module, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_database_url_selects_postgresql():
    out = settings_in_subprocess(
        "hengzhou.settings.local",
        {"DATABASE_URL": "postgres://u:p@db.example:5433/ledger", "CONN_MAX_AGE": "60"},
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'], "
        "settings.DATABASES['default']['PORT'], settings.DATABASES['default']['CONN_MAX_AGE'], "
        "settings.DATABASES['default']['CONN_HEALTH_CHECKS'], "
        "settings.DATABASES['default']['OPTIONS']",
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == (
        "django.db.backends.postgresql ledger 5433 60 True {'options': '-c jit=off'}"
    )


def test_default_database_is_a_sqlite_file_in_the_project():
    out = settings_in_subprocess(
        "hengzhou.settings.local", {}, "settings.DATABASES['default']['NAME']"
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(ROOT / "db.sqlite3")


def test_production_requires_a_secret_key():
    out = settings_in_subprocess("hengzhou.settings.production", {}, "settings.DEBUG")
    assert out.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in out.stderr


def test_production_reads_hosts_and_debug():
    out = settings_in_subprocess(
        "hengzhou.settings.production",
        {"DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "a.example, b.example"},
        "settings.DEBUG, settings.ALLOWED_HOSTS, settings.SESSION_COOKIE_SECURE",
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False ['a.example', 'b.example'] True"


def test_locale_and_time_zone():
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]
    assert "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE
    assert settings.MIDDLEWARE[1] == "whitenoise.middleware.WhiteNoiseMiddleware"
