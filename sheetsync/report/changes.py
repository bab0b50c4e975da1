"""What changed since the last run, and the lines that sum a run up: all that ``sheetsync run``
needs of the reports when nothing changed and every report is reused as it is. Apart from
``reports`` so that such a run need not import the report writers (xlsxwriter and all)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sheetsync.findings import Severity
from sheetsync.results import RunResult


@dataclass(frozen=True, slots=True)
class Changes:
    """What changed since the last run, for ``sheetsync run``'s reports."""

    new: set[tuple[Any, ...]]  #: Keys (workbook, sheet, cell, rule) of findings not seen before.
    resolved: list[dict[str, Any]]  #: Findings of the last run that are gone.
    reused: set[str]  #: Workbooks whose previous results were reused (unchanged files).
    stale: set[str]  #: Workbooks in use or unreadable now, whose previous results were kept.
    #: Workbooks of the last run not found now (moved, renamed, deleted or excluded): their
    #: findings are not "resolved", since nobody fixed them.
    removed: list[str] = field(default_factory=list)


def summary_lines(run: RunResult) -> Iterator[str]:
    """One line per workbook, then the totals."""
    for wb in run.workbooks:
        if wb.status == "error":
            yield f"{wb.source.name}: error: {wb.message}"
        elif wb.status == "skipped":
            yield f"{wb.source.name}: skipped: {wb.message}"
        else:
            registers = ", ".join(f"{s.name} ({s.kind.replace('_', ' ')}, {s.rows} rows)"
                                  for s in wb.sheets)
            note = f" ({wb.message})" if wb.message else ""  # e.g. kept stale: open in Excel
            yield (f"{wb.source.name}: {registers}: {_plural(wb.count(Severity.ERROR), 'error')}, "
                   f"{_plural(wb.count(Severity.WARNING), 'warning')}{note}")
    statuses = [wb.status for wb in run.workbooks]
    yield (f"{_plural(len(run.workbooks), 'workbook')} ({statuses.count('ok')} checked, "
           f"{statuses.count('skipped')} skipped, {statuses.count('error')} unreadable): "
           f"{_plural(run.count(Severity.ERROR), 'error')}, "
           f"{_plural(run.count(Severity.WARNING), 'warning')}")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
