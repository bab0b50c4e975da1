"""Write the annotated copy by patching the original package: nothing in it is lost.

Every part sheetsync has no reason to change is copied as it is. Only these are rewritten:
the annotated sheets (fills, filled-in values, added columns), the styles part (formats
appended), those sheets' comments and legacy drawings, and the workbook part, its
relationships and the content types for the added Exceptions / Summary / ledger sheets.

The ledger is the same very hidden ``_sheetsync`` sheet the openpyxl writer keeps, with one
more column: the cell format each marked cell had, so a re-run can give it back exactly.

Every change goes into one ``PackageEdits`` (``workbookxml``), which the sheet writer
(``patchsheet``, with its notes) and the new-sheet writer here are given; it then says
which parts to write in place of the original's or beside them.
"""

from __future__ import annotations

import contextlib
import functools
import io
import itertools
import sys
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sheetsync.files import atomic_path, deflated, in_chunks
from sheetsync.findings import Finding, Severity
from sheetsync.read.grid import LEDGER_SHEET, WorkbookGrid
from sheetsync.read.package import Package
from sheetsync.write.annotate import (
    EXCEPTION_COLUMNS,
    EXCEPTION_WIDTHS,
    EXCEPTIONS_SHEET,
    LINK_COLOUR,
    MARK_COLOURS,
    SUMMARY_SHEET,
    SUMMARY_WIDTHS,
    SheetAnnotations,
    cell_link,
    exception_row,
    free_sheet_name,
)
from sheetsync.write.newsheet import Table, table_pieces
from sheetsync.write.patchsheet import LedgerRows, SheetPatch, header_format, patch_one_sheet
from sheetsync.write.sheetxml import SheetUnsupported
from sheetsync.write.stylesxml import Styles, StylesUnsupported
from sheetsync.write.workbookxml import PackageEdits, Part

LEDGER_HEADER = ["kind", "sheet", "cell", "comment", "author", "value", "original fill",
                 "original style", "original fill xml"]


#: zlib level for the parts sheetsync writes: a sixth of the default's time, files a little larger.
_FAST = 1
_CHUNK = 1 << 20  #: A patched sheet is compressed this much at a time, on a thread.
_CONTENT_TYPES = "[Content_Types].xml"
#: A package whose parts come to less than this (compressed) is copied in memory first (a first
#: check's copy can be four times the size of the workbook).
_IN_MEMORY = 1 << 20


class PatchUnsupported(Exception):
    """This package cannot be patched safely; the caller falls back to the openpyxl writer."""


def unpatchable_reason(package: Package, grid: WorkbookGrid) -> str | None:
    """Why ``package`` must go through the openpyxl writer instead (None: it can be patched)."""
    if any(n.startswith("_xmlsignatures/") for n in package.names):
        return "it is digitally signed, and any change would break the signature"
    if grid.ledger.present and not grid.ledger.patchable:
        return "it was annotated by an earlier sheetsync version"
    if _styles_part(package) is None:
        return "it has no styles part"
    return None


def write_patched_copy(package: Package, grid: WorkbookGrid, findings: list[Finding],
                       sheets: list[SheetAnnotations], destination: Path,
                       summary: list[list[Any]] | None = None) -> None:
    """The annotated copy of ``package`` at ``destination`` (raises PatchUnsupported)."""
    styles_name = _styles_part(package)
    if styles_name is None:
        raise PatchUnsupported("it has no styles part")
    try:
        styles = Styles(package.read(styles_name))
    except StylesUnsupported as exc:
        raise PatchUnsupported(str(exc)) from None
    removed = grid.ledger.added_sheets() | {LEDGER_SHEET}
    edits = PackageEdits(package, styles, styles_name,
                         removed_sheets=[s for s in package.sheets if s.name in removed])
    by_sheet: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in findings:
        if finding.sheet and finding.cell:
            by_sheet[finding.sheet][finding.cell].append(finding)
    annotations = {a.sheet: a for a in sheets}
    ledger = grid.ledger
    cleared = {s.title: s.cleared for s in grid.sheets}
    names = set(by_sheet) | set(annotations) | {r[1] for r in ledger.rows if r[0] != "sheet"}
    ledger_rows: list[LedgerRows] = []
    for entry in package.sheets:
        if entry.name not in names or entry.part is None or not entry.is_worksheet:
            continue
        if entry.name in removed:
            continue
        patch = SheetPatch(entry=entry, part=entry.part, marks=dict(by_sheet.get(entry.name, {})),
                           annotations=annotations.get(entry.name),
                           ledger=ledger, cleared=cleared.get(entry.name, set()))
        try:
            ledger_rows.append(patch_one_sheet(edits, patch))
        except ValueError as exc:
            raise PatchUnsupported(f"sheet {entry.name!r}: {exc}") from None
    _add_sheets(edits, findings, summary, ledger_rows)
    try:
        _write_package(edits, destination)
    except SheetUnsupported as exc:
        raise PatchUnsupported(str(exc)) from None


