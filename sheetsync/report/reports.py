"""Exception reports and tidy records for a run: xlsx, csv, json. Reporters only read results."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

import xlsxwriter

from sheetsync.files import atomic_path, keep_going, write_text_atomically
from sheetsync.findings import Finding, Severity
from sheetsync.report.inspect import sheet_entry
from sheetsync.report.record_fields import FIELDS, RECORD_FILES, ROLLUP_FIELDS, rollups
from sheetsync.results import RunResult, WorkbookResult

FINDING_FIELDS = ("workbook", "sheet", "cell", "row", "column", "ref", "value", "rule",
                  "severity", "message")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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

    def is_new(self, finding: Finding) -> bool:
        data = finding.to_dict()
        return (data["workbook"], data["sheet"], data["cell"], data["rule"]) in self.new


def write_reports(run: RunResult, changes: Changes | None = None) -> list[Path]:
    """Write ``exceptions.{xlsx,csv,json}`` and ``records/*.csv`` into the run's folder.

    A file that cannot be replaced (open in Excel) is left as it was, with a warning in
    ``run.warnings``; ``exceptions.json`` is written last, so it lists every such warning.
    """
    out = run.out_dir
    with keep_going(out, run.warnings):
        written = [write_exceptions_csv(run, out / "exceptions.csv", changes),
                   write_exceptions_xlsx(run, out / "exceptions.xlsx", changes)]
        for kind, file_name in RECORD_FILES.items():
            written.append(_write_csv(out / "records" / file_name, FIELDS[kind], run.records(kind)))
        written.append(_write_csv(out / "records" / "rollups.csv", ROLLUP_FIELDS,
                                  rollups(run.records("action_plan"))))
        written.append(write_exceptions_json(run, out / "exceptions.json", changes))
    return written


def exceptions_document(run: RunResult, changes: Changes | None = None) -> dict[str, Any]:
    """The ``exceptions.json`` document (paths relative to the output folder)."""
    document: dict[str, Any] = {
        "as_of": run.as_of.isoformat(),
        "workbooks": [_workbook_entry(run, wb) for wb in run.workbooks],
        "findings": [_finding_entry(f, changes) for f in run.findings],
        "warnings": run.all_warnings(),
    }
    if changes is not None:
        for entry in document["workbooks"]:
            entry["reused"] = entry["path"] in changes.reused
            entry["stale"] = entry["path"] in changes.stale
        document["resolved"] = changes.resolved
        document["removed"] = changes.removed
    return document


def _finding_entry(finding: Finding, changes: Changes | None) -> dict[str, Any]:
    data = finding.to_dict()
    if changes is not None:
        data["new"] = changes.is_new(finding)
    return data


def _workbook_entry(run: RunResult, wb: WorkbookResult) -> dict[str, Any]:
    return {
        "path": wb.source.name,
        "status": wb.status,
        "message": wb.message,
        "annotated": _relative(wb.annotated, run.out_dir) if wb.annotated else None,
        "sheets": [sheet_entry(s) for s in wb.sheets],
        "skipped_sheets": wb.skipped_sheets,
        "errors": wb.count(Severity.ERROR),
        "warnings": wb.count(Severity.WARNING),
    }


def write_exceptions_json(run: RunResult, path: Path, changes: Changes | None = None) -> Path:
    text = json.dumps(exceptions_document(run, changes), indent=2, ensure_ascii=False, default=str)
    return write_text_atomically(path, text + "\n")


def write_exceptions_csv(run: RunResult, path: Path, changes: Changes | None = None) -> Path:
    fields = FINDING_FIELDS + (("new",) if changes is not None else ())
    return _write_csv(path, fields, [_finding_entry(f, changes) for f in run.findings])


def write_exceptions_xlsx(run: RunResult, path: Path, changes: Changes | None = None) -> Path:
    """One Excel table of every finding, each row linked to its cell in the annotated copy."""
    links = {wb.source.name: wb.annotated for wb in run.workbooks}
    with atomic_path(path) as temporary:
        book = xlsxwriter.Workbook(str(temporary), {"strings_to_formulas": False,
                                                   "strings_to_urls": False,
                                                   "nan_inf_to_errors": True})
        sheet = book.add_worksheet("Exceptions")
        link_format = book.add_format({"font_color": "#0563C1", "underline": 1})
        fills = {Severity.ERROR: book.add_format({"bg_color": "#FFC7CE"}),
                 Severity.WARNING: book.add_format({"bg_color": "#FFEB9C"})}
        headers = ["Workbook", "Sheet", "Cell", "Row", "Column", "Ref", "Value", "Rule",
                   "Severity", "Message"] + (["New"] if changes is not None else [])
        fields = FINDING_FIELDS + (("new",) if changes is not None else ())
        findings = run.findings
        for row_number, finding in enumerate(findings, start=1):
            data = _finding_entry(finding, changes)
            if changes is not None:
                data["new"] = "Yes" if data["new"] else "No"
            for col, name in enumerate(fields):
                value = data[name]
                if value is None:
                    sheet.write_blank(row_number, col, None)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    sheet.write_number(row_number, col, value)
                else:
                    sheet.write_string(row_number, col, str(value),
                                       fills[finding.severity] if name == "severity" else None)
            target = links.get(finding.workbook)
            if target is not None and finding.sheet and finding.cell:
                relative = _relative(target, run.out_dir)
                sheet_ref = finding.sheet.replace("'", "''")
                sheet.write_url(row_number, 2, f"external:{relative}#'{sheet_ref}'!{finding.cell}",
                                link_format, string=finding.cell)
        columns = [{"header": h} for h in headers]
        sheet.add_table(0, 0, max(len(findings), 1), len(headers) - 1,
                        {"columns": columns, "name": "Findings", "style": "Table Style Light 9"})
        for col, width in enumerate((28, 18, 7, 6, 22, 8, 18, 6, 9, 90)):
            sheet.set_column(col, col, width)
        sheet.freeze_panes(1, 0)
        book.set_properties({"title": "sheetsync exceptions", "comments": f"As of {run.as_of}"})
        book.close()
    return path


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


def csv_safe(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if type(value) is str and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _write_csv(path: Path, fields: tuple[str, ...], rows: list[dict[str, Any]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(fields)
    starts = _FORMULA_STARTS
    pick = itemgetter(*fields) if len(fields) > 1 else (lambda row: (row[fields[0]],))
    for row in rows:
        try:
            values = pick(row)
        except KeyError:
            values = [row.get(name) for name in fields]
        # NOTE: csv_safe, inlined: a records file has a value per field per row
        writer.writerow([("'" + v) if type(v) is str and v.startswith(starts) else v for v in values])
    # NOTE: utf-8-sig so Excel opens names such as "Siân" correctly.
    return write_text_atomically(path, buffer.getvalue(), encoding="utf-8-sig")


def _relative(path: Path, base: Path) -> str:
    """``path`` from ``base``, as a link in the reports: inside ``base`` whichever way either
    was reached (a drive letter, a UNC path, a link); else relative, or as it is when that
    cannot be (on another drive)."""
    for candidate, folder in ((path, base), (path.resolve(), base.resolve())):
        if candidate.is_relative_to(folder):
            return candidate.relative_to(folder).as_posix()
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:
        return path.as_posix()
