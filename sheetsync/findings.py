"""The one record every stage reports problems with, and the catalogue of rule codes."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any


class Severity(enum.IntEnum):
    """How bad a finding is; ordered so ``--fail-on`` can compare."""

    WARNING = 20
    ERROR = 30

    @property
    def label(self) -> str:
        # NOTE: looked up by number: an enum's own name is slow to reach, and reports ask
        # for every finding's label
        return _LABELS[int(self)]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[str(text).strip().upper()]
        except KeyError:
            raise ValueError(f"severity must be 'error' or 'warning', not {text!r}") from None


_LABELS = {int(severity): severity.name.lower() for severity in Severity}


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One entry of the rule catalogue (README's table is checked against these)."""

    code: str  #: Stable code, never reused, e.g. "RR05".
    severity: Severity  #: Default severity.
    title: str  #: One line for the catalogue.


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One problem at one cell of one workbook, worded for the officer who keeps it."""

    workbook: str  #: Path of the workbook as given (relative to the input folder).
    sheet: str | None  #: Sheet name, None for workbook-level findings.
    cell: str | None  #: A1 address on the original sheet.
    row: int | None  #: Excel row number.
    column: str | None  #: Header text as the sheet shows it.
    ref: str | None  #: The row's reference (R9, I4) so officers can find it.
    value: Any  #: The value as read, for the report.
    rule: str  #: Rule code from the catalogue.
    severity: Severity
    message: str  #: Plain English: what is wrong and what is expected.

    def to_dict(self) -> dict[str, Any]:
        """The finding's entry in the reports and the history: its fields, in order."""
        # NOTE: written out: asdict deep-copies, and a dict made by asking for each field by
        # its name took twice as long (a first check's reports make 24,500 of them)
        return {"workbook": self.workbook, "sheet": self.sheet, "cell": self.cell,
                "row": self.row, "column": self.column, "ref": self.ref,
                "value": display_value(self.value), "rule": self.rule,
                "severity": self.severity.label, "message": self.message}

    def key(self) -> tuple[str, str | None, str | None]:
        """Compact identity used in tests and for de-duplication: (rule, sheet, cell)."""
        return (self.rule, self.sheet, self.cell)

    def __reduce__(self) -> tuple[Any, ...]:
        # NOTE: a slotted dataclass pickles as its fields by name, asking fields() each time,
        # and a run sends thousands of findings between its processes: as values, a third
        # of the time to send and two thirds of the time to receive
        return (_restored, _values(self))


_FIELDS = fields(Finding)
#: A finding's fields, in order (its entries in the reports and the history have these keys).
FIELD_NAMES = tuple(f.name for f in _FIELDS)
_values = attrgetter(*FIELD_NAMES)


def _restored(workbook: str, sheet: str | None, cell: str | None, row: int | None,
              column: str | None, ref: str | None, value: Any, rule: str, severity: Severity,
              message: str) -> Finding:
    """A pickled finding, from its values in the order of its fields."""
    return Finding(workbook=workbook, sheet=sheet, cell=cell, row=row, column=column, ref=ref,
                   value=value, rule=rule, severity=severity, message=message)


def in_sheet_order(finding: Finding) -> tuple[int, str]:
    """A sheet's findings are listed by row, then cell."""
    return finding.row or 0, finding.cell or ""


def change_key(finding: Finding | Mapping[str, Any]) -> tuple[Any, ...]:
    """Two runs' findings are the same problem when they are the same rule on the same cell
    (a finding, or its entry as the reports and the history keep it)."""
    if isinstance(finding, Finding):
        return (finding.workbook, finding.sheet, finding.cell, finding.rule)
    return (finding["workbook"], finding["sheet"], finding["cell"], finding["rule"])


def display_value(value: Any) -> Any:
    """A JSON-friendly rendering of a cell value (dates as ISO text, None kept)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# Structural rules live in code; the data rules of each register kind live in its schema
# file (schemas/*.yaml), where an analyst can change their severity and wording.
STRUCTURAL_RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule(code="WB01", severity=Severity.ERROR, title="Workbook cannot be read"),
        Rule(code="WB02", severity=Severity.WARNING,
             title="Part of the workbook cannot be kept in the annotated copy"),
        Rule(code="WB03", severity=Severity.ERROR, title="Annotated copy could not be written"),
        Rule(code="HD01", severity=Severity.ERROR, title="Required column missing from the header"),
        Rule(code="HD02", severity=Severity.WARNING,
             title="Two columns have the same meaning; the first is used"),
        Rule(code="TY01", severity=Severity.ERROR, title="Value is not a number"),
        Rule(code="TY02", severity=Severity.ERROR, title="Value is not a real date"),
        Rule(code="TY03", severity=Severity.ERROR, title="Cell shows an Excel error (#REF!, #N/A...)"),
        Rule(code="TY04", severity=Severity.ERROR, title="Likelihood or impact not a level of the scale"),
        Rule(code="TY05", severity=Severity.WARNING,
             title="Date typed month first; read as the only date it can be"),
        Rule(code="LY01", severity=Severity.WARNING,
             title="Text on a row of its own continues the entry above"),
    )
}