def _add_sheets(edits: PackageEdits, findings: list[Finding], summary: list[list[Any]] | None,
                ledger_rows: list[LedgerRows]) -> None:
    """The Summary, Exceptions and ledger sheets (the earlier run's are taken away)."""
    removed = {s.name for s in edits.removed_sheets}
    taken = {s.name.casefold() for s in edits.package.sheets if s.name not in removed}
    styles = edits.styles
    header = header_format(styles)
    tables: list[tuple[str, Callable[[], Table], str]] = []
    if summary:
        styles_of = {(1, c): header for c in range(1, len(summary[0]) + 1)}
        table = Table(rows=summary, widths=SUMMARY_WIDTHS, styles=styles_of)
        tables.append((free_sheet_name(SUMMARY_SHEET, taken), lambda: table, "visible"))
    # NOTE: the formats are made now (the styles part is written before the added sheets); the
    # table itself as the sheet is written, once the patched sheets' memory is let go
    made = functools.partial(_exceptions_table, header, _exception_formats(styles), findings)
    tables.append((free_sheet_name(EXCEPTIONS_SHEET, taken), made, "visible"))
    for name, make, state in tables:
        # NOTE: made as the package is written, a row at a time: never whole in memory
        edits.add_sheet(name, state, functools.partial(_table_pieces, make))
    added = [["sheet", name] for name, _t, _s in tables]

    def ledger_xml() -> Iterator[bytes]:  # NOTE: deferred until the sheets, and so their marks, are written
        rows = [LEDGER_HEADER, *added] + [row for rows in ledger_rows for row in rows()]
        return table_pieces(Table(rows=rows, header=False))

    edits.add_sheet(LEDGER_SHEET, "veryHidden", ledger_xml)


def _table_pieces(make: Callable[[], Table]) -> Iterator[bytes]:
    return table_pieces(make())


def _exception_formats(styles: Styles) -> tuple[int, dict[Severity, int]]:
    """The formats of the Exceptions sheet's links and severities."""
    link = styles.cell_format(0, font=styles.font(rgb=LINK_COLOUR, underline=True))
    return link, {s: styles.cell_format(0, fill=styles.fill(rgb)) for s, rgb in MARK_COLOURS.items()}


def _exceptions_table(header: int, formats: tuple[int, dict[Severity, int]],
                      findings: list[Finding]) -> Table:
    table = Table(rows=[EXCEPTION_COLUMNS, *map(exception_row, findings)], widths=EXCEPTION_WIDTHS,
                  styles={(1, c): header for c in range(1, len(EXCEPTION_COLUMNS) + 1)})
    link, severity_styles = formats
    for number, finding in enumerate(findings, start=2):
        table.styles[(number, 7)] = severity_styles[finding.severity]
        if (location := cell_link(finding)) is not None:
            table.links[(number, 2)] = location
            table.styles[(number, 2)] = link
    return table


def _styles_part(package: Package) -> str | None:
    for relationship in package.relationships(package.workbook_part):
        if relationship.type.endswith("/styles") and package.has(relationship.target):
            return relationship.target
    return None


def _write_package(edits: PackageEdits, destination: Path) -> None:
    """Every original part (replaced where patched), then the new ones; the content types
    first, as Excel writes them, and the streamed sheets before the parts they add to."""
    package, parts, removed = edits.package, edits.finished_parts(), edits.removed_parts
    infos = [i for i in package.archive.infolist() if i.filename not in removed]
    streamed = {n for n, data in parts.items() if not isinstance(data, bytes) and not callable(data)}
    order = sorted(infos, key=lambda i: (i.filename != _CONTENT_TYPES, i.filename not in streamed))
    # NOTE: a small copy is put together in memory and written in one go: written to the file
    # as it is made, each part's header costs two seeks and the writes they flush
    in_memory = sum(i.compress_size for i in infos) < _IN_MEMORY
    with atomic_path(destination) as temporary:
        buffer = io.BytesIO() if in_memory else None
        with zipfile.ZipFile(temporary if buffer is None else buffer, "w",
                             zipfile.ZIP_DEFLATED) as out:
            for info in order:
                name = info.filename
                copy = zipfile.ZipInfo(name, date_time=info.date_time)
                copy.compress_type = info.compress_type
                copy.external_attr = info.external_attr
                data = parts.pop(name, None)
                if data is None:
                    out.writestr(copy, package.read(name, keep=False), compresslevel=_FAST)
                else:
                    _write_part(out, copy, data, size_hint=info.file_size)
            for name, data in parts.items():
                _write_part(out, zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
        if buffer is not None:
            temporary.write_bytes(buffer.getbuffer())


def _write_part(out: zipfile.ZipFile, info: zipfile.ZipInfo, data: Part, size_hint: int = 0) -> None:
    """A part written in chunks of about a megabyte (a patched sheet comes as many pieces)."""
    if callable(data):
        data = data()
    deflated(info, _FAST)
    large = 2 * (len(data) if isinstance(data, bytes) else size_hint) > 2**31
    if isinstance(data, bytes):
        with out.open(info, "w", force_zip64=large) as stream:
            stream.write(data)
        return
    chunks = in_chunks(data, _CHUNK)
    first = next(chunks)
    second = next(chunks, None)
    with out.open(info, "w", force_zip64=large) as stream:
        if second is None:  # a sheet of under a megabyte: no thread to start
            stream.write(first)
            return
        with ThreadPoolExecutor(max_workers=1) as compressor, _quick_handoffs():
            # NOTE: zlib lets go of the GIL, so a chunk is compressed while the next is patched
            writing = compressor.submit(stream.write, first)
            for chunk in itertools.chain((second,), chunks):
                writing.result()
                writing = compressor.submit(stream.write, chunk)
            writing.result()


@contextlib.contextmanager
def _quick_handoffs() -> Iterator[None]:
    """The GIL handed to a thread that asks for it within a millisecond, not Python's five.

    NOTE: after each chunk's zlib the compressing thread asks for the GIL back, and waited up
    to 5 ms each time for the patcher to let go; the patcher then waited on it in turn. The
    heavy register's copy took as long with the thread as without it (1.25 s); with quicker
    handoffs, 1.07-1.13 s. The interval is process-wide: not for two threads at once (one
    sheet is written at a time). With no thread asking, it costs nothing.
    """
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, 0.001))
    try:
        yield
    finally:
        sys.setswitchinterval(before)
