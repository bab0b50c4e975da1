"""The README stays true: its rule table, its test command in CI, and the library layering."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from sheetsync.settings.catalogue import rule_catalogue

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_rule_table_matches_the_catalogue() -> None:
    table = README.split("<!-- rules -->")[1].split("<!-- /rules -->")[0]
    rows = re.findall(r"^\| (\w{2}\d{2}) \| (\w+) \| (.+) \|$", table, re.MULTILINE)
    assert rows == [(r.code, r.severity.label, r.title) for r in rule_catalogue()]


def test_ci_runs_the_readme_test_command() -> None:
    commands = re.findall(r"^```\n(.+)\n```$", README, re.MULTILINE)
    assert commands[0].endswith("sheetsync demo")
    assert commands[1].endswith("python -m pytest")
    assert commands[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_only_the_cli_imports_click() -> None:
    """The library never prints, exits or imports click; cli.py (with cli_options.py and
    cli_weekly.py) is the one adapter."""
    for path in sorted((ROOT / "sheetsync").rglob("*.py")):
        if path.name in ("cli.py", "cli_options.py", "cli_weekly.py", "__main__.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                    if isinstance(node, ast.Import) for alias in node.names}
        imported |= {(node.module or "").split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom)}
        assert "click" not in imported, path.name
        calls = {node.func.id for node in ast.walk(tree)
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
        assert "print" not in calls, path.name


def test_modules_stay_readable() -> None:
    for path in (ROOT / "sheetsync").rglob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 400, path.name
