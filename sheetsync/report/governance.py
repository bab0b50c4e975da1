"""Risk governance for the reports: escalation candidates, residual-score trends over quarters,
risks above appetite that are not moving, and exempt risks kept out of what is published.

Everything here works from the tidy records (``record_fields.RISK_FIELDS``), so the same
answers come from a fresh run, a reused one, or the history of earlier quarters.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sheetsync.findings import Finding
from sheetsync.results import RunResult
from sheetsync.settings.config import Config
from sheetsync.settings.governance import fold

CANDIDATE, ESCALATED = "Candidate", "Escalated"
Key = tuple[str, str]


def risk_key(record: dict[str, Any]) -> Key:
    """A risk across runs and quarters: its workbook and its reference."""
    return (str(record.get("workbook") or ""), fold(record.get("ref")))


def _score(value: Any) -> float | None:
    """A score as the record holds it (12, not 12.0), or None."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@dataclass(slots=True)
class Escalation:
    """A risk at or above the escalation level in a service or programme register."""

    record: dict[str, Any]
    status: str  #: CANDIDATE or ESCALATED
    corporate: dict[str, Any] | None = None  #: The corporate register's entry, if escalated.


def corporate_sheets(run: RunResult, config: Config) -> set[tuple[str, str]]:
    """(workbook, sheet) of every corporate risk register in the run."""
    escalation = config.governance.escalation
    return {(wb.source.name, sheet.name) for wb in run.workbooks for sheet in wb.sheets
            if sheet.kind == "risk_register"
            and escalation.is_corporate(wb.source.name, sheet.name, sheet.metadata.get("title"))}


def escalations(run: RunResult, records: list[dict[str, Any]], config: Config) -> list[Escalation]:
    """Candidates for the corporate register, highest residual score first; those already on
    a corporate register (same reference or title, as the settings say) are escalated."""
    rules = config.governance.escalation
    corporate = corporate_sheets(run, config)
    closed = {fold(w) for w in config.vocabulary("risk_closed_status")}
    on_corporate: dict[tuple[str, str], dict[str, Any]] = {}
    for record in records:
        if (record["workbook"], record["sheet"]) in corporate:
            for name, source in (("ref", "ref"), ("title", "description")):
                if name in rules.match_on and fold(record.get(source)):
                    on_corporate.setdefault((name, fold(record.get(source))), record)
    found = []
    for record in records:
        score = _score(record.get("residual_score"))
        if ((record["workbook"], record["sheet"]) in corporate or score is None
                or score < rules.from_score or fold(record.get("status")) in closed):
            continue
        match = next((on_corporate[(name, fold(record.get(source)))]
                      for name, source in (("ref", "ref"), ("title", "description"))
                      if (name, fold(record.get(source))) in on_corporate), None)
        found.append(Escalation(record, ESCALATED if match else CANDIDATE, match))
    return sorted(found, key=lambda e: (e.status != CANDIDATE, -(_score(
        e.record.get("residual_score")) or 0), e.record["workbook"], str(e.record.get("ref") or "")))


@dataclass(slots=True)
class Governance:
    """What the summary shows of appetite, escalation, trends and exempt risks."""

    escalations: list[Escalation] = field(default_factory=list)
    #: Quarter labels of the trend, oldest first, the current one last; empty without history.
    quarters: list[str] = field(default_factory=list)
    trends: dict[Key, list[float | None]] = field(default_factory=dict)
    stalled_quarters: int = 3
    findings: list[Finding] = field(default_factory=list)  #: As published (exempt hidden).
    public: bool = False
    omitted: list[dict[str, Any]] = field(default_factory=list)  #: Exempt rows left out.

    def trend(self, record: dict[str, Any]) -> list[float | None]:
        """The risk's residual score in each trend quarter (None where it had none)."""
        return self.trends.get(risk_key(record), [None] * len(self.quarters))

    def stalled(self, records: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int]]:
        """Risks above appetite whose residual score has been the same for at least
        ``stalled_quarters`` quarters running, with how many quarters."""
        found = []
        for record in records:
            if record.get("within_appetite") != "No" or not self.quarters:
                continue
            scores = self.trend(record)
            run = 0
            for value in reversed(scores):
                if value is None or value != scores[-1]:
                    break
                run += 1
            if run >= self.stalled_quarters:
                found.append((record, run))
        return sorted(found, key=lambda item: (-item[1], -(item[0].get("residual_score") or 0),
                                               item[0]["workbook"], str(item[0].get("ref") or "")))

    def plus(self, **wanted: Any) -> str:
        """``+2`` for the exempt rows left out of the data sheets that a count over them with
        these values would miss; empty when none are."""
        missed = sum(1 for r in self.omitted if all(r.get(k) == v for k, v in wanted.items()))
        return f"+{missed}" if missed else ""

    def published(self, kind: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows of a data sheet: with ``--public``, exempt risks are left out."""
        if kind != "risk_register" or not self.public:
            return records
        return [r for r in records if r.get("exempt") != "Yes"]


def build_governance(run: RunResult, records: list[dict[str, Any]], config: Config,
                     current: str, history: dict[str, list[dict[str, Any]]] | None,
                     previous: Iterable[dict[str, Any]] = (), public: bool = False) -> Governance:
    """Escalations and trends from the real records, then exempt details hidden in ``records``
    and ``previous`` (in place) and in the findings."""
    governance = Governance(escalations=escalations(run, records, config),
                            stalled_quarters=config.governance.appetite.stalled_quarters,
                            public=public)
    if history:
        governance.quarters = [*history, current]
        by_quarter = [{risk_key(r): _score(r.get("residual_score")) for r in rows}
                      for rows in history.values()]
        governance.trends = {risk_key(r): [*(q.get(risk_key(r)) for q in by_quarter),
                                           _score(r.get("residual_score"))] for r in records}
    exempt = config.governance.exempt
    hidden: set[tuple[str, str, int]] = set()
    current_rows = {id(r) for r in records}
    for record in [*records, *previous]:
        if exempt.is_exempt(record.get("exempt"), record.get("ref")):
            record["exempt"] = "Yes"
            if id(record) in current_rows:
                hidden.add((str(record.get("workbook")), str(record.get("sheet")),
                            int(record.get("row") or 0)))
            for name in exempt.hide:
                if record.get(name) not in (None, ""):
                    record[name] = exempt.replacement
    governance.omitted = [r for r in records if r.get("exempt") == "Yes"] if public else []
    governance.findings = [
        dataclasses.replace(f, value=exempt.replacement, message=exempt.replacement)
        if (f.workbook, f.sheet or "", f.row or 0) in hidden else f for f in run.findings]
    return governance
