"""Write the annotated copy by patching the original package: nothing in it is lost.

Every part sheetsync has no reason to change is copied as it is. Only these are rewritten:
the annotated sheets (fills, filled-in values, added columns), the styles part (formats
appended), those sheets' comments and legacy drawings, and the workbook part, its
relationships and the content types for the added Exceptions / Summary / ledger sheets.

The ledger is the same very hidden ``_sheetsync`` sheet the openpyxl writer keeps, with one
more column: the cell format each marked cell had, so a re-run can give it back exactly.
"""

from __future__ import annotations

import itertools
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetsync.files import atomic_path
from sheetsync.findings import Finding, Severity
from sheetsync.read.grid import LEDGER_SHEET, WorkbookGrid
from sheetsync.read.package import WORKSHEET_CONTENT_TYPE, Package
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
from sheetsync.write.newsheet import Table, table_xml
from sheetsync.write.patchsheet import SheetPatch, header_format, patch_one_sheet
from sheetsync.write.sheetxml import SheetUnsupported
from sheetsync.write.stylesxml import Styles, StylesUnsupported
from sheetsync.write.workbookxml import WorkbookEdits, edit_package_parts

LEDGER_HEADER = ["kind", "sheet", "cell", "comment", "author", "value", "original fill",
                 "original style", "original fill xml"]


#: zlib level for the parts sheetsync writes: a sixth of the default's time, files a little larger.
_FAST = 1
_CHUNK = 1 << 20
_CONTENT_TYPES = "[Content_Types].xml"
#: A part to write: its bytes, pieces streamed as a sheet is patched, or a function giving
#: its bytes once the streamed parts are written.
Part = bytes | Iterable[bytes] | Callable[[], bytes]


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


@dataclass(slots=True)
class _Written:
    parts: dict[str, Part] = field(default_factory=dict)  #: New or replaced parts.
    content_types: dict[str, str] = field(default_factory=dict)  #: Part -> content type to add.
    ledger: list[Callable[[], list[list[Any]]]] = field(default_factory=list)


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
    written = _Written()
    removed = grid.ledger.added_sheets() | {LEDGER_SHEET}
    edits = WorkbookEdits(removed_sheets=[s for s in package.sheets if s.name in removed])
    by_sheet: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in findings:
        if finding.sheet and finding.cell:
            by_sheet[finding.sheet][finding.cell].append(finding)
    annotations = {a.sheet: a for a in sheets}
    ledger = grid.ledger
    cleared = {s.title: s.cleared for s in grid.sheets}
    names = set(by_sheet) | set(annotations) | {r[1] for r in ledger.rows if r[0] != "sheet"}
    for entry in package.sheets:
        if entry.name not in names or entry.part is None or not entry.is_worksheet:
            continue
        if entry.name in removed:
            continue
        patch = SheetPatch(entry=entry, part=entry.part, marks=dict(by_sheet.get(entry.name, {})),
                           annotations=annotations.get(entry.name),
                           ledger=ledger, cleared=cleared.get(entry.name, set()))
        try:
            result = patch_one_sheet(package, patch, styles, _mark_style_fills(styles), edits)
        except ValueError as exc:
            raise PatchUnsupported(f"sheet {entry.name!r}: {exc}") from None
        written.parts.update(result.parts)
        written.content_types.update(result.content_types)
        written.ledger.append(result.ledger)
    _add_sheets(package, edits, styles, findings, summary, written)
    # NOTE: deferred: formats are added while the sheets stream through, so written after them
    written.parts[styles_name] = styles.xml
    written.parts.update(edit_package_parts(package, edits, written.content_types))
    try:
        _write_package(package, written.parts, edits.removed_parts, destination)
    except SheetUnsupported as exc:
        raise PatchUnsupported(str(exc)) from None


def _mark_style_fills(styles: Styles) -> dict[Severity, int]:
    return {severity: styles.fill(rgb) for severity, rgb in MARK_COLOURS.items()}


