"""Each owner's reminder: one email message with what is theirs to fix.

A plain-text part and an HTML part (a short table per list: problems to fix, new ones first;
overdue reviews; overdue actions), links to the annotated copies under the settings'
``link_root``, and the owner's workbook from ``owners/`` attached. Built with the standard
library's ``email.message.EmailMessage``; every piece of text from a register goes into the HTML
through ``html.escape``, so a cell holding ``<b>`` or ``=HYPERLINK(...)`` is shown, never run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from sheetsync.findings import Finding, display_value
from sheetsync.report.owners import OWNERS_DIR, OwnerItems, open_items
from sheetsync.results import ANNOTATED_DIR, RunResult
from sheetsync.settings.email import EmailSettings, is_address

#: Rows shown per table; the rest are in the attached list.
MAX_ROWS = 40
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
_CELL = "border:1px solid #BFBFBF;padding:4px 8px;text-align:left;vertical-align:top"
_HEAD = _CELL + ";background:#D9E1F2;font-weight:bold;white-space:nowrap"
_SHORT = 30  #: Cells shorter than this are kept on one line.
_FONT = "font-family:Calibri,Arial,sans-serif"
_SEVERITY_COLOUR = {"error": "#C00000", "warning": "#B26B00"}


@dataclass(frozen=True, slots=True)
class _Section:
    """One list in the message: a table in HTML, lines in plain text."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    severities: list[str | None]
    lines: list[str]


@dataclass(frozen=True, slots=True)
class Reminder:
    """One owner's message, ready to send or preview."""

    owner: str
    address: str | None  #: None when neither the settings nor a register give one.
    subject: str
    message: EmailMessage
    content_hash: str  #: Of the owner's list (not of the dates or wording around it).


