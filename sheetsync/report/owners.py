"""One small workbook per owner (risk owner, issue owner, action lead): ready to email."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import xlsxwriter

from sheetsync.files import atomic_path
from sheetsync.report.bulkrows import plain_rows, splice_rows
from sheetsync.results import RunResult

OWNERS_DIR = "owners"
_OWNER_FIELDS = ("owner", "lead")


def write_owner_lists(run: RunResult, out_dir: Path) -> list[Path]:
    """``owners/<name>.xlsx`` for everyone named as an owner or lead who has something open."""
    owner_of: dict[tuple[str, str, int], str] = {}
    actions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for wb in run.workbooks:
        for sheet in wb.sheets:
            for record in sheet.records:
                owner = next((str(record[f]).strip() for f in _OWNER_FIELDS
                              if record.get(f) and str(record[f]).strip()), None)
                if owner:
                    owner_of[(record["workbook"], record["sheet"], record["row"])] = owner
                    if sheet.kind == "action_plan" and record.get("overdue") == "Yes":
                        actions[owner].append(record)
    findings: dict[str, list[Any]] = defaultdict(list)
    for finding in run.findings:
        owner = owner_of.get((finding.workbook, finding.sheet or "", finding.row or 0))
        if owner:
            findings[owner].append(finding)
    written = []
    folder = out_dir / OWNERS_DIR
    for owner in sorted(set(findings) | set(actions)):
        written.append(_write(folder / f"{_file_name(owner)}.xlsx", owner, findings[owner],
                              actions[owner], run))
    # NOTE: the list of someone with nothing open any more goes: a week-old list left in the
    # folder would be emailed as if it were current.
    for old in folder.glob("*.xlsx") if folder.is_dir() else ():
        if old not in written:
            old.unlink(missing_ok=True)
    return written


def _file_name(owner: str) -> str:
    return re.sub(r"[^\w\- &.]+", "_", owner).strip(" ._") or "owner"


def _write(path: Path, owner: str, findings: list[Any], actions: list[dict[str, Any]],
           run: RunResult) -> Path:
    """One owner's workbook: xlsxwriter writes the titles, headers and set-up, and the rows go
    in as sheet XML in one pass (``bulkrows``; with many findings, a cell at a time through
    xlsxwriter was most of the time the lists took)."""
    package = io.BytesIO()
    book = xlsxwriter.Workbook(package, {"strings_to_formulas": False, "strings_to_urls": False,
                                         "in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
    title = book.add_format({"bold": True, "font_size": 14})
    sheets = [
        ("Open findings", ["Workbook", "Sheet", "Cell", "Ref", "Rule", "Severity", "Message"],
         [[f.workbook, f.sheet, f.cell, f.ref, f.rule, f.severity.label, f.message]
          for f in findings if f.rule != "RR11"]),
        ("Overdue reviews", ["Workbook", "Sheet", "Cell", "Ref", "Message"],
         [[f.workbook, f.sheet, f.cell, f.ref, f.message] for f in findings if f.rule == "RR11"]),
        ("Overdue actions", ["Workbook", "Sheet", "Row", "Ref", "Action", "Target date",
                             "Status"],
         [[a["workbook"], a["sheet"], a["row"], a.get("ref"), a.get("action"),
           a.get("target_date"), a.get("status")] for a in actions]),
    ]
    fragments = {}
    for number, (name, headers, rows) in enumerate(sheets, start=1):
        ws = book.add_worksheet(name)
        ws.write_string(0, 0, f"{owner}: {name.lower()} as of {run.as_of:%d/%m/%Y}", title)
        ws.write_row(2, 0, headers, head)
        if rows:
            fragments[f"xl/worksheets/sheet{number}.xml"] = [plain_rows(rows, 4, len(headers))]
        else:
            ws.write_string(3, 0, "Nothing outstanding.")
        ws.set_column(0, 0, 28)
        ws.set_column(len(headers) - 1, len(headers) - 1, 80)
        ws.freeze_panes(3, 0)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
    book.close()
    with atomic_path(path) as temporary:
        splice_rows(package.getvalue(), fragments, temporary)
    return path
