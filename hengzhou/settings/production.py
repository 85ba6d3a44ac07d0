"""Production: every secret from the environment, HTTPS behind a proxy (docs/deploy.md).

One switch, DJANGO_HTTPS (default true), serves a township intranet that has only plain HTTP.
It turns off what HTTPS makes possible and nothing else; `check --deploy` then warns, as it
should: passwords and session cookies cross the network readable (docs/deploy.md).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_list

try:
    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
except KeyError as exc:  # no default on purpose: a guessed key signs forged sessions
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.") from exc


def _https_switch() -> bool:
    # Stricter than env_bool: a typo must not quietly switch a site to plain HTTP.
    value = os.environ.get("DJANGO_HTTPS", "true").strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"DJANGO_HTTPS must be true or false, not {value!r}.")


HTTPS = _https_switch()

DEBUG = env_bool("DJANGO_DEBUG", False)

# The proxy (nginx) terminates TLS and says so in X-Forwarded-Proto; it must overwrite any
# such header a client sends (docs/deploy.md), or a client could claim HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
# A year, as the preload list requires; a first rollout may start lower (docs/deploy.md).
SECURE_HSTS_SECONDS = (
    int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365))) if HTTPS else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS

X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True

# Full origins (https://zhaipai.example.gov.cn) from which forms may be posted besides the
# site's own address; only needed when people reach the site under another name or port than
# the Host header the proxy passes on.
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