def week_commencing(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def build_reminders(run: RunResult, email: EmailSettings, *, is_new: Callable[[Finding], bool],
                    since: Callable[[Finding], dt.date | None]) -> tuple[list[Reminder], list[str]]:
    """A reminder for each owner with something open, and warnings (addresses not understood).

    ``is_new`` says whether a finding is new since the last run; ``since`` when it was first
    seen (None: this run).
    """
    reminders, warnings = [], []
    for owner, items in open_items(run).items():
        address = email.address_of(owner)
        if address is None:
            good = [e for e in items.emails if is_address(e)]
            for bad in (e for e in items.emails if not is_address(e)):
                warnings.append(f"{owner}: {bad!r} in a register's email column is not an email "
                                "address")
            address = good[0] if good else None
        reminders.append(_reminder(run, email, items, address, is_new, since))
    return reminders, warnings


def content_hash(items: OwnerItems, address: str | None) -> str:
    """What the owner is told, without dates or wording: the same list hashes the same."""
    listed = {
        "to": (address or "").casefold(),
        "findings": sorted([f.workbook, f.sheet or "", f.cell or "", f.rule,
                            json.dumps(display_value(f.value), default=str)]
                           for f in items.findings),
        "actions": sorted([str(a.get(k) or "") for k in ("workbook", "sheet", "row", "ref",
                                                         "target_date", "status")]
                          for a in items.actions)}
    return hashlib.sha256(json.dumps(listed, sort_keys=True).encode()).hexdigest()


def subject_line(items: OwnerItems, as_of: dt.date) -> str:
    """``Risk register: 3 problems to fix, 1 review overdue (w/c 30 Nov 2026)``."""
    parts = [_count(len(items.problems), "problem", "problems", "to fix"),
             _count(len(items.reviews), "review", "reviews", "overdue"),
             _count(len(items.actions), "action", "actions", "overdue")]
    monday = week_commencing(as_of)
    return (f"Risk register: {', '.join(p for p in parts if p)} "
            f"(w/c {monday.day} {monday:%b %Y})")


def _count(number: int, one: str, many: str, tail: str) -> str:
    return f"{number} {one if number == 1 else many} {tail}" if number else ""


def _reminder(run: RunResult, email: EmailSettings, items: OwnerItems, address: str | None,
              is_new: Callable[[Finding], bool],
              since: Callable[[Finding], dt.date | None]) -> Reminder:
    problems = sorted(items.problems, key=lambda f: (not is_new(f), f.workbook, f.sheet or "",
                                                     f.row or 0, f.cell or ""))
    reviews = sorted(items.reviews, key=lambda f: (f.workbook, f.sheet or "", f.row or 0))
    day = run.as_of

    def when(finding: Finding) -> str:
        first = since(finding)
        return "new this week" if is_new(finding) or first is None else _date(first)

    sections: list[_Section] = [
        _Section("Problems to fix", ["Workbook", "Sheet", "Cell", "What is wrong", "Since"],
                 [[f.workbook, f.sheet or "", f.cell or "", f.message, when(f)] for f in problems],
                 [f.severity.label for f in problems],
                 [f"{f.workbook}, {f.sheet} {f.cell} ({when(f)}): {f.message}" for f in problems]),
        _Section("Reviews overdue", ["Workbook", "Sheet", "Risk", "Cell", "Last reviewed", "Since"],
                 [[f.workbook, f.sheet or "", f.ref or "", f.cell or "", _date_text(f.value),
                   when(f)] for f in reviews], [None] * len(reviews),
                 [f"{f.workbook}, {f.sheet} {f.cell}: {f.ref or 'a risk'} last reviewed "
                  f"{_date_text(f.value)} ({when(f)})" for f in reviews]),
        _Section("Actions overdue", ["Workbook", "Sheet", "Ref", "Action", "Target date", "Status"],
                 [[str(a.get(k) or "") for k in ("workbook", "sheet", "ref", "action")]
                  + [_date_text(a.get("target_date")), str(a.get("status") or "")]
                  for a in items.actions], [None] * len(items.actions),
                 [f"{a['workbook']}, {a['sheet']} row {a['row']}: {a.get('ref') or 'an action'}"
                  f" due {_date_text(a.get('target_date'))}: {a.get('action') or ''}"
                  for a in items.actions]),
    ]
    links = _links(run, email, items)
    attachment = run.out_dir / OWNERS_DIR / items.file_name
    attached = email.attach and attachment.is_file()
    subject = subject_line(items, day)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = email.sender
    if address:
        message["To"] = Address(display_name=items.owner, addr_spec=address)
    if email.cc:
        message["Cc"] = ", ".join(email.cc)
    if email.reply_to:
        message["Reply-To"] = email.reply_to
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=parseaddr(email.sender)[1].rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # (RFC 3834: no out-of-office replies to it)
    intro = (f"This week's check of the registers (as of {_date(day)}) found "
             f"{subject.split(': ', 1)[1].rsplit(' (', 1)[0]} in the rows you own.")
    message.set_content(_plain(items.owner, intro, sections, links,
                               attachment.name if attached else None))
    message.add_alternative(_html(items.owner, intro, sections, links,
                                  attachment.name if attached else None), subtype="html")
    if attached:
        message.add_attachment(attachment.read_bytes(), maintype=XLSX_TYPE[0],
                               subtype=XLSX_TYPE[1], filename=attachment.name)
    return Reminder(owner=items.owner, address=address, subject=subject, message=message,
                    content_hash=content_hash(items, address))


def _links(run: RunResult, email: EmailSettings, items: OwnerItems) -> list[tuple[str, str, str]]:
    """(workbook, shown path, href) of the annotated copy of each workbook the owner is in."""
    names = sorted({f.workbook for f in items.findings} | {str(a["workbook"]) for a in items.actions})
    by_name = {wb.source.name: wb for wb in run.workbooks}
    links = []
    for name in names:
        wb = by_name.get(name)
        relative = PurePosixPath(ANNOTATED_DIR, *PurePosixPath(name.replace("\\", "/")).parts)
        if wb is not None and wb.annotated is not None:
            with contextlib.suppress(ValueError):
                relative = PurePosixPath(wb.annotated.relative_to(run.out_dir).as_posix())
        elif wb is not None:
            continue  # (no annotated copy: nothing to link to)
        shown, href = link(email.link_root, run.out_dir, relative)
        links.append((name, shown, href))
    return links


def link(root: str | None, out_dir: Path, relative: PurePosixPath) -> tuple[str, str]:
    """(the path as an owner would type it, a URL for it) of ``relative`` under ``root``.

    ``root`` is how owners reach the output folder: a share (``\\\\council\\share\\Checked``), a
    mapped drive (``S:\\Checked``), a web address, or (None) the output folder itself.
    """
    if root and root.casefold().startswith(("http://", "https://")):
        href = root.rstrip("/") + "/" + quote(relative.as_posix())
        return href, href
    if root and (root.startswith(("\\\\", "//")) or PureWindowsPath(root).drive):
        path = PureWindowsPath(root, *relative.parts)
        if path.drive.startswith("\\\\"):  # \\server\share\...: file://server/share/...
            return str(path), "file:" + quote(str(path).replace("\\", "/"))
        return str(path), "file:///" + quote(str(path).replace("\\", "/"), safe="/:")
    base = Path(root) if root else out_dir.resolve()
    full = base.joinpath(*relative.parts)
    return str(full), (full.as_uri() if full.is_absolute() else quote(full.as_posix()))


def _plain(owner: str, intro: str, sections: list[_Section],
           links: list[tuple[str, str, str]], attached: str | None) -> str:
    lines = [f"Dear {owner},", "", intro, ""]
    for section in sections:
        if not section.lines:
            continue
        lines.append(f"{section.title} ({len(section.lines)}):")
        lines += [f"  - {line}" for line in section.lines[:MAX_ROWS]]
        if len(section.lines) > MAX_ROWS:
            lines.append(f"  ... and {len(section.lines) - MAX_ROWS} more in the attached list.")
        lines.append("")
    if links:
        lines.append("Each problem is marked on its cell in the annotated copies:")
        lines += [f"  {name}: <{shown}>" for name, shown, _href in links]
        lines.append("")
    if attached:
        lines += [f"Your full list is attached ({attached}).", ""]
    lines += ["Please correct the registers themselves; next week's check will pick up the "
              "changes.", "", "-- ", "Sent by sheetsync's weekly check of the registers."]
    return "\n".join(lines) + "\n"


def _html(owner: str, intro: str, sections: list[_Section],
          links: list[tuple[str, str, str]], attached: str | None) -> str:
    e = _escape
    parts = ['<!DOCTYPE html>', '<html lang="en-GB"><head><meta charset="utf-8">',
             f"<title>{e(owner)}</title></head>",
             f'<body style="{_FONT};font-size:11pt;color:#222222">',
             f"<p>Dear {e(owner)},</p>", f"<p>{e(intro)}</p>"]
    for section in sections:
        title, headers, rows, severities = (section.title, section.headers, section.rows,
                                            section.severities)
        if not rows:
            continue
        parts.append(f'<h3 style="{_FONT};margin:16px 0 6px 0;color:#1F3864">{e(title)} '
                     f"({len(rows)})</h3>")
        parts.append(f'<table style="{_FONT};border-collapse:collapse;font-size:10pt" '
                     'cellpadding="4">')
        parts.append("<tr>" + "".join(f'<th style="{_HEAD}" nowrap>{e(h)}</th>' for h in headers)
                     + "</tr>")
        for row, severity in zip(rows[:MAX_ROWS], severities[:MAX_ROWS], strict=True):
            cells = [e(v) for v in row]
            if severity:
                colour = _SEVERITY_COLOUR.get(severity, "#222222")
                cells[3] = (f'<b style="color:{colour}">{e(severity.capitalize())}:</b> '
                            + cells[3])
            if row[-1] == "new this week":
                cells[-1] = f"<b>{cells[-1]}</b>"
            parts.append("<tr>" + "".join(
                f'<td style="{_CELL}{";white-space:nowrap" if len(v) < _SHORT else ""}"'
                f'{" nowrap" if len(v) < _SHORT else ""}>{c}</td>'
                for v, c in zip(row, cells, strict=True)) + "</tr>")
        parts.append("</table>")
        if len(rows) > MAX_ROWS:
            parts.append(f"<p>... and {len(rows) - MAX_ROWS} more in the attached list.</p>")
    if links:
        parts.append('<p style="margin-top:16px">Each problem is marked on its cell in the '
                     "annotated copies:</p><ul>")
        parts += [f'<li><a href="{e(href)}">{e(name)}</a> ({e(shown)})</li>'
                  for name, shown, href in links]
        parts.append("</ul>")
    if attached:
        parts.append(f"<p>Your full list is attached ({e(attached)}).</p>")
    parts += ["<p>Please correct the registers themselves; next week's check will pick up the "
              "changes.</p>",
              '<p style="color:#666666;font-size:9pt">Sent by sheetsync\'s weekly check of the '
              "registers.</p>", "</body></html>"]
    return "\n".join(parts) + "\n"


def _escape(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _date_text(value: Any) -> str:
    """A date as ``7 Nov 2022`` (from a date or ISO text); anything else as it is."""
    shown = display_value(value)
    if shown is None:
        return ""
    if isinstance(shown, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}(T00:00(:00)?)?", shown):
        return _date(dt.date.fromisoformat(shown[:10]))
    return str(shown)
