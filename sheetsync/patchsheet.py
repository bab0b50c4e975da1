"""The patching writer's work on one annotated sheet: take the earlier run's marks off, mark
this run's cells, fill in derived values, add derived columns, and write the notes."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from .annotate import SheetAnnotations
from .findings import Finding, Severity
from .grid import Ledger
from .notes import Comments, used_blocks, vml_drawing
from .package import REL_TYPE, Package, SheetEntry, relative_target, rels_part
from .sheetxml import SheetEdits, cell_styles, patch_sheet
from .stylesxml import Styles
from .workbookxml import VML_CONTENT_TYPE, WorkbookEdits, add_relationship

COMMENTS_TYPE = REL_TYPE + "comments"
VML_TYPE = REL_TYPE + "vmlDrawing"
COMMENTS_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
NO_STYLE = "none"  #: Ledger value for a marked cell that had no format of its own.
_HEADER_FILL = "D9D9D9"
_DATE_FORMAT = 14  #: Excel's built-in short date.


@dataclass(slots=True)
class SheetPatch:
    """What the writer knows about one sheet before patching it."""

    entry: SheetEntry
    marks: dict[str, list[Finding]]  #: A1 -> findings on that cell.
    annotations: SheetAnnotations | None
    ledger: Ledger
    cleared: set[tuple[int, int]]  #: Cells an earlier run filled in, to blank again.


@dataclass(slots=True)
class PatchedSheet:
    parts: dict[str, bytes | list[bytes]] = field(default_factory=dict)
    content_types: dict[str, str] = field(default_factory=dict)
    ledger: list[list[Any]] = field(default_factory=list)


def patch_one_sheet(package: Package, patch: SheetPatch, styles: Styles,
                    mark_fills: dict[Severity, int], edits: WorkbookEdits) -> PatchedSheet:
    name, part = patch.entry.name, patch.entry.part
    xml = package.read(part)
    result = PatchedSheet()
    sheet = SheetEdits()
    earlier = {_position(r[2]): r for r in patch.ledger.entries("mark", name)}
    marks = {_position(address): findings for address, findings in patch.marks.items()}
    own_styles = cell_styles(xml, set(marks) | set(earlier))
    originals = {cell: own_styles.get(cell) for cell in marks}
    for cell, row in earlier.items():
        restored = _restored_style(styles, own_styles.get(cell), row)
        sheet.cell(*cell).style = originals[cell] = restored
    for cell in patch.cleared:
        sheet.cell(*cell).value = None
    sheet.drop_columns = {int(r[2]) for r in patch.ledger.entries("column", name)}

    for cell, findings in marks.items():
        worst = max(f.severity for f in findings)
        sheet.cell(*cell).style = styles.cell_format(originals[cell] or 0, fill=mark_fills[worst])
    if patch.annotations is not None:
        result.ledger += _derived(sheet, patch.annotations, styles, name)

    if marks or earlier:
        rels_name = rels_part(part)
        rels = package.read(rels_name) if package.has(rels_name) else None
        comments_part, vml_part, rels = _note_parts(package, part, xml, rels, edits, sheet, result)
        comments = Comments(package.read(comments_part) if package.has(comments_part) else None)
        comments.strip(set(earlier))
        for cell, findings in sorted(marks.items()):
            before = comments.text_of(cell)
            result.ledger.append(["mark", name, findings[0].cell, before[0] if before else None,
                                  before[1] if before else None, None, None,
                                  NO_STYLE if originals[cell] is None else originals[cell],
                                  styles.fill_xml(styles.fill_of(originals[cell] or 0)).decode()])
            text = "\n".join(f"{f.severity.label.upper()} {f.rule}: {f.message}" for f in findings)
            comments.add(cell, text)
        result.parts[comments_part] = comments.xml()
        sizes = {cell: _note_height(comments.text_of(cell)[0]) for cell in comments.comments}
        existing_vml = package.read(vml_part) if package.has(vml_part) else None
        blocks = used_blocks(existing_vml) if existing_vml is not None else set()
        block = min(blocks) if blocks else edits.new_vml_block(package)
        result.parts[vml_part] = vml_drawing(existing_vml, set(comments.comments), block, sizes)
        if rels is not None:
            result.parts[rels_name] = rels
    if not sheet.is_empty():
        result.parts[part] = patch_sheet(xml, sheet)
    return result


def _derived(sheet: SheetEdits, annotations: SheetAnnotations, styles: Styles,
             name: str) -> list[list[Any]]:
    ledger: list[list[Any]] = []
    for address, value in annotations.filled.items():
        sheet.cell(*_position(address)).value = value
        ledger.append(["filled", name, address, None, None, value])
    header_style = styles.cell_format(0, fill=styles.fill(_HEADER_FILL), font=styles.font(bold=True))
    date_style = None
    column = annotations.after_column
    for added in annotations.added:
        column += 1
        header = sheet.cell(annotations.header_row, column)
        header.value, header.style = added.header, header_style
        for row, value in added.values.items():
            edit = sheet.cell(row, column)
            edit.value = value
            if row in added.colours:
                edit.style = styles.cell_format(0, fill=styles.fill(added.colours[row]))
            elif isinstance(value, (dt.date, dt.datetime)):
                date_style = date_style or styles.cell_format(0, number_format=_DATE_FORMAT)
                edit.style = date_style
        sheet.widths[column] = max(12, min(30, len(added.header) + 2))
        ledger.append(["column", name, column, None, None, added.header])
    return ledger


def _note_parts(package: Package, part: str, xml: bytes, rels: bytes | None,
                edits: WorkbookEdits, sheet: SheetEdits,
                result: PatchedSheet) -> tuple[str, str, bytes | None]:
    """The sheet's comments part and legacy drawing, new ones related where it has none."""
    relationships = {r.id: r for r in package.relationships(part)}
    comments = next((r.target for r in relationships.values() if r.type == COMMENTS_TYPE), None)
    drawing_id = re.search(rb'<legacyDrawing\s[^>]*?(?:\w+:)?id="([^"]*)"', xml)
    vml = None
    if drawing_id and drawing_id.group(1).decode() in relationships:
        vml = relationships[drawing_id.group(1).decode()].target
    if comments is None:
        comments = edits.new_part(package, "xl/comments{}.xml")
        rels, _ = add_relationship(rels, COMMENTS_TYPE, relative_target(part, comments))
        result.content_types[comments] = COMMENTS_CONTENT_TYPE
    if vml is None:
        vml = edits.new_part(package, "xl/drawings/vmlDrawing{}.vml")
        rels, rel_id = add_relationship(rels, VML_TYPE, relative_target(part, vml))
        result.content_types[vml] = VML_CONTENT_TYPE
        sheet.legacy_drawing = rel_id
    return comments, vml, rels


def _note_height(text: str) -> int:
    return min(300, 30 + 12 * (text.count("\n") + len(text) // 45))


def _restored_style(styles: Styles, current: int | None, ledger_row: list[Any]) -> int | None:
    """The format a cell marked by an earlier run had: exactly the one it had when its format
    is still the mark laid on that one, else its format now with its own fill put back (a
    spreadsheet application may renumber formats, and the officer may have changed some)."""
    original = None if ledger_row[7] in (None, "", NO_STYLE) else int(ledger_row[7])
    if current is None:
        return original
    if original is not None and styles.variant(
            original, fill=styles.fill_of(current)) == styles.cell_format_xml(current):
        return original
    fill = styles.fill_from_xml(str(ledger_row[8] or "").encode())
    return styles.cell_format(current, fill=fill)


def _position(address: Any) -> tuple[int, int]:
    column, row = coordinate_from_string(str(address))
    return row, column_index_from_string(column)
