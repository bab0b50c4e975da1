"""What ``financial_table.yaml`` says: the header words, rules, messages and rounding that
``finance`` checks financial tables with (kept apart so a run can load it without pandas)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sheetsync.errors import ConfigError
from sheetsync.findings import Rule, Severity
from sheetsync.settings.config import read_yaml
from sheetsync.settings.schemas import normalise

FINANCE_FILE = "financial_table.yaml"
_MONEY_WORDS = {"000", "000s", "m", "k", "gbp", "pounds", "million"}


@dataclass(frozen=True, slots=True)
class FinanceSpec:
    """What financial_table.yaml says: header words, rules, messages and rounding."""

    path: str
    synonyms: dict[str, tuple[str, ...]]  #: line / budget / spent / committed / remaining
    total_words: tuple[str, ...]
    share_words: tuple[str, ...]
    tolerance_pounds: float
    tolerance_points: float
    rules: dict[str, Rule]  #: check name -> rule
    messages: dict[str, str]  #: check name -> message

    def role(self, header: str) -> str | None:
        """Which budget column a header is (budget, spent, ...), if any; "Budget £'000" is budget."""
        text = " ".join(w for w in normalise(header).split() if w not in _MONEY_WORDS)
        return next((role for role, words in self.synonyms.items()
                     if text in (normalise(w) for w in words)), None)



def load_finance_spec(schemas_dir: Path) -> FinanceSpec:
    path = schemas_dir / FINANCE_FILE
    if not path.is_file():
        raise ConfigError(path, "schema file not found (is --schemas the right folder?)")
    data = read_yaml(path)
    columns = data.get("columns") or {}
    if not isinstance(columns, dict) or "budget" not in columns or "line" not in columns:
        raise ConfigError(path, "needs 'columns:' with at least line and budget")
    synonyms = {name: tuple(str(s) for s in (raw or {}).get("synonyms", []) + [name])
                for name, raw in columns.items()}
    rules, messages = {}, {}
    known = {"total_matches", "remaining_matches", "share_matches", "money_readable"}
    for number, raw in enumerate(data.get("checks") or [], start=1):
        if not isinstance(raw, dict) or raw.get("check") not in known:
            raise ConfigError(path, f"check {number}: 'check' should be one of {', '.join(sorted(known))}")
        try:
            severity = Severity.parse(raw.get("severity", "error"))
        except ValueError as exc:
            raise ConfigError(path, f"check {number}: {exc}") from None
        rules[raw["check"]] = Rule(code=str(raw["rule"]), severity=severity,
                                   title=str(raw.get("title", raw["rule"])))
        messages[raw["check"]] = str(raw.get("message", ""))
    try:
        pounds = float(data.get("tolerance_pounds", 1))
        points = float(data.get("tolerance_share_points", 0.5))
    except (TypeError, ValueError):
        raise ConfigError(path, "tolerance_pounds and tolerance_share_points should be numbers") from None
    return FinanceSpec(path=str(path), synonyms=synonyms,
                       total_words=tuple(normalise(w) for w in data.get("total_words") or ["total"]),
                       share_words=tuple(normalise(w) or "%" for w in data.get("share_words") or ["%"]),
                       tolerance_pounds=pounds, tolerance_points=points, rules=rules,
                       messages=messages)
