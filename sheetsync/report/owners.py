"""One small workbook per owner (risk owner, issue owner, action lead): ready to email."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter

from sheetsync.files import atomic_path
from sheetsync.findings import Finding
from sheetsync.results import RunResult

OWNERS_DIR = "owners"
_OWNER_FIELDS = ("owner", "lead")
REVIEW_RULE = "RR11"  #: Review overdue: listed apart from the problems to fix.


@dataclass(slots=True)
class OwnerItems:
    """What one owner has open: findings on their rows and their overdue actions."""

    owner: str
    findings: list[Finding] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    #: Addresses the registers give for them (an "Owner email" column), first seen first.
    emails: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.rule != REVIEW_RULE]

    @property
    def reviews(self) -> list[Finding]:
        return [f for f in self.findings if f.rule == REVIEW_RULE]


def open_items(run: RunResult) -> dict[str, OwnerItems]:
    """Everyone named as an owner or lead who has something open, by name, sorted."""
    owner_of: dict[tuple[str, str, int], str] = {}
    items: dict[str, OwnerItems] = {}
    emails: dict[str, list[str]] = defaultdict(list)
    for wb in run.workbooks:
        for sheet in wb.sheets:
            for record in sheet.records:
                owner = next((str(record[f]).strip() for f in _OWNER_FIELDS
                              if record.get(f) and str(record[f]).strip()), None)
                if owner:
                    owner_of[(record["workbook"], record["sheet"], record["row"])] = owner
                    email = str(record.get("owner_email") or "").strip()
                    if email and email not in emails[owner]:
                        emails[owner].append(email)
                    if sheet.kind == "action_plan" and record.get("overdue") == "Yes":
                        items.setdefault(owner, OwnerItems(owner)).actions.append(record)
    for finding in run.findings:
        # (int: histories written before coerce gave plain ints hold some rows as text)
        owner = owner_of.get((finding.workbook, finding.sheet or "", int(finding.row or 0)))
        if owner:
            items.setdefault(owner, OwnerItems(owner)).findings.append(finding)
    for owner, found in items.items():
        found.emails = emails[owner]
    return {owner: items[owner] for owner in sorted(items)}


def write_owner_lists(run: RunResult, out_dir: Path) -> list[Path]:
    """``owners/<name>.xlsx`` for everyone named as an owner or lead who has something open."""
    written = []
    folder = out_dir / OWNERS_DIR
    for owner, items in open_items(run).items():
        written.append(_write(folder / owner_file(owner), owner, items.findings, items.actions,
                              run))
    # NOTE: the list of someone with nothing open any more goes: a week-old list left in the
    # folder would be emailed as if it were current.
    for old in folder.glob("*.xlsx") if folder.is_dir() else ():
        if old not in written:
            old.unlink(missing_ok=True)
    return written


def owner_file(owner: str) -> str:
    """The name of an owner's list in ``owners/``."""
    return f"{_file_name(owner)}.xlsx"


def _file_name(owner: str) -> str:
    return re.sub(r"[^\w\- &.]+", "_", owner).strip(" ._") or "owner"


def _write(path: Path, owner: str, findings: list[Finding], actions: list[dict[str, Any]],
           run: RunResult) -> Path:
    with atomic_path(path) as temporary:
        book = xlsxwriter.Workbook(str(temporary), {"strings_to_formulas": False,
                                                   "strings_to_urls": False})
        head = book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
        title = book.add_format({"bold": True, "font_size": 14})
        sheets = [
            ("Open findings", ["Workbook", "Sheet", "Cell", "Ref", "Rule", "Severity", "Message"],
             [[f.workbook, f.sheet, f.cell, f.ref, f.rule, f.severity.label, f.message]
              for f in findings if f.rule != REVIEW_RULE]),
            ("Overdue reviews", ["Workbook", "Sheet", "Cell", "Ref", "Message"],
             [[f.workbook, f.sheet, f.cell, f.ref, f.message] for f in findings if f.rule == REVIEW_RULE]),
            ("Overdue actions", ["Workbook", "Sheet", "Row", "Ref", "Action", "Target date",
                                 "Status"],
             [[a["workbook"], a["sheet"], a["row"], a.get("ref"), a.get("action"),
               a.get("target_date"), a.get("status")] for a in actions]),
        ]
        for name, headers, rows in sheets:
            ws = book.add_worksheet(name)
            ws.write_string(0, 0, f"{owner}: {name.lower()} as of {run.as_of:%d/%m/%Y}", title)
            ws.write_row(2, 0, headers, head)
            for offset, values in enumerate(rows, start=3):
                for col, value in enumerate(values):
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        ws.write_number(offset, col, value)
                    elif value is not None:
                        ws.write_string(offset, col, str(value))
            if not rows:
                ws.write_string(3, 0, "Nothing outstanding.")
            ws.set_column(0, 0, 28)
            ws.set_column(len(headers) - 1, len(headers) - 1, 80)
            ws.freeze_panes(3, 0)
            ws.set_landscape()
            ws.fit_to_pages(1, 0)
        book.close()
    return path
