"""Security cases of the supervision's review URLs (merged into test_url_scope.REGISTRY)."""

from .cases import Case  # noqa: F401

CASES: dict = {}
