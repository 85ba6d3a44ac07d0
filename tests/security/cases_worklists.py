"""Security cases of the supervision's worklists URLs (merged into test_url_scope.REGISTRY)."""

from .cases import Case  # noqa: F401

CASES: dict = {}