def _add_sheets(package: Package, edits: WorkbookEdits, styles: Styles, findings: list[Finding],
                summary: list[list[Any]] | None, written: _Written) -> None:
    """The Summary, Exceptions and ledger sheets (the earlier run's are taken away)."""
    removed = {s.name for s in edits.removed_sheets}
    taken = {s.name.casefold() for s in package.sheets if s.name not in removed}
    header = header_format(styles)
    tables: list[tuple[str, Table, str]] = []
    if summary:
        styles_of = {(1, c): header for c in range(1, len(summary[0]) + 1)}
        tables.append((free_sheet_name(SUMMARY_SHEET, taken), Table(
            rows=summary, widths=SUMMARY_WIDTHS, styles=styles_of), "visible"))
    tables.append((free_sheet_name(EXCEPTIONS_SHEET, taken),
                   _exceptions_table(styles, header, findings), "visible"))
    for name, table, state in tables:
        part = edits.add_sheet(package, name, state)
        written.parts[part] = table_xml(table)
        written.content_types[part] = WORKSHEET_CONTENT_TYPE
    added = [["sheet", name] for name, _t, _s in tables]

    def ledger_xml() -> bytes:  # NOTE: deferred until the sheets, and so their marks, are written
        rows = [LEDGER_HEADER, *added] + [row for rows in written.ledger for row in rows()]
        return table_xml(Table(rows=rows, header=False))

    part = edits.add_sheet(package, LEDGER_SHEET, "veryHidden")
    written.parts[part] = ledger_xml
    written.content_types[part] = WORKSHEET_CONTENT_TYPE


def _exceptions_table(styles: Styles, header: int, findings: list[Finding]) -> Table:
    table = Table(rows=[EXCEPTION_COLUMNS, *map(exception_row, findings)], widths=EXCEPTION_WIDTHS,
                  styles={(1, c): header for c in range(1, len(EXCEPTION_COLUMNS) + 1)})
    link = styles.cell_format(0, font=styles.font(rgb=LINK_COLOUR, underline=True))
    severity_styles = {s: styles.cell_format(0, fill=styles.fill(rgb)) for s, rgb in MARK_COLOURS.items()}
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


def _write_package(package: Package, parts: dict[str, Part], removed: set[str],
                   destination: Path) -> None:
    """Every original part (replaced where patched), then the new ones; the content types
    first, as Excel writes them, and the streamed sheets before the parts they add to."""
    infos = [i for i in package.archive.infolist() if i.filename not in removed]
    streamed = {n for n, data in parts.items() if not isinstance(data, bytes) and not callable(data)}
    order = sorted(infos, key=lambda i: (i.filename != _CONTENT_TYPES, i.filename not in streamed))
    with atomic_path(destination) as temporary, \
            zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as out:
        for info in order:
            name = info.filename
            copy = zipfile.ZipInfo(name, date_time=info.date_time)
            copy.compress_type = info.compress_type
            copy.external_attr = info.external_attr
            data = parts.pop(name, None)
            if data is None:
                out.writestr(copy, package.read(name), compresslevel=_FAST)
            else:
                _write_part(out, copy, data, size_hint=info.file_size)
        for name, data in parts.items():
            _write_part(out, zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)


def _write_part(out: zipfile.ZipFile, info: zipfile.ZipInfo, data: Part, size_hint: int = 0) -> None:
    """A part written in chunks of about a megabyte (a patched sheet comes as many pieces)."""
    if callable(data):
        data = data()
    info.compress_type = zipfile.ZIP_DEFLATED
    # NOTE: ZipFile.open has no level argument; the attribute is private before Python 3.13
    setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", _FAST)
    large = 2 * (len(data) if isinstance(data, bytes) else size_hint) > 2**31
    if isinstance(data, bytes):
        with out.open(info, "w", force_zip64=large) as stream:
            stream.write(data)
        return
    chunks = _chunks(data)
    first = next(chunks)
    second = next(chunks, None)
    with out.open(info, "w", force_zip64=large) as stream:
        if second is None:  # a sheet of under a megabyte: no thread to start
            stream.write(first)
            return
        with ThreadPoolExecutor(max_workers=1) as compressor:
            # NOTE: zlib lets go of the GIL, so a chunk is compressed while the next is patched
            writing = compressor.submit(stream.write, first)
            for chunk in itertools.chain((second,), chunks):
                writing.result()
                writing = compressor.submit(stream.write, chunk)
            writing.result()


def _chunks(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """Pieces joined into chunks of about a megabyte."""
    chunk: list[bytes] = []
    size = 0
    for piece in pieces:
        chunk.append(piece)
        size += len(piece)
        if size >= _CHUNK:
            yield b"".join(chunk)
            chunk, size = [], 0
    yield b"".join(chunk)

