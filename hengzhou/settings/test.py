"""Settings for the test suite: fast hashing, plain static storage, media in a temp folder."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The manifest storage needs collectstatic; tests use plain storage.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The suite runs on pytest-xdist workers, one per core: each reads photos on one thread.
OCR_THREADS = 1
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="hengzhou-test-media-"))
# Per run, so that two test runs on one machine never see each other's pending uploads.
IMPORT_UPLOAD_DIR = tempfile.mkdtemp(prefix="hengzhou-test-imports-")
