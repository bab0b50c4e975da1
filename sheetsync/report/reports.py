"""Exception reports and tidy records for a run: xlsx, csv, json. Reporters only read results."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import os
import zipfile
from collections.abc import Iterator
from operator import itemgetter
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.url import Url

from sheetsync.files import atomic_path, keep_going, write_text_atomically
from sheetsync.findings import Finding, Severity
from sheetsync.report.bulkrows import plain_rows, splice_rows
from sheetsync.report.changes import Changes
from sheetsync.report.changes import summary_lines as summary_lines  # (where it was)
from sheetsync.report.inspect import sheet_entry
from sheetsync.report.record_fields import FIELDS, RECORD_FILES, ROLLUP_FIELDS, rollups
from sheetsync.results import RunResult, WorkbookResult

FINDING_FIELDS = ("workbook", "sheet", "cell", "row", "column", "ref", "value", "rule",
                  "severity", "message")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
    copies = {wb.source.name: _relative(wb.annotated, run.out_dir) if wb.annotated else None
              for wb in run.workbooks}
    return _exceptions_workbook(path, [_finding_entry(f, changes) for f in run.findings], copies,
                                run.as_of, changes is not None)


def settle_exceptions(document: dict[str, Any], out_dir: Path) -> list[Path]:
    """``exceptions.{json,csv,xlsx}`` of ``out_dir`` (``document``: its exceptions.json, of a
    ``sheetsync run``) as ``write_reports`` writes them when nothing changed since that run:
    no finding new, every workbook reused and none stale, nothing resolved or removed.
    ``document`` is settled the same way.

    NOTE: only those flags differ, so they are changed where they stand in each file (writing
    the three files again took 0.3 s over 9,600 findings); a file is written again in full
    only when the count of what would be changed does not prove that nothing else matches (a
    value someone typed), or when it was written some other way.
    """
    for workbook in document["workbooks"]:
        workbook["reused"], workbook["stale"] = True, False
    for finding in document["findings"]:
        finding["new"] = False
    document["resolved"], document["removed"] = [], []
    entries = document["findings"]
    json_path, csv_path, xlsx_path = (out_dir / f"exceptions.{end}"
                                      for end in ("json", "csv", "xlsx"))
    before = _bytes_of(json_path)
    after = _settled_json(before, document)
    if after is None:
        write_text_atomically(json_path, json.dumps(document, indent=2, ensure_ascii=False,
                                                    default=str) + "\n")
    elif after != before:
        _write_bytes(json_path, after)
    before = _bytes_of(csv_path)
    header = codecs.BOM_UTF8 + ",".join(FINDING_FIELDS + ("new",)).encode() + b"\r\n"
    after = (_flipped(before, b",True\r\n", b",False\r\n", len(entries))
             if before.startswith(header) else None)
    if after is None:
        _write_csv(csv_path, FINDING_FIELDS + ("new",), entries)
    elif after != before:
        _write_bytes(csv_path, after)
    if not _settled_xlsx(xlsx_path, len(entries)):
        copies = {wb["path"]: wb["annotated"] for wb in document["workbooks"]}
        _exceptions_workbook(xlsx_path, entries, copies, dt.date.fromisoformat(document["as_of"]),
                             True)
    return [json_path, csv_path, xlsx_path]


def _settled_json(text: bytes, document: dict[str, Any]) -> bytes | None:
    """exceptions.json as ``json.dumps(document, indent=2)`` writes it: every key of a
    workbook's or finding's entry is on a line of its own, six spaces in (text has no line
    breaks of its own there), and ``resolved`` and ``removed`` are its last two keys."""
    findings, workbooks = len(document["findings"]), len(document["workbooks"])
    for old, new, count in ((b'\n      "new": true\n', b'\n      "new": false\n', findings),
                            (b'\n      "reused": false,\n', b'\n      "reused": true,\n',
                             workbooks),
                            (b'\n      "stale": true\n', b'\n      "stale": false\n', workbooks)):
        flipped = _flipped(text, old, new, count)
        if flipped is None:
            return None
        text = flipped
    head, found, tail = text.rpartition(b'\n  "resolved": ')
    if not found or not tail.endswith(b"\n}\n") or tail.count(b'\n  "') != 1 \
            or b'\n  "removed": ' not in tail:
        return None
    return head + b'\n  "resolved": [],\n  "removed": []\n}\n'


def _flipped(text: bytes, old: bytes, new: bytes, count: int) -> bytes | None:
    """``text`` with every ``old`` made ``new``, where each of ``count`` entries holds one of
    the two: more of them than that, and some are not what they seem (None)."""
    if text.count(old) + text.count(new) != count:
        return None
    return text.replace(old, new)


#: The last cell of an exceptions workbook's row is its "New" (text: never a blank).
_NEW_CELL = (b'<t xml:space="preserve">Yes</t></is></c></row>',
             b'<t xml:space="preserve">No</t></is></c></row>')


def _settled_xlsx(path: Path, findings: int) -> bool:
    """The exceptions workbook with every "New" saying "No", its other parts as they are; False
    when its rows were not written as ``_exceptions_workbook`` writes them (nothing changed)."""
    try:
        with zipfile.ZipFile(path) as package:
            parts = {info.filename: (info, package.read(info)) for info in package.infolist()}
    except (OSError, zipfile.BadZipFile):
        return False
    info, sheet = parts.get("xl/worksheets/sheet1.xml", (None, b""))
    settled = _flipped(sheet, *_NEW_CELL, findings)
    if info is None or settled is None:
        return False
    if settled != sheet:
        parts[info.filename] = (info, settled)
        with atomic_path(path) as temporary, zipfile.ZipFile(temporary, "w") as target:
            for info, data in parts.values():  # (as splice_rows writes them)
                target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    return True


def _bytes_of(path: Path) -> bytes:
    """The file's bytes; none if it cannot be read (so it is written in full)."""
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _write_bytes(path: Path, data: bytes) -> None:
    with atomic_path(path) as temporary:
        temporary.write_bytes(data)


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
    severity_col, cell_col = fields.index("severity"), fields.index("cell")

    def style(index: int, col: int, value: Any) -> int | None:
        if col == severity_col:
            return fills.get(value)
        if col == cell_col and index in linked:
            return link_style
        return None

    def rows() -> Iterator[list[Any]]:
        for data in entries:
            values = [data[name] for name in fields]
            if with_new:
                values[-1] = "Yes" if values[-1] else "No"
            yield values

    links = tuple((f"C{index + 2}", target, location)
                  for index, (target, location) in linked.items())
    fragment = plain_rows(rows(), 2, len(fields), style, links, widens_table=True)
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
        if _utf16_length(path_part) > _MAX_URL or _utf16_length(anchor) > _MAX_URL:
            continue  # NOTE: as xlsxwriter: the cell keeps its text, without a link
        found[index] = pair
        if len(found) == _MAX_LINKS:
            break
    return found


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


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
