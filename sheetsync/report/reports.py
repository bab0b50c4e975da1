"""Exception reports and tidy records for a run: xlsx, csv, json. Reporters only read results."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.url import Url

from sheetsync import collector_paused
from sheetsync.files import atomic_path, keep_going
from sheetsync.findings import FIELD_NAMES, Severity, change_key
from sheetsync.report.bulkrows import plain_columns, splice_rows
from sheetsync.report.changes import Changes
from sheetsync.report.changes import summary_lines as summary_lines  # (where it was)
from sheetsync.report.inspect import sheet_entry
from sheetsync.report.jsontext import json_pieces
from sheetsync.report.record_fields import FIELDS, RECORD_FILES, ROLLUP_FIELDS, rollups
from sheetsync.results import RunResult, WorkbookResult, columns_of

FINDING_FIELDS = FIELD_NAMES  #: exceptions.csv's columns: a finding's fields, in order
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_reports(run: RunResult, changes: Changes | None = None, *,
                  before_json: Callable[[], None] | None = None) -> list[Path]:
    """Write ``exceptions.{xlsx,csv,json}`` and ``records/*.csv`` into the run's folder.

    A file that cannot be replaced (open in Excel) is left as it was, with a warning in
    ``run.warnings``; ``exceptions.json`` is written last, so it lists every such warning
    (``before_json`` is called first: outputs written meanwhile elsewhere add theirs).
    """
    with collector_paused():  # NOTE: tens of thousands of entries and rows: see its note
        return _write_all(run, changes, before_json)


def _write_all(run: RunResult, changes: Changes | None,
               before_json: Callable[[], None] | None) -> list[Path]:
    out = run.out_dir
    # NOTE: each finding's entry made once for the three reports (a first check can have
    # tens of thousands of findings)
    entries = _finding_entries(run, changes)
    with keep_going(out, run.warnings):
        written = [_write_csv(out / "exceptions.csv", _finding_fields(changes), entries),
                   _exceptions_workbook(out / "exceptions.xlsx", entries, _copies(run), run.as_of,
                                        changes is not None)]
        for kind, file_name in RECORD_FILES.items():
            written.append(_write_rows(out / "records" / file_name, FIELDS[kind],
                                       _record_rows(run, kind, FIELDS[kind])))
        written.append(_write_csv(out / "records" / "rollups.csv", ROLLUP_FIELDS,
                                  rollups(run.records("action_plan"))))
        if before_json is not None:
            before_json()
        written.append(_write_json(out / "exceptions.json", _document(run, changes, entries)))
    return written


def _document(run: RunResult, changes: Changes | None,
              entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``exceptions.json`` document (paths relative to the output folder)."""
    document: dict[str, Any] = {
        "as_of": run.as_of.isoformat(),
        "workbooks": [_workbook_entry(run, wb) for wb in run.workbooks],
        "findings": entries,
        "warnings": run.all_warnings(),
    }
    if changes is not None:
        for entry in document["workbooks"]:
            entry["reused"] = entry["path"] in changes.reused
            entry["stale"] = entry["path"] in changes.stale
        document["resolved"] = changes.resolved
        document["removed"] = changes.removed
    return document


def _finding_entries(run: RunResult, changes: Changes | None) -> list[dict[str, Any]]:
    entries = [f.to_dict() for f in run.findings]
    if changes is not None:
        new = changes.new
        for entry in entries:
            entry["new"] = change_key(entry) in new
    return entries


def _finding_fields(changes: Changes | None) -> tuple[str, ...]:
    return FINDING_FIELDS + (("new",) if changes is not None else ())


def _copies(run: RunResult) -> dict[str, str | None]:
    """Each workbook's annotated copy, relative to the output folder."""
    return {wb.source.name: _relative(wb.annotated, run.out_dir) if wb.annotated else None
            for wb in run.workbooks}


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


def rewrite_exceptions(document: dict[str, Any], out_dir: Path) -> list[Path]:
    """``exceptions.{json,csv,xlsx}`` written again from an ``exceptions.json`` document (of a
    ``sheetsync run``), as ``write_reports`` writes them from the results it stands for."""
    copies = {wb["path"]: wb["annotated"] for wb in document["workbooks"]}
    entries = document["findings"]
    return [_write_json(out_dir / "exceptions.json", document),
            _write_csv(out_dir / "exceptions.csv", FINDING_FIELDS + ("new",), entries),
            _exceptions_workbook(out_dir / "exceptions.xlsx", entries, copies,
                                 dt.date.fromisoformat(document["as_of"]), True)]


def _write_json(path: Path, document: dict[str, Any]) -> Path:
    with atomic_path(path) as temporary, open(temporary, "w", encoding="utf-8", newline="") as stream:
        for piece in json_pieces(document):  # NOTE: written as made: a first check's is large
            stream.write(piece)
        stream.write("\n")
    return path


def _exceptions_workbook(path: Path, entries: list[dict[str, Any]], copies: dict[str, str | None],
                         as_of: dt.date, with_new: bool) -> Path:
    """The exceptions workbook of findings as ``exceptions.json`` has them (``copies``: each
    workbook's annotated copy, relative to the output folder).

    NOTE: xlsxwriter writes the frame (header, table, widths, panes); the rows and links are
    written as sheet XML in one pass (``bulkrows``): a first check of a large register can have
    tens of thousands of findings, and xlsxwriter took 5 seconds over 24,500 of them.
    """
    package = io.BytesIO()
    book = xlsxwriter.Workbook(package, {"strings_to_formulas": False, "strings_to_urls": False,
                                         "nan_inf_to_errors": True, "in_memory": True})
    sheet = book.add_worksheet("Exceptions")
    link_style = book.add_format({"font_color": "#0563C1", "underline": 1})._get_xf_index()
    fills = {Severity.ERROR.label: book.add_format({"bg_color": "#FFC7CE"})._get_xf_index(),
             Severity.WARNING.label: book.add_format({"bg_color": "#FFEB9C"})._get_xf_index()}
    headers = ["Workbook", "Sheet", "Cell", "Row", "Column", "Ref", "Value", "Rule",
               "Severity", "Message"] + (["New"] if with_new else [])
    fields = FINDING_FIELDS + (("new",) if with_new else ())
    linked = _exception_links(copies, entries)
    columns = [list(map(itemgetter(name), entries)) for name in fields]
    if with_new:
        columns[-1] = ["Yes" if new else "No" for new in columns[-1]]
    severity_col, cell_col = fields.index("severity"), fields.index("cell")
    formats: dict[int, list[int | None]] = {
        severity_col: [fills.get(label) for label in columns[severity_col]],
        cell_col: [None] * len(entries)}
    for index in linked:
        formats[cell_col][index] = link_style
    links = tuple((f"C{index + 2}", target, location)
                  for index, (target, location) in linked.items())
    fragment = plain_columns(columns, 2, formats, links, widens_table=True)
    sheet.add_table(0, 0, 1, len(headers) - 1,
                    {"columns": [{"header": h} for h in headers], "name": "Findings",
                     "style": "Table Style Light 9"})
    for col, width in enumerate((28, 18, 7, 6, 22, 8, 18, 6, 9, 90)):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    book.set_properties({"title": "sheetsync exceptions", "comments": f"As of {as_of}"})
    book.close()
    with atomic_path(path) as temporary:
        splice_rows(package.getvalue(), {"xl/worksheets/sheet1.xml": [fragment]}, temporary)
    return path


_MAX_URL = 2079  #: Excel's limit on a link's path and on its location (xlsxwriter's too).
_MAX_LINKS = 65530  #: Excel's limit on the links of a sheet (xlsxwriter's too).


def _exception_links(copies: dict[str, str | None],
                     entries: list[dict[str, Any]]) -> dict[int, tuple[str, str]]:
    """Each linked finding's (relationship target, location), by its position: as xlsxwriter's
    ``write_url`` makes them of ``external:<copy>#'<sheet>'!<cell>``."""
    parsed: dict[tuple[str, str], tuple[str, str, str] | None] = {}
    found: dict[int, tuple[str, str]] = {}
    for index, finding in enumerate(entries):
        relative, sheet, cell = copies.get(finding["workbook"]), finding["sheet"], finding["cell"]
        if relative is None or not sheet or not cell:
            continue
        key = (relative, sheet)
        if key not in parsed:
            sheet_ref = sheet.replace("'", "''")
            # NOTE: the anchor is the same but for the cell; a "#" in the copy's path is read
            # by xlsxwriter in its own way, so such a link is made in full
            url = Url(f"external:{relative}#'{sheet_ref}'!A1")
            parsed[key] = (None if "#" in relative else
                           (url._target(), url._anchor[:-2], f"external:{relative}"))
        made = parsed[key]
        if made is None:
            text = f"external:{relative}#'{sheet.replace(chr(39), chr(39) * 2)}'!{cell}"
            url = Url(text)
            pair = (url._target(), url._anchor)
            path_part, _, anchor = text.partition("#")
        else:
            pair = (made[0], made[1] + cell)
            path_part, anchor = made[2], pair[1]
        if _too_long(path_part) or _too_long(anchor):
            continue  # NOTE: as xlsxwriter: the cell keeps its text, without a link
        found[index] = pair
        if len(found) == _MAX_LINKS:
            break
    return found


def _too_long(text: str) -> bool:
    """Longer than Excel lets a link's path or location be, in UTF-16 units: a character is
    one or two of them, so most text is too short to need counting."""
    return len(text) > _MAX_URL // 2 and len(text.encode("utf-16-le")) // 2 > _MAX_URL


def csv_safe(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if type(value) is str and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _write_csv(path: Path, fields: tuple[str, ...], rows: Iterable[dict[str, Any]]) -> Path:
    return _write_rows(path, fields, _safe_rows(fields, rows))


def _write_rows(path: Path, fields: tuple[str, ...], rows: Iterable[Iterable[Any]]) -> Path:
    """``fields``, then ``rows`` (already csv_safe), as CSV."""
    # NOTE: utf-8 with its byte order mark written first, as utf-8-sig writes it (so Excel
    # opens names such as "Siân" correctly): Python encodes utf-8 in C, utf-8-sig through a
    # Python encoder called for every row. Written as it is made.
    with atomic_path(path) as temporary, \
            open(temporary, "w", encoding="utf-8", newline="") as stream:
        stream.write("\ufeff")
        writer = csv.writer(stream)
        writer.writerow(fields)
        writer.writerows(rows)
    return path


def _safe_rows(fields: tuple[str, ...], rows: Iterable[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
    """Each row's values in ``fields`` order (None where a row lacks one), csv_safe: made a
    column at a time, as a sheet's records are."""
    return zip(*map(_safe_column, columns_of(rows, fields)), strict=True)


def _record_rows(run: RunResult, kind: str, fields: tuple[str, ...]) -> Iterator[Iterable[Any]]:
    """The rows of ``records/<kind>.csv``: a sheet's taken from its columns as they are, unless
    a value in one needs csv_safe (50,000 records made dicts was most of writing them)."""
    for records in run.record_groups(kind):
        yield from _safe_rows(fields, records)


def _safe_column(column: list[Any]) -> list[Any]:
    """``column``, or a copy of it with csv_safe applied where a value needs it."""
    kinds = set(map(type, column))
    if str not in kinds:
        return column
    if kinds <= _TEXT_OR_NONE:
        # NOTE: the set of the texts' first characters, taken in C: a generator asking each
        # value its type and its start cost half as much again over a large register's
        if _FORMULA_CHARS.isdisjoint(map(_FIRST_CHARACTER, filter(None, column))):
            return column
    elif not any(type(v) is str and v.startswith(_FORMULA_STARTS) for v in column):
        return column
    return [csv_safe(v) for v in column]


_TEXT_OR_NONE = frozenset({str, type(None)})
_FORMULA_CHARS = frozenset(_FORMULA_STARTS)  # (each is one character)
_FIRST_CHARACTER = itemgetter(slice(0, 1))


def _relative(path: Path, base: Path) -> str:
    """``path`` from ``base``, as a link in the reports: inside ``base`` whichever way either
    was reached (a drive letter, a UNC path, a link); else relative, or as it is when that
    cannot be (on another drive)."""
    for candidate, folder in _as_given_then_resolved(path, base):
        if candidate.is_relative_to(folder):
            return candidate.relative_to(folder).as_posix()
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:
        return path.as_posix()


def _as_given_then_resolved(path: Path, base: Path) -> Iterator[tuple[Path, Path]]:
    """NOTE: resolved only when needed: resolving asks the file system about every folder on
    the way, and a run's reports ask for each workbook's copy."""
    yield path, base
    yield path.resolve(), base.resolve()
