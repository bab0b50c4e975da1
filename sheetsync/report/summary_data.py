"""What the quarterly summary shows, worked out from a run's records: heat maps, top risks,
rollups, ages, and direction of travel against the previous quarter's summary."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetsync.errors import SheetsyncError
from sheetsync.findings import Finding
from sheetsync.report.governance import Governance, build_governance
from sheetsync.report.quarters import Quarter
from sheetsync.report.record_fields import FIELDS
from sheetsync.results import RunResult
from sheetsync.settings.config import Config

#: Data sheets of the summary: the records of each kind, plus direction against last quarter.
DATA_SHEETS = {"risk_register": "Risk data", "kpi_sheet": "KPI data", "action_plan": "Action data",
               "issues_log": "Issue data", "financial_table": "Finance data"}
DATA_COLUMNS = {kind: (*fields, "direction_vs_previous") if kind in ("risk_register", "kpi_sheet")
                else fields for kind, fields in FIELDS.items()}
AGE_BANDS = ("0-30 days", "31-90 days", "Over 90 days")


@dataclass(slots=True)
class Previous:
    """The previous summary's risks and KPIs, keyed as they are matched."""

    risks: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    kpis: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


@dataclass(slots=True)
class SummaryData:
    """Everything the summary workbook shows, computed once."""

    quarter: Quarter
    as_of: dt.date
    config: Config
    run: RunResult
    records: dict[str, list[dict[str, Any]]]
    previous: Previous | None = None
    #: Escalations, trends and exempt risks (``report/governance.py``).
    governance: Governance = field(default_factory=Governance)

    @property
    def findings(self) -> list[Finding]:
        """The run's findings as the summary publishes them (exempt risks' details hidden)."""
        return self.governance.findings


def build_summary_data(run: RunResult, quarter: Quarter, config: Config,
                       previous_path: Path | None = None,
                       previous: Previous | None = None,
                       history: dict[str, list[dict[str, Any]]] | None = None,
                       public: bool = False) -> SummaryData:
    """Records of every kind, with direction of travel against the previous summary (a file)
    or the previous quarter's records (from the run history), if given; ``history`` (risk
    records of earlier quarters, oldest first) gives each risk's trend. With ``public``,
    exempt risks are left out of the data sheets."""
    if previous_path is not None:
        previous = read_previous(previous_path)
    records = {kind: [dict(r) for r in run.records(kind)] for kind in FIELDS}
    for risk in records["risk_register"]:
        risk["direction_vs_previous"] = risk_direction(risk, previous)
    for kpi in records["kpi_sheet"]:
        kpi["direction_vs_previous"] = kpi_direction(kpi, previous)
    governance = build_governance(run, records["risk_register"], config, quarter.label, history,
                                  previous.risks.values() if previous else (), public)
    return SummaryData(quarter=quarter, as_of=run.as_of, config=config, run=run, records=records,
                       previous=previous, governance=governance)


def read_previous(path: Path) -> Previous:
    """The risks and KPIs of an earlier summary, read from its data sheets."""
    import openpyxl  # (only needed with --previous)

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001  (a usage mistake, said in one line)
        raise SheetsyncError(f"{path}: the previous summary cannot be read ({exc})") from None
    try:
        previous = Previous()
        for kind, target in (("risk_register", previous.risks), ("kpi_sheet", previous.kpis)):
            if DATA_SHEETS[kind] not in wb.sheetnames:
                raise SheetsyncError(f"{path}: not a sheetsync summary (no '{DATA_SHEETS[kind]}' "
                                     "sheet)")
            rows = wb[DATA_SHEETS[kind]].iter_rows(values_only=True)
            header = [str(h) for h in next(rows, ())]
            for values in rows:
                record = dict(zip(header, values, strict=False))
                target[risk_key(record) if kind == "risk_register" else kpi_key(record)] = record
        return previous
    finally:
        wb.close()


def previous_from_records(risks: list[dict[str, Any]], kpis: list[dict[str, Any]]) -> Previous:
    """Last quarter as the run history kept it."""
    return Previous(risks={risk_key(r): r for r in risks}, kpis={kpi_key(k): k for k in kpis})


def risk_key(record: dict[str, Any]) -> tuple[str, str]:
    return (str(record.get("workbook") or ""), _folded(record.get("ref")))


