"""Periods-as-rows scorecards: each indicator's latest figure and direction of travel, and the
check that a column which is the sum of others on every row still is on each row.

A scorecard of this shape has no targets, so every indicator is data only ("No target"); its
direction of travel compares the latest period with the one before, by the organisation's
default polarity and no-change threshold. Sheets of one workbook with the same columns (one
sheet per team) are one table for the sum check: a relation seen on their rows together is
checked on each.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from sheetsync.findings import Finding, Severity
from sheetsync.read.grid import SheetGrid
from sheetsync.read.measures import Measure, format_measure
from sheetsync.read.scorecard import Scorecard, Series, find_scorecard
from sheetsync.rules.performance import NO_TARGET, direction
from sheetsync.settings.config import Config
from sheetsync.settings.schemas import RegisterSpec, normalise

SUM_RULE = "KP08"
MIN_AGREEING = 4  #: Rows (with two or more non-zero parts) that must show the relation.
MAX_DISAGREEING = 2  #: More rows off than this: the columns are not meant to add up.
MAX_PARTS = 4  #: The most columns a total is looked for as the sum of.
MAX_TRIES = 5000  #: Sets of parts tried per size and total (a wide sheet tries fewer sizes).
_DEFAULT_MESSAGE = "{detail} Check which of these figures is wrong."


@dataclass(slots=True)
class ScorecardSheet:
    """A scorecard found on a sheet, with one tidy record per indicator (its latest period)."""

    sheet: str
    card: Scorecard
    records: list[dict[str, Any]] = field(default_factory=list)

    @property
    def header_row(self) -> int:
        return self.card.header_row

    @property
    def rows(self) -> int:
        return self.card.rows

    @property
    def metadata(self) -> dict[str, str]:
        return {"layout": self.card.notes[0]} if self.card.notes else {}


def check_scorecard(sheet: SheetGrid, config: Config, workbook: str) -> ScorecardSheet | None:
    """The periods-as-rows scorecard on ``sheet`` with its records, or None."""
    card = find_scorecard(sheet)
    if card is None:
        return None
    return ScorecardSheet(sheet=sheet.title, card=card,
                          records=[_record(card, s, config, workbook, sheet.title)
                                   for s in card.indicators])


def _record(card: Scorecard, series: Series, config: Config, workbook: str,
            sheet: str) -> dict[str, Any]:
    """One indicator's kpis.csv record, in the order of the report's KPI fields."""
    current = series.values.get(card.latest)
    before = series.values.get(card.previous) if card.previous is not None else None
    polarity = config.kpi_default_polarity
    travel = direction(current, Measure(value=before, unit=series.unit) if before is not None
                       else None, None, polarity, config.kpi_no_change)
    return {"workbook": workbook, "sheet": sheet, "row": card.latest, "kpi": series.name,
            "service": None, "service_area": None, "target": None, "target_value": None,
            "unit": series.unit, "polarity": polarity, "actual_value": _plain(current),
            "status": NO_TARGET, "direction": travel,
            "comment": f"latest period {card.periods[card.latest].label} "
                       f"({series.cell(card.latest)})"}


def _plain(value: float | None) -> float | int | None:
    return int(value) if value is not None and value.is_integer() else value


@dataclass(frozen=True, slots=True)
class _Relation:
    total: str
    parts: tuple[str, ...]
    agreeing: int  #: Rows where the figures add up.
    off: tuple[tuple[str, int], ...]  #: (sheet, row) where the figures do not add up.


def sum_findings(sheets: list[ScorecardSheet], spec: RegisterSpec | None,
                 workbook: str) -> list[Finding]:
    """KP08: a column equal to the sum of others on every row but one or two (and on at least
    four rows with two or more non-zero parts) is a finding on each cell of the rows that are
    off. Sheets with the same columns are looked at together."""
    check = next((c for c in spec.checks if c.rule == SUM_RULE), None) if spec else None
    severity = check.severity if check else Severity.WARNING
    message = check.message if check else _DEFAULT_MESSAGE
    groups: dict[tuple[str, ...], list[ScorecardSheet]] = {}
    for found in sheets:
        names = tuple(normalise(s.name) for s in found.card.indicators)
        if len(set(names)) == len(names):
            groups.setdefault(names, []).append(found)
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for names, members in groups.items():
        for relation in _relations(names, members):
            for sheet, row in relation.off:
                for finding in _off_row(relation, members, sheet, row, names, workbook,
                                        severity, message):
                    if (finding.sheet or "", finding.cell or "") not in seen:
                        seen.add((finding.sheet or "", finding.cell or ""))
                        findings.append(finding)
    return findings


def _relations(names: tuple[str, ...], members: list[ScorecardSheet]) -> list[_Relation]:
    """Each column that is the sum of others, where one set of others fits best and alone."""
    rows = [(m.sheet, row, {normalise(s.name): s.values.get(row) for s in m.card.indicators})
            for m in members for row in m.card.order]
    found = []
    for total in names:
        others = [n for n in names if n != total]
        fits = []
        for size in range(2, min(MAX_PARTS, len(others)) + 1):
            if math.comb(len(others), size) > MAX_TRIES:
                break
            for parts in itertools.combinations(others, size):
                relation = _fit(total, parts, rows)
                if relation is not None:
                    fits.append(relation)
        if not fits:
            continue
        fewest = min(len(f.off) for f in fits)
        best = [f for f in fits if len(f.off) == fewest]
        # NOTE: two different sets of columns adding up equally well: which one the sheet
        # means cannot be told, so neither is checked.
        if fewest and len(best) == 1:
            found.append(best[0])
    return found


def _fit(total: str, parts: tuple[str, ...],
         rows: list[tuple[str, int, dict[str, float | None]]]) -> _Relation | None:
    agreeing = telling = 0  # NOTE: telling: rows adding up with two or more non-zero parts
    off: list[tuple[str, int]] = []
    for sheet, row, values in rows:
        figures = [values[n] for n in (total, *parts)]
        if any(f is None for f in figures):
            continue
        whole, pieces = figures[0], figures[1:]
        if abs(whole - sum(pieces)) <= 1e-6 * max(1.0, abs(whole)):  # type: ignore[arg-type,operator]
            agreeing += 1
            telling += sum(1 for p in pieces if p) >= 2
        else:
            off.append((sheet, row))
            if len(off) > MAX_DISAGREEING:
                return None
    if telling < MIN_AGREEING:
        return None
    return _Relation(total=total, parts=parts, agreeing=agreeing, off=tuple(off))


def _off_row(relation: _Relation, members: list[ScorecardSheet], sheet: str, row: int,
             names: tuple[str, ...], workbook: str, severity: Severity,
             message: str) -> list[Finding]:
    member = next(m for m in members if m.sheet == sheet)
    by_name = dict(zip(names, member.card.indicators, strict=True))
    total = by_name[relation.total]
    parts = [by_name[n] for n in relation.parts]
    whole = total.values[row]
    pieces = [p.values[row] for p in parts]
    shown = [format_measure(v, s.unit) for v, s in zip([whole, *pieces], [total, *parts],
                                                      strict=True)]
    others = [m.sheet for m in members if m.sheet != sheet]
    where = "this sheet" if not others else (
        f"this sheet and {others[0]}" if len(others) == 1 else
        f"this sheet and {', '.join(others[:-1])} and {others[-1]}")
    detail = (f"{total.name} ({total.cell(row)}) is {shown[0]}, but "
              f"{' + '.join(f'{p.name} ({p.cell(row)}) {v}' for p, v in zip(parts, shown[1:], strict=True))}"
              f" make {format_measure(sum(pieces), total.unit)}; on the {relation.agreeing} other rows "
              f"of {where}, {total.name} = {' + '.join(p.name for p in parts)}.")
    period = member.card.periods[row].label
    findings = []
    for series in (total, *parts):
        value = _plain(series.values[row])
        fields = {"value": format_measure(series.values[row], series.unit), "header": series.name,
                  "detail": detail, "expected": "", "period": period}
        try:
            text = message.format(**fields)
        except (KeyError, IndexError, ValueError):
            text = message
        findings.append(Finding(workbook=workbook, sheet=sheet, cell=series.cell(row), row=row,
                                column=series.name, ref=period, value=value, rule=SUM_RULE,
                                severity=severity, message=text))
    return findings
