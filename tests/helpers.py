"""Small helpers shared by the view tests."""

import importlib
import uuid


def with_token(data: dict | None = None, **fields) -> dict:
    """POST data for a write form, with a fresh one-time token as if from its own page load."""
    return {"form_token": str(uuid.uuid4()), **(data or {}), **fields}


def restore_roles() -> None:
    """Put the migrations' roles back after a transactional test flushed the database."""
    from django.apps import apps

    importlib.import_module("signs.migrations.0002_roles").create_roles(apps, None)
    separate = importlib.import_module("signs.migrations.0004_separate_administrators")
    separate.separate_administrators(apps, None)
