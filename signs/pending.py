"""Uploads that wait on the server between the two steps of a form (preview → confirm).

The file lies under IMPORT_UPLOAD_DIR (by default a folder in the system temp dir, deliberately
not under MEDIA_ROOT, which utilities.views.media serves to every signed-in user); its checksum,
who uploaded it, for what (the scope) and when, in the session. The browser only says which
upload; the confirm step gets the bytes back only for the same user, scope and session, unchanged
and within PENDING_TTL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

PENDING_TTL = dt.timedelta(hours=2)
SWEEP_AGE = dt.timedelta(days=1)


def upload_dir() -> Path:
    configured = getattr(settings, "IMPORT_UPLOAD_DIR", None)
    return Path(configured) if configured else Path(tempfile.gettempdir()) / "hengzhou-imports"


class PendingUploads:
    """One kind of waiting upload: its session key, file suffix and how many a session keeps."""

    def __init__(self, *, session_key: str, suffix: str, keep: int = 5):
        self.session_key = session_key
        self.suffix = suffix
        self.keep = keep

    def _path(self, token: str) -> Path:
        return upload_dir() / f"{uuid.UUID(token).hex}{self.suffix}"

    def _sweep(self, folder: Path) -> None:
        """Forget uploads nobody confirmed (a day old), so the folder does not grow."""
        cutoff = (timezone.now() - SWEEP_AGE).timestamp()
        for path in folder.glob(f"*{self.suffix}"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                pass

    def store(self, request, *, scope: dict, data: bytes, **info) -> str:
        """Keep `data` for this user and `scope`; returns the token the next step sends back."""
        folder = upload_dir()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._sweep(folder)
        token = str(uuid.uuid4())
        fd = os.open(self._path(token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        pending = request.session.get(self.session_key, {})
        for old in sorted(pending, key=lambda t: pending[t]["at"])[: -(self.keep - 1) or None]:
            self._discard(old, pending)
        pending[token] = {
            **info,
            "scope": scope,
            "user": request.user.pk,
            "sha256": hashlib.sha256(data).hexdigest(),
            "at": timezone.now().isoformat(),
        }
        request.session[self.session_key] = pending
        return token

    def load(self, request, token: str, *, scope: dict) -> tuple[dict, bytes] | None:
        """The upload `token` of this user for `scope`, unexpired and unchanged, else None."""
        entry = request.session.get(self.session_key, {}).get(str(token))
        if not entry or (entry["scope"], entry["user"]) != (scope, request.user.pk):
            return None
        if timezone.now() - dt.datetime.fromisoformat(entry["at"]) > PENDING_TTL:
            self.discard(request, token)
            return None
        try:
            data = self._path(str(token)).read_bytes()
        except (OSError, ValueError):
            self.discard(request, token)
            return None
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            self.discard(request, token)
            return None
        return entry, data

    def update(self, request, token: str, **info) -> None:
        pending = request.session.get(self.session_key, {})
        pending[str(token)].update(info)
        request.session[self.session_key] = pending

    def discard(self, request, token: str) -> None:
        pending = request.session.get(self.session_key, {})
        self._discard(str(token), pending)
        request.session[self.session_key] = pending

    def _discard(self, token: str, pending: dict) -> None:
        pending.pop(token, None)
        with contextlib.suppress(ValueError):  # not a UUID: nothing was ever stored under it
            self._path(token).unlink(missing_ok=True)
