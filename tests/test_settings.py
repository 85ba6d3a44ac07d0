"""Settings come from the environment (DATABASE_URL, DJANGO_SECRET_KEY, …)."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def environment_without_settings() -> dict[str, str]:
    """This process's environment less what the settings read, so each test sets its own."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}


def settings_in_subprocess(
    module: str, env: dict[str, str], expr: str
) -> subprocess.CompletedProcess:
    code = f"import django, os; django.setup(); from django.conf import settings; print({expr})"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**environment_without_settings(), "DJANGO_SETTINGS_MODULE": module, **env},
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


# The deploy check as docs/deploy.md and .ci/run run it: production settings, a random key.
DEPLOY_ENV = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "zhaipai.example.gov.cn",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://zhaipai.example.gov.cn",
}


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            **environment_without_settings(),
            "DJANGO_SETTINGS_MODULE": "hengzhou.settings.production",
            **env,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_passes_the_deploy_check():
    out = deploy_check(DEPLOY_ENV)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "System check identified no issues (0 silenced)." in out.stdout


def test_production_is_https_behind_a_proxy():
    out = settings_in_subprocess(
        "hengzhou.settings.production",
        DEPLOY_ENV,
        "settings.SECURE_PROXY_SSL_HEADER, settings.SECURE_SSL_REDIRECT, "
        "settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
        "settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "settings.SECURE_HSTS_PRELOAD, settings.X_FRAME_OPTIONS, settings.SECURE_REFERRER_POLICY, "
        "settings.CSRF_TRUSTED_ORIGINS",
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == (
        "('HTTP_X_FORWARDED_PROTO', 'https') True True True 31536000 True True DENY same-origin "
        "['https://zhaipai.example.gov.cn']"
    )


def test_plain_http_switch_turns_off_what_needs_https():
    out = settings_in_subprocess(
        "hengzhou.settings.production",
        {**DEPLOY_ENV, "DJANGO_HTTPS": "false"},
        "settings.SECURE_PROXY_SSL_HEADER, settings.SECURE_SSL_REDIRECT, "
        "settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
        "settings.LANGUAGE_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS, "
        "settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SECURE_HSTS_PRELOAD, "
        "settings.X_FRAME_OPTIONS, settings.SECURE_REFERRER_POLICY",
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "None False False False False 0 False False DENY same-origin"


def test_plain_http_is_not_hidden_from_the_deploy_check():
    out = deploy_check({**DEPLOY_ENV, "DJANGO_HTTPS": "false"})
    assert out.returncode != 0
    warned = set(re.findall(r"\(security\.(W\d+)\)", out.stderr))
    # No HSTS, no redirect, session and CSRF cookies sent over plain HTTP: the price, stated.
    assert warned == {"W004", "W008", "W012", "W016"}, out.stderr


def test_https_switch_refuses_a_value_it_does_not_know():
    out = settings_in_subprocess(
        "hengzhou.settings.production", {**DEPLOY_ENV, "DJANGO_HTTPS": "ture"}, "settings.DEBUG"
    )
    assert out.returncode != 0
    assert "DJANGO_HTTPS must be true or false" in out.stderr
