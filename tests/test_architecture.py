"""The floors of docs/architecture.md hold: imports run one way, and the rules named once stay
named once (a newcomer's copy of them fails here, not in review)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each floor may import those at its rank or below; the same rank only itself.
RANKS = {"utilities": 0, "villages": 1, "signs": 2, "supervision": 3, "feedback": 3, "reports": 4}

pytestmark = pytest.mark.database_free


def _code_files(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & RANKS.keys()


@pytest.mark.parametrize("app", sorted(RANKS))
def test_imports_run_one_way(app):
    wrong = [
        f"{path.relative_to(ROOT)} imports {other}"
        for path in _code_files(app)
        for other in _imported_apps(path)
        if other != app and RANKS[other] >= RANKS[app]
    ]
    assert wrong == []


def _grep(text: str) -> list[str]:
    found = []
    for app in [*RANKS, "hengzhou"]:
        for path in _code_files(app):
            if text in path.read_text(encoding="utf-8"):
                found.append(str(path.relative_to(ROOT)))
    return found


def test_one_helper_handles_a_form_already_saved():
    assert _grep("except AlreadySubmitted") == ["utilities/views.py"]


def test_a_removal_in_effect_is_defined_once():
    assert _grep("revoked_at__isnull") == ["signs/models.py"]


def test_the_plumbing_is_not_taken_from_signs():
    """Forms, Excel, tokens and view helpers come from utilities, not from a domain app."""
    for name in ("signs.forms import BootstrapMixin", "signs.excel", "signs.view_helpers"):
        assert _grep(name) == [], name
