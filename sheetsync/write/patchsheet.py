"""The patching writer's work on one annotated sheet: take the earlier run's marks off, mark
this run's cells, fill in derived values, add derived columns, and write the notes. The parts
it writes, the names of new ones and the formats it needs go to the workbook's
``PackageEdits``."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from sheetsync.findings import Finding, Severity
from sheetsync.read.grid import Ledger
from sheetsync.read.package import REL_TYPE, Package, SheetEntry, relative_target, rels_part
from sheetsync.write.annotate import HEADER_COLOUR, MARK_COLOURS, SheetAnnotations
from sheetsync.write.notes import Comments, used_blocks, vml_drawing
from sheetsync.write.sheetxml import SheetEdits, patch_sheet
from sheetsync.write.stylesxml import Styles
from sheetsync.write.workbookxml import VML_CONTENT_TYPE, PackageEdits, add_relationship

COMMENTS_TYPE = REL_TYPE + "comments"
VML_TYPE = REL_TYPE + "vmlDrawing"
COMMENTS_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
NO_STYLE = "none"  #: Ledger value for a marked cell that had no format of its own.
_DATE_FORMAT = 14  #: Excel's built-in short date.
_SEVERITY = attrgetter("severity")
_HEADINGS = {severity: severity.label.upper() for severity in Severity}  #: A note's line starts.


@dataclass(slots=True)
class SheetPatch:
    """What the writer knows about one sheet before patching it."""

    entry: SheetEntry
    part: str  #: The sheet's part (``entry.part``, which the writer knows is there).
    marks: dict[str, list[Finding]]  #: A1 -> findings on that cell.
    annotations: SheetAnnotations | None
    ledger: Ledger
    cleared: set[tuple[int, int]]  #: Cells an earlier run filled in, to blank again.


#: What gives a sheet's rows for the ledger, called once the sheet is written.
LedgerRows = Callable[[], list[list[Any]]]


def patch_one_sheet(edits: PackageEdits, patch: SheetPatch) -> LedgerRows:
    """The sheet patched (streamed when the package is written) and its notes, into ``edits``."""
    name, part = patch.entry.name, patch.part
    styles = edits.styles
    mark_fills = {severity: styles.fill(rgb) for severity, rgb in MARK_COLOURS.items()}
    sheet = SheetEdits()
    earlier = {_position(r[2]): r for r in patch.ledger.entries("mark", name)}
    marks = {_position(address): findings for address, findings in patch.marks.items()}
    originals: dict[tuple[int, int], int | None] = {}  # filled in as the sheet is patched
    for cell in marks.keys() | earlier.keys():
        findings = marks.get(cell)
        # NOTE: the worst finding picked by a key function, without a generator per cell
        fill = mark_fills.get(max(findings, key=_SEVERITY).severity) if findings else None
        sheet.cell(*cell).style = _restyle(styles, cell, earlier.get(cell), fill, originals)
    for cell in patch.cleared:
        sheet.cell(*cell).value = None
    sheet.drop_columns = {int(r[2]) for r in patch.ledger.entries("column", name)}
    derived = _derived(sheet, patch.annotations, styles, name) if patch.annotations else []
    if sheet.is_empty() and not marks and not earlier:
        return list
    notes = _notes(edits, patch, marks, earlier, sheet)
    edits.parts[part] = patch_sheet(edits.package.stream(part), sheet)

    def ledger() -> list[list[Any]]:  # NOTE: called once the sheet is written: originals known
        rows = []
        fills: dict[int, str] = {}  # (a cell's own format -> its fill, as written: few formats)
        for cell, findings in sorted(marks.items()):
            before, own = notes.get(cell), originals.get(cell)
            fill = fills.get(own or 0)
            if fill is None:
                fill = fills[own or 0] = styles.fill_xml(styles.fill_of(own or 0)).decode()
            rows.append(["mark", name, findings[0].cell, before[0] if before else None,
                         before[1] if before else None, None, None,
                         NO_STYLE if own is None else own, fill])
        return derived + rows

    return ledger


def _restyle(styles: Styles, cell: tuple[int, int], earlier: list[Any] | None, fill: int | None,
             originals: dict[tuple[int, int], int | None]) -> Callable[[int | None], int | None]:
    """What the patcher calls with a cell's format now to get the format it should have:
    its own (given back if an earlier run marked it), with ``fill`` laid on if marked."""

    def restyle(current: int | None) -> int | None:
        own = current if earlier is None else _restored_style(styles, current, earlier)
        originals[cell] = own
        return own if fill is None else styles.cell_format(own or 0, fill=fill)

    return restyle


def _notes(edits: PackageEdits, patch: SheetPatch, marks: dict[tuple[int, int], list[Finding]],
           earlier: dict[tuple[int, int], list[Any]],
           sheet: SheetEdits) -> dict[tuple[int, int], tuple[str, str]]:
    """The sheet's notes written; returns the officer's own note text on each marked cell."""
    if not marks and not earlier:
        return {}
    package = edits.package
    part = patch.part
    rels_name = rels_part(part)
    rels = package.read(rels_name) if package.has(rels_name) else None
    comments_part, vml_part, rels = _note_parts(edits, part, rels, sheet)
    comments = Comments(package.read(comments_part) if package.has(comments_part) else None)
    comments.strip({cell: row[3] not in (None, "") for cell, row in earlier.items()})
    threaded = _threaded_cells(package, part)
    before = {}
    for cell, findings in sorted(marks.items()):
        if (text := comments.text_of(cell)) is not None:
            before[cell] = text
        if cell in threaded:
            continue  # NOTE: Excel shows the conversation, not the note: the Exceptions sheet says it
        # NOTE: a list, each severity's heading looked up: 0.3 µs a note, not 0.6 (a first
        # check of the heavy register writes 24,500 notes)
        comments.add(cell, "\n".join([f"{_HEADINGS[f.severity]} {f.rule}: {f.message}"
                                       for f in findings]))
    edits.parts[comments_part] = comments.pieces
    sizes = {cell: _note_height(note) for cell in comments.comments
             if (note := comments.note_text(cell)) is not None}
    existing_vml = package.read(vml_part) if package.has(vml_part) else None
    blocks = used_blocks(existing_vml) if existing_vml is not None else set()
    block = min(blocks) if blocks else edits.new_vml_block()
    # NOTE: both made when the package is written, each in pieces, one part at a time
    edits.parts[vml_part] = functools.partial(vml_drawing, existing_vml, set(comments.comments),
                                              block, sizes)
    if rels is not None:
        edits.parts[rels_name] = rels
    return before


def _threaded_cells(package: Package, part: str) -> set[tuple[int, int]]:
    """Cells holding a threaded comment (Excel 365's conversations), left as they are."""
    cells = set()
    for relationship in package.relationships(part):
        if relationship.type.endswith("/threadedComment") and package.has(relationship.target):
            refs = re.findall(rb'<threadedComment\b[^>]*?\sref="([A-Z]+\d+)"',
                              package.read(relationship.target))
            cells |= {_position(ref.decode()) for ref in refs}
    return cells


def header_format(styles: Styles) -> int:
    """The cell format of headers sheetsync writes: bold on grey."""
    return styles.cell_format(0, fill=styles.fill(HEADER_COLOUR), font=styles.font(bold=True))


def _derived(sheet: SheetEdits, annotations: SheetAnnotations, styles: Styles,
             name: str) -> list[list[Any]]:
    ledger: list[list[Any]] = []
    for address, value in annotations.filled.items():
        sheet.cell(*_position(address)).value = value
        ledger.append(["filled", name, address, None, None, value])
    header_style = header_format(styles)
    date_style = None
    colour_styles: dict[str, int] = {}
    column = annotations.after_column
    for added in annotations.added:
        column += 1
        header = sheet.cell(annotations.header_row, column)
        header.value, header.style = added.header, header_style
        for row, value in added.values.items():
            edit = sheet.cell(row, column)
            edit.value = value
            if row in added.colours:
                colour = added.colours[row]
                if colour not in colour_styles:
                    colour_styles[colour] = styles.cell_format(0, fill=styles.fill(colour))
                edit.style = colour_styles[colour]
            elif isinstance(value, (dt.date, dt.datetime)):
                date_style = date_style or styles.cell_format(0, number_format=_DATE_FORMAT)
                edit.style = date_style
        sheet.widths[column] = max(12, min(30, len(added.header) + 2))
        ledger.append(["column", name, column, None, None, added.header])
    return ledger


def _note_parts(edits: PackageEdits, part: str, rels: bytes | None,
                sheet: SheetEdits) -> tuple[str, str, bytes | None]:
    """The sheet's comments part and legacy drawing, new ones related where it has none."""
    package = edits.package
    relationships = {r.id: r for r in package.relationships(part)}
    comments = next((r.target for r in relationships.values() if r.type == COMMENTS_TYPE), None)
    vml = None
    if any(r.type == VML_TYPE for r in relationships.values()):
        drawing_id = _legacy_drawing_id(package.stream(part))
        if drawing_id in relationships:
            vml = relationships[drawing_id].target
    if comments is None:
        comments = edits.new_part("xl/comments{}.xml", COMMENTS_CONTENT_TYPE)
        rels, _ = add_relationship(rels, COMMENTS_TYPE, relative_target(part, comments))
    if vml is None:
        vml = edits.new_part("xl/drawings/vmlDrawing{}.vml", VML_CONTENT_TYPE)
        rels, rel_id = add_relationship(rels, VML_TYPE, relative_target(part, vml))
        sheet.legacy_drawing = rel_id
    return comments, vml, rels


def _legacy_drawing_id(chunks: Iterator[bytes]) -> str | None:
    """The relationship id of the sheet's <legacyDrawing> (notes and form controls), if any."""
    pattern = re.compile(rb'<legacyDrawing\s[^>]*?(?:\w+:)?id="([^"]*)"')
    carried = b""
    for chunk in chunks:
        text = carried + chunk
        if (found := pattern.search(text)) is not None:
            return found.group(1).decode()
        carried = text[-512:]
    return None


def _note_height(text: str) -> int:
    return min(300, 30 + 12 * (text.count("\n") + len(text) // 45))


def _restored_style(styles: Styles, current: int | None, ledger_row: list[Any]) -> int | None:
    """The format a cell marked by an earlier run had: exactly the one it had when its format
    is still the mark laid on that one, else its format now with its own fill put back (a
    spreadsheet application may renumber formats, and the officer may have changed some)."""
    original = None if ledger_row[7] in (None, "", NO_STYLE) else int(ledger_row[7])
    if current is None:
        return original
    if styles.variant(original or 0, fill=styles.fill_of(current)) == styles.cell_format_xml(current):
        return original  # NOTE: the mark laid on the cell's own format, as this writer left it
    fill = styles.fill_from_xml(str(ledger_row[8] or "").encode())
    return styles.cell_format(current, fill=fill)


def _position(address: Any) -> tuple[int, int]:
    column, row = coordinate_from_string(str(address))
    return row, column_index_from_string(column)