def kpi_key(record: dict[str, Any]) -> tuple[str, str]:
    return (_folded(record.get("kpi")), _folded(record.get("service")))


def _folded(value: Any) -> str:
    return " ".join(str(value or "").casefold().split())


def risk_direction(risk: dict[str, Any], previous: Previous | None) -> str | None:
    """Up / Down / Same against the previous quarter's residual score, or New."""
    if previous is None:
        return None
    before = previous.risks.get(risk_key(risk))
    if before is None:
        return "New"
    now, then = risk.get("residual_score"), before.get("residual_score")
    if not isinstance(now, (int, float)) or not isinstance(then, (int, float)):
        return None
    return "Up" if now > then else "Down" if now < then else "Same"


def closed_risks(data: SummaryData) -> list[dict[str, Any]]:
    """Risks in the previous summary that are no longer in any register."""
    if data.previous is None:
        return []
    current = {risk_key(r) for r in data.records["risk_register"]}
    return [r for key, r in data.previous.risks.items() if key not in current]


def kpi_direction(kpi: dict[str, Any], previous: Previous | None) -> str | None:
    """Improved / Worse / No change against last quarter's actual, by the KPI's polarity."""
    if previous is None:
        return None
    before = previous.kpis.get(kpi_key(kpi))
    if before is None:
        return "New"
    now, then = kpi.get("actual_value"), before.get("actual_value")
    if not isinstance(now, (int, float)) or not isinstance(then, (int, float)):
        return None
    if now == then:
        return "No change"
    better = now > then if kpi.get("polarity") != "lower" else now < then
    return "Improved" if better else "Worse"


def heat_map(risks: list[dict[str, Any]], assessment: str) -> Counter[tuple[int, int]]:
    """How many risks sit in each (likelihood, impact) cell for one assessment."""
    counts: Counter[tuple[int, int]] = Counter()
    likelihoods, impacts = f"{assessment}_likelihood", f"{assessment}_impact"  # (made once)
    for risk in risks:
        likelihood, impact = risk.get(likelihoods), risk.get(impacts)
        if isinstance(likelihood, (int, float)) and isinstance(impact, (int, float)):
            counts[(int(likelihood), int(impact))] += 1
    return counts


def top_risks(data: SummaryData) -> list[dict[str, Any]]:
    """Red-rated (top band) residual risks, highest score first."""
    top_band = data.config.bands[-1].name
    red = [r for r in data.records["risk_register"] if r.get("residual_rating") == top_band]
    return sorted(red, key=lambda r: (-(r.get("residual_score") or 0), r["workbook"],
                                      str(r.get("ref") or "")))


def counts(records: list[dict[str, Any]], key: str, order: list[str]) -> list[tuple[str, int]]:
    """Counts of ``key`` in the given order, then any other values seen, then blanks."""
    seen = Counter(r.get(key) for r in records)
    extra = sorted(str(v) for v in seen if v not in order and v is not None)
    rows = [(value, seen.get(value, 0)) for value in [*order, *extra]]
    if seen.get(None):
        rows.append(("(none)", seen[None]))
    return rows


def open_issues(data: SummaryData) -> list[dict[str, Any]]:
    closed = {s.casefold() for s in data.config.vocabulary("issue_closed_status")}
    return [r for r in data.records["issues_log"] if not r.get("resolution_date")
            and str(r.get("status") or "").casefold() not in closed]


def age_band(age: Any) -> str | None:
    if not isinstance(age, (int, float)):
        return None
    return AGE_BANDS[0] if age <= 30 else AGE_BANDS[1] if age <= 90 else AGE_BANDS[2]


def scorecard(run: RunResult) -> list[dict[str, Any]]:
    """Rows, errors and warnings per workbook: the data-quality scorecard."""
    from sheetsync.findings import Severity

    return [{"workbook": wb.source.name, "status": wb.status,
             "registers": ", ".join(f"{s.name} ({s.kind.replace('_', ' ')})" for s in wb.sheets)
             or wb.message, "rows": sum(s.rows for s in wb.sheets),
             "errors": wb.count(Severity.ERROR), "warnings": wb.count(Severity.WARNING)}
            for wb in run.workbooks]
