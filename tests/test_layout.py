"""The folder shows the flow: settings → read → rules → write → report → weekly. No package
imports one later in the flow, and outside its own package a module uses only the modules the
package's ``__init__`` lists in ``__all__``."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

FLOW = ["settings", "read", "rules", "write", "report", "weekly"]
PACKAGE_ROOT = Path(__file__).resolve().parents[1] / "sheetsync"


def imported_modules(path: Path) -> set[str]:
    """Every ``sheetsync.x.y`` module a file imports (absolute imports only: the code uses no others)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: relative import"
            if node.module and node.module.startswith("sheetsync"):
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("sheetsync"))
    return found


def sources() -> list[Path]:
    return sorted(PACKAGE_ROOT.rglob("*.py"))


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(PACKAGE_ROOT)))
def test_no_package_imports_one_later_in_the_flow(path: Path) -> None:
    own = path.parent.name
    if own not in FLOW:
        return  # the top: pipeline, cli, findings, results... may use every stage
    later = FLOW[FLOW.index(own) + 1:]
    wrong = {m for m in imported_modules(path) if m.split(".")[1:2] and m.split(".")[1] in later}
    assert not wrong, f"{own} must not import later stages: {sorted(wrong)}"


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(PACKAGE_ROOT)))
def test_other_packages_use_only_public_modules(path: Path) -> None:
    own = path.parent.name
    for module in imported_modules(path):
        parts = module.split(".")
        if len(parts) >= 3 and parts[1] in FLOW and parts[1] != own:
            public = importlib.import_module(f"sheetsync.{parts[1]}").__all__
            assert parts[2] in public, f"sheetsync.{parts[1]}.{parts[2]} is private to {parts[1]}"


def test_every_stage_package_says_what_it_is_for() -> None:
    for name in FLOW:
        package = importlib.import_module(f"sheetsync.{name}")
        assert package.__doc__ and len(package.__doc__.split()) > 10, name
        for module in package.__all__:
            assert (PACKAGE_ROOT / name / f"{module}.py").is_file(), f"{name}.{module}"
