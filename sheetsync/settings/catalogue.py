"""The rule catalogue: structural rules from code plus each schema file's rules."""

from __future__ import annotations

from pathlib import Path

from sheetsync.findings import STRUCTURAL_RULES, Rule
from sheetsync.settings.config import load_config
from sheetsync.settings.finance_spec import load_finance_spec
from sheetsync.settings.schemas import default_schemas_dir, load_specs


def rule_catalogue(schemas_dir: Path | None = None) -> list[Rule]:
    """Every rule code, sorted; schema rules come from the (possibly edited) schema files."""
    directory = schemas_dir or default_schemas_dir()
    specs = load_specs(directory, load_config(directory))
    rules = dict(STRUCTURAL_RULES)
    for spec in specs.values():
        rules.update(spec.rules)
    rules.update({rule.code: rule for rule in load_finance_spec(directory).rules.values()})
    return [rules[code] for code in sorted(rules)]
