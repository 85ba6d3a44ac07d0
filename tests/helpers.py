"""Small helpers shared by the view tests."""

import uuid


def with_token(data: dict | None = None, **fields) -> dict:
    """POST data for a write form, with a fresh one-time token as if from its own page load."""
    return {"form_token": str(uuid.uuid4()), **(data or {}), **fields}
