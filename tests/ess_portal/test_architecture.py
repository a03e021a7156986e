"""The apps depend one way (docs/architecture.md): core imports no app, audit only core, accounts none of the
feature apps, the feature apps not each other, and nothing imports bench. Read from every import statement of the
code (those inside functions too), migrations aside."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

APPS = (
    "core",
    "accounts",
    "audit",
    "maintenance",
    "cases",
    "reviews",
    "value_reports",
    "integrations",
    "ess_portal",
    "bench",
)
MAY_IMPORT = {
    "core": set(),
    "audit": {"core"},
    "accounts": {"core", "audit"},
    "maintenance": {"core", "audit", "accounts"},
    "cases": {"core", "audit", "accounts"},
    "reviews": {"core", "audit", "accounts"},
    # The project layer's app for contracts over time: it combines the feature apps' figures.
    "value_reports": {"core", "audit", "accounts", "maintenance", "cases", "reviews"},
    # Integrations listen to the feature apps' domain events (core.events); no feature app imports them.
    "integrations": {"core", "audit", "accounts"},
    "ess_portal": {"core", "audit", "accounts", "maintenance", "cases", "reviews", "value_reports", "integrations"},
    "bench": set(APPS) - {"bench"},
}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & set(APPS)


@pytest.mark.parametrize("app", APPS)
def test_an_app_imports_only_what_it_may(app):
    root = Path(settings.BASE_DIR) / app
    wrong = {}
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        others = _imports(path) - {app} - MAY_IMPORT[app]
        if others:
            wrong[str(path.relative_to(settings.BASE_DIR))] = sorted(others)
    assert not wrong, f"{app} may import only {sorted(MAY_IMPORT[app])}: {wrong}"
