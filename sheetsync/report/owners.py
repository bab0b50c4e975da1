"""One small workbook per owner (risk owner, issue owner, action lead): ready to email.

Owners are one person however their name is capitalised or spaced (``J Smith``, ``j  smith``);
each gets a file name Windows accepts (``pathvalidate``) that no other owner's list shares on a
file system that ignores case, and ``owners/index.csv`` says whose list each file is.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
from pathvalidate import is_valid_filename, sanitize_filename

from sheetsync.files import atomic_path, remove_output, write_text_atomically
from sheetsync.findings import Finding
from sheetsync.report.bulkrows import plain_rows, splice_rows
from sheetsync.report.governance import CANDIDATE, escalations
from sheetsync.report.reports import csv_safe
from sheetsync.results import RunResult, columns_of
from sheetsync.settings.config import Config
from sheetsync.settings.email import owner_key as email_owner_key

OWNERS_DIR = "owners"
INDEX_FILE = "index.csv"
_OWNER_FIELDS = ("owner", "lead")
#: Longest file name most file systems (NTFS, SMB shares, ext4) take, in characters.
_MAX_NAME = 255
_SUFFIX = ".xlsx"
REVIEW_RULE = "RR11"  #: Review overdue: listed apart from the problems to fix.


@dataclass(slots=True)
class OwnerItems:
    """What one owner has open: findings on their rows and their overdue actions."""

    owner: str
    findings: list[Finding] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    #: Addresses the registers give for them (an "Owner email" column), first seen first.
    emails: list[str] = field(default_factory=list)
    file_name: str = ""  #: Their list's name in ``owners/``.
    #: Their risks that are candidates for the corporate register (records).
    candidates: list[dict[str, Any]] = field(default_factory=list)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.rule != REVIEW_RULE]

    @property
    def reviews(self) -> list[Finding]:
        return [f for f in self.findings if f.rule == REVIEW_RULE]


def open_items(run: RunResult, config: Config | None = None) -> dict[str, OwnerItems]:
    """Everyone named as an owner or lead who has something open, by name (as first written,
    one person however capitalised or spaced), sorted, each with their list's file name (with
    ``config``, their risks that are candidates for the corporate register too)."""
    owner_of: dict[tuple[str, str, int], str] = {}
    spelling: dict[str, str] = {}  #: Each owner as first written (by their case-blind key).
    items: dict[str, OwnerItems] = {}
    emails: dict[str, list[str]] = defaultdict(list)
    known: dict[str, str] = {}  #: Each name as written, as first written (a few owners).

    def person(named: str) -> str:
        owner = known.get(named)
        if owner is None:
            owner = known[named] = spelling.setdefault(owner_key(named), " ".join(named.split()))
        return owner

    def items_of(owner: str) -> OwnerItems:  # (not setdefault: made once, not once a finding)
        found = items.get(owner)
        if found is None:
            found = items[owner] = OwnerItems(owner)
        return found

    for wb in run.workbooks:
        for sheet in wb.sheets:
            columns = columns_of(sheet.records, (*_OWNER_FIELDS, "owner_email", "workbook",
                                               "sheet", "row", "overdue"))
            for index, (first, second, address, workbook, name, row, overdue) in enumerate(
                    zip(*columns, strict=True)):
                named = _named(first) or _named(second)
                if not named:
                    continue
                owner = owner_of[(workbook, name, row)] = person(named)
                email = str(address or "").strip()
                if email and email not in emails[owner]:
                    emails[owner].append(email)
                if sheet.kind == "action_plan" and overdue == "Yes":
                    items_of(owner).actions.append(sheet.records[index])
    for finding in run.findings:
        # (int: histories written before coerce gave plain ints hold some rows as text)
        whose = owner_of.get((finding.workbook, finding.sheet or "", int(finding.row or 0)))
        if whose:
            items_of(whose).findings.append(finding)
    risks = run.records("risk_register") if config is not None else []
    for escalation in escalations(run, risks, config) if config is not None else []:
        named = str(escalation.record.get("owner") or "").strip()
        if named and escalation.status == CANDIDATE:
            items_of(person(named)).candidates.append(escalation.record)
    names = owner_file_names(items)
    for owner, found in items.items():
        found.emails = emails[owner]
        found.file_name = names[owner]
    return {owner: items[owner] for owner in sorted(items)}


def _named(value: Any) -> str:
    """An owner or lead as written, without the spaces around it ("" for none)."""
    return str(value).strip() if value else ""


def write_owner_lists(run: RunResult, out_dir: Path, config: Config | None = None) -> list[Path]:
    """``owners/<name>.xlsx`` for everyone named as an owner or lead who has something open
    (with ``config``, their escalation candidates too), and ``owners/index.csv`` saying whose
    list each file is."""
    written = []
    folder = out_dir / OWNERS_DIR
    everyone = open_items(run, config)
    for items in everyone.values():
        written.append(_write(folder / items.file_name, items, run))
    # NOTE: the list of someone with nothing open any more goes: a week-old list left in the
    # folder would be emailed as if it were current.
    for old in folder.glob(f"*{_SUFFIX}") if folder.is_dir() else ():
        if old not in written:
            remove_output(old)
    written.append(_write_index(folder / INDEX_FILE,
                                {owner: items.file_name for owner, items in everyone.items()}))
    return written


def owner_file(owner: str) -> str:
    """A Windows-safe file name for one owner on their own (previews of their message)."""
    return owner_file_names([owner])[owner]


def owner_key(name: str) -> str:
    """One key per person, however their name is capitalised or spaced."""
    return email_owner_key(unicodedata.normalize("NFC", name))


def owner_file_names(owners: Iterable[str]) -> dict[str, str]:
    """A file name for each owner (sorted): safe on Windows (no reserved name such as ``CON``,
    no ``/ \\ : * ? " < > |``, no trailing dot or space, at most 255 characters), and never
    the same as another owner's, even where the file system ignores case."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for owner in sorted(owners, key=lambda o: (owner_key(o), o)):
        stem = _safe_stem(owner, _MAX_NAME - len(_SUFFIX))
        name, number = stem + _SUFFIX, 2
        while owner_key(name) in taken or not is_valid_filename(name, platform="windows"):
            tail = f" ({number}){_SUFFIX}"
            name = _safe_stem(stem, _MAX_NAME - len(tail)) + tail
            number += 1
        taken.add(owner_key(name))
        names[owner] = name
    return names


def _safe_stem(text: str, limit: int) -> str:
    # NOTE: a refused character becomes a space ("Ops: North/South" -> "Ops North South"),
    # and runs of spaces (or tabs, or line breaks) one space.
    stem = " ".join(sanitize_filename(text, platform="windows", replacement_text=" ",
                                      max_len=limit).split())
    # NOTE: a reserved name stays reserved before an extension (CON.xlsx), so the whole name
    # is checked: sanitising again appends "_" to such a stem.
    stem = sanitize_filename(stem + _SUFFIX, platform="windows")[:-len(_SUFFIX)] if stem else stem
    return stem.rstrip(". ") or "owner"


def _write_index(path: Path, names: dict[str, str]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["file", "owner"])
    for owner, name in sorted(names.items(), key=lambda item: item[1].casefold()):
        writer.writerow([name, csv_safe(owner)])
    # NOTE: utf-8-sig so Excel opens names such as "Siân" correctly.
    return write_text_atomically(path, buffer.getvalue(), encoding="utf-8-sig")


def _write(path: Path, items: OwnerItems, run: RunResult) -> Path:
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
          for f in items.problems]),
        ("Overdue reviews", ["Workbook", "Sheet", "Cell", "Ref", "Message"],
         [[f.workbook, f.sheet, f.cell, f.ref, f.message] for f in items.reviews]),
        ("Overdue actions", ["Workbook", "Sheet", "Row", "Ref", "Action", "Target date",
                             "Status"],
         [[a["workbook"], a["sheet"], a["row"], a.get("ref"), a.get("action"),
           a.get("target_date"), a.get("status")] for a in items.actions]),
        ("Escalation candidates", ["Workbook", "Sheet", "Row", "Ref", "Risk", "Residual score",
                                   "Rating"],
         [[r["workbook"], r["sheet"], r["row"], r.get("ref"), r.get("description"),
           r.get("residual_score"), r.get("residual_rating")] for r in items.candidates]),
    ]
    fragments = {}
    for number, (name, headers, rows) in enumerate(sheets, start=1):
        ws = book.add_worksheet(name)
        ws.write_string(0, 0, f"{items.owner}: {name.lower()} as of {run.as_of:%d/%m/%Y}", title)
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
