"""Settings shared by every environment; secrets and hosts come from the environment."""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "django_tables2",
    "axes",
    "csp",
    "django_rq",
    "utilities",
    "villages",
    "signs",
    "supervision",
    "reports",
    "feedback",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A form the offline outbox sends is answered in JSON (docs/offline.md).
    "utilities.offline.OutboxMiddleware",
    # A form resent after its save (a lost answer, an outbox) gets the first answer again.
    "utilities.form_tokens.ReplayMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hengzhou.urls"
WSGI_APPLICATION = "hengzhou.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "villages.context_processors.nav",
                "villages.context_processors.display",
                "utilities.offline.texts",
            ],
        },
    },
]

# The embedded default is a SQLite file in the project folder; production sets
# DATABASE_URL=postgres://user:password@host:5432/name.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The progress queries' estimated cost is high enough to trigger PostgreSQL's JIT, whose
    # compilation took ~0.4 s of a 0.5 s city total at 308 villages (docs/performance.md).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "villages.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # 等保 2.0 asks for complex passwords: three of upper case, lower case, digits, symbols.
    {"NAME": "villages.password_validation.CharacterClassesValidator"},
]

# Sign-in: django-axes locks a username at one address after repeated failures (a cool-off,
# not a permanent lock), without letting one attacker lock every user out from elsewhere.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "villages.lockout.locked_out"
# The client address: REMOTE_ADDR, unless the site sits behind that many trusted proxies
# (nginx: 1), whose X-Forwarded-For is then believed. Never trust the header blindly: anyone
# could send a new address with each guess.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Sessions end when the browser closes, and after a working day at the latest.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 60 * 60)))

# Content Security Policy (django-csp): only the app's own scripts and styles; no inline script
# or style attribute runs. data: images are Bootstrap's form icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The service worker (/sw.js) and the web app manifest are the app's own.
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end libraries come from npm (package-lock.json) and are served by WhiteNoise:
# township offices sit on intranets, so no CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
    ("vendor/exifr", BASE_DIR / "node_modules" / "exifr" / "dist"),
    ("vendor/idb", BASE_DIR / "node_modules" / "idb" / "build"),
    ("vendor/workbox-sw", BASE_DIR / "node_modules" / "workbox-sw" / "build"),
    *(
        (f"vendor/workbox-{name}", BASE_DIR / "node_modules" / f"workbox-{name}" / "build")
        for name in ("core", "routing", "strategies", "expiration", "cacheable-response")
    ),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"

# Who is reported as the reporting unit (填报单位) in headers and ledgers.
SITE_UNIT_NAME = os.environ.get("SITE_UNIT_NAME", "中共横州市委组织部")
# Threads of the OCR engine (拍照识牌) per process; unset: onnxruntime's default (one per core).
OCR_THREADS = int(os.environ["OCR_THREADS"]) if os.environ.get("OCR_THREADS") else None

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# The address printed in village QR codes: the site as people reach it, e.g.
# https://zhaipai.example.gov.cn (no trailing slash needed).
SITE_BASE_URL = os.environ.get("SITE_BASE_URL", "http://127.0.0.1:8000")

# A CJK font file for the stamp on removal photos; by default signs.photos looks for
# Noto Sans CJK (Debian's fonts-noto-cjk) or WenQuanYi.
PHOTO_STAMP_FONT = os.environ.get("PHOTO_STAMP_FONT") or None

# Uploaded import files wait here between preview and confirm (kept a day at most). Not under
# MEDIA_ROOT, which is served to signed-in users; several app servers need a shared folder.
IMPORT_UPLOAD_DIR = os.environ.get("IMPORT_UPLOAD_DIR") or None

# Long work off the request (utilities/jobs): the 台账, rebuilding the tallies, 拍照识牌's reading.
# With REDIS_URL (redis://host:6379/0) jobs go to RQ and run in `manage.py rqworker hengzhou`
# processes, on this host or others; without it they run in the request that starts them, and
# the pages are the same but for the progress bar being full at once.
REDIS_URL = os.environ.get("REDIS_URL") or None
JOB_QUEUE = os.environ.get("JOB_QUEUE", "hengzhou")
RQ_QUEUES = {JOB_QUEUE: {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 3600}}
# The modules whose @task functions a job may run (imported when the apps are ready).
JOB_MODULES = ["utilities.job_tasks", "reports.jobs", "signs.jobs"]
# A table export with more rows than this is made by a job (utilities.job_views.export_or_job).
EXPORT_JOB_ROWS = int(os.environ.get("EXPORT_JOB_ROWS", "3000"))
# A finished job's file is kept this long for its owner, then deleted (`manage.py jobs_sweep`).
JOB_RESULT_HOURS = int(os.environ.get("JOB_RESULT_HOURS", "24"))
# A job still queued after this long (no worker took it) is marked failed.
JOB_QUEUED_LIMIT_SECONDS = int(os.environ.get("JOB_QUEUED_LIMIT_SECONDS", "3600"))
# Job results are written through this storage: a folder shared by the web and worker hosts
# (not under MEDIA_ROOT, which any signed-in user may read), or S3 (docs/deploy.md).
JOB_RESULTS_ROOT = Path(os.environ.get("JOB_RESULTS_ROOT", BASE_DIR / "job_results"))
STORAGES["job_results"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": JOB_RESULTS_ROOT, "base_url": None},
}

# The figures by day (signs.VillageDayTally) are written with every write and give past dates
# their figures. Off only to measure what they cost (`make bench`'s record-removal POSTs): past
# dates are then computed from every sign, as before the tallies by day.
DAY_TALLIES = env_bool("DAY_TALLIES", True)
