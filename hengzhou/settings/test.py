"""Settings for the test suite: fast hashing, plain static storage, media in a temp folder."""

import os
import tempfile
import uuid
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The manifest storage needs collectstatic; tests use plain storage.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "job_results": STORAGES["job_results"],  # noqa: F405
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The suite runs on pytest-xdist workers, one per core: each reads photos on one thread.
OCR_THREADS = 1
MEDIA_ROOT = Path(
    os.environ.get("DJANGO_MEDIA_ROOT") or tempfile.mkdtemp(prefix="hengzhou-test-media-")
)
# Per run, so that two test runs on one machine never see each other's pending uploads.
IMPORT_UPLOAD_DIR = os.environ.get("IMPORT_UPLOAD_DIR") or tempfile.mkdtemp(
    prefix="hengzhou-test-imports-"
)

# Job results in a temp folder. Jobs run in the request (no REDIS_URL) unless a test starts a real
# worker (tests/jobs.py), which takes them from a queue of this test process's own, on
# TEST_REDIS_URL: two runs side by side (SQLite and PostgreSQL in CI) and the xdist workers never
# take each other's jobs. The worker gets these folders and this queue through the environment.
JOB_RESULTS_ROOT = Path(
    os.environ.get("JOB_RESULTS_ROOT") or tempfile.mkdtemp(prefix="hengzhou-test-jobs-")
)
STORAGES["job_results"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": JOB_RESULTS_ROOT, "base_url": None},
}
REDIS_URL = None
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
JOB_QUEUE = os.environ.get("JOB_QUEUE") or f"hengzhou-test-{uuid.uuid4().hex[:12]}"
RQ_QUEUES = {JOB_QUEUE: {"URL": TEST_REDIS_URL}}
JOB_MODULES = [*JOB_MODULES, "tests.job_tasks"]  # noqa: F405
# The worker process must open the same test database: SQLite's is a file, not in memory.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    _shm = Path("/dev/shm")
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(
            (_shm if _shm.is_dir() else Path(tempfile.gettempdir()))
            / f"hengzhou-test-{uuid.uuid4().hex[:8]}.sqlite3"
        )
    }
