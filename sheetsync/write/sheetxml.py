"""Patch one worksheet part row by row: restyle, fill, clear or add cells; leave the rest as is.

The sheet XML is never parsed into a tree. Rows nobody touches are copied as written; a row
with edits is split into its cells, which are copied too except the ones edited. Added cells
go in column order, added rows in row order, as Excel requires.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from sheetsync.read.package import (
    CELL_ADDRESS,
    REL_NS,
    column_number,
    set_attribute,
)
from sheetsync.write.celltails import CellTails, TextTails
from sheetsync.write.cellvalue import KEEP, value_xml
from sheetsync.write.sheetframe import (
    SheetUnsupported,
    finish_tail,
    with_dimension,
    with_namespace,
    with_widths,
)

_SPANS = re.compile(rb'\sspans="[^"]*"')
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
_CELL = re.compile(rb"<c\b[^>]*?(?:/>|>.*?</c>)", re.DOTALL)
_STYLE = re.compile(rb'\ss="([^"]*)"')  #: A cell's format attribute (as ``attribute`` finds it).


@dataclass(slots=True)
class CellEdit:
    #: New ``s`` (None: no attribute), KEEP, or a function of the cell's ``s`` now giving it.
    style: Any = KEEP
    value: Any = KEEP  #: New value (None: cleared), or KEEP.


@dataclass(slots=True)
class SheetEdits:
    """What to change on one sheet; cells keyed by (row, col), 1-based."""

    cells: dict[tuple[int, int], CellEdit] = field(default_factory=dict)
    drop_columns: set[int] = field(default_factory=set)  #: Cells in these columns are removed.
    widths: dict[int, float] = field(default_factory=dict)  #: Column -> width, where none is set.
    legacy_drawing: str | None = None  #: r:id of a legacy drawing to refer to, if not yet.

    def cell(self, row: int, col: int) -> CellEdit:
        return self.cells.setdefault((row, col), CellEdit())

    def is_empty(self) -> bool:
        return not (self.cells or self.drop_columns or self.widths or self.legacy_drawing)


def patch_sheet(chunks: Iterable[bytes], edits: SheetEdits) -> Iterator[bytes]:
    """The sheet part, read as ``chunks``, with ``edits`` made: pieces to write one by one.

    Never more than a chunk and one row of the sheet is held: rows are patched as they pass.
    """
    source = iter(chunks)
    buffer = b""
    while (start := buffer.find(b"<sheetData")) < 0 or buffer.find(b">", start) < 0:
        chunk = next(source, None)
        if chunk is None:
            raise SheetUnsupported("no <sheetData> (namespace prefixes or an unusual writer)")
        buffer += chunk
    open_end = buffer.index(b">", start) + 1
    head = with_dimension(with_widths(buffer[:start], edits.widths), edits.cells)
    prefix = b"r"
    if edits.legacy_drawing:
        head, prefix = with_namespace(head, b"worksheet", REL_NS.encode(), b"r")
    rows = _RowPatcher(edits)
    if buffer[open_end - 2:open_end] == b"/>":  # <sheetData/>: no rows at all
        yield head + b"<sheetData>"
        yield from rows.remaining()
        tail = buffer[open_end:] + b"".join(source)
        yield b"</sheetData>" + finish_tail(tail, edits.legacy_drawing, prefix)
        return
    yield head + buffer[start:open_end]
    buffer = buffer[open_end:]
    while True:
        end = buffer.find(b"</sheetData>")
        region = buffer if end < 0 else buffer[:end]
        done = 0
        for row in _whole_rows(region):
            yield from rows.before(region[done:row.start], row)
            done = row.end
        if end >= 0:
            yield region[done:]
            yield from rows.remaining()
            tail = buffer[end:] + b"".join(source)
            yield finish_tail(tail, edits.legacy_drawing, prefix)
            return
        buffer = region[done:]
        chunk = next(source, None)
        if chunk is None:
            raise SheetUnsupported("the sheet's XML ends before </sheetData>")
        buffer += chunk


class _RowPatcher:
    """Rows in, patched rows out; rows sheetsync adds go in before the first row after them."""

    def __init__(self, edits: SheetEdits) -> None:
        # NOTE: the edits in row order, taken a row at a time as the rows pass: grouped by
        # row up front, a first check's 50,000 rows of edits took 14 MiB more
        self.cells = edits.cells
        self.pending = sorted(edits.cells)
        self.next = 0  # NOTE: an index into pending: popping from the front of a list is quadratic
        self.every_row = bool(edits.drop_columns)
        self.drop_columns = edits.drop_columns

    def before(self, gap: bytes, row: _Row) -> list[bytes]:
        """What to write for the text before a row and the row itself.

        NOTE: a list, not a generator: one made per row of a large sheet cost more than the
        patching of most rows.
        """
        number = _row_number(row)
        pending = self.pending
        pieces = [gap] if gap else []
        # NOTE: the next edit's row read once a row (pending[self.next] was indexed four times)
        following = pending[self.next][0] if self.next < len(pending) else None
        while following is not None and following < number:
            pieces.append(_new_row(following, self._take(following)))
            following = pending[self.next][0] if self.next < len(pending) else None
        if following == number:
            edits = self._take(number)
        elif not self.every_row:
            pieces.append(row.text)
            return pieces
        else:
            edits = {}
        pieces.append(_patch_row(row, number, edits, self.drop_columns))
        return pieces

    def remaining(self) -> Iterator[bytes]:
        while self.next < len(self.pending):
            row = self.pending[self.next][0]
            yield _new_row(row, self._take(row))

    def _take(self, row: int) -> dict[int, CellEdit]:
        """The edits of ``row`` (the next in order), by column."""
        pending, cells = self.pending, self.cells
        taken = {}
        index, end = self.next, len(pending)
        while index < end and (key := pending[index])[0] == row:
            taken[key[1]] = cells[key]
            index += 1
        self.next = index
        return taken


@dataclass(slots=True)
class _Row:
    """One whole ``<row>`` element of a piece of sheet XML."""

    text: bytes
    attributes: bytes  #: What its start tag holds after ``<row`` (without a closing "/").
    empty: bool  #: ``<row .../>``
    start: int
    end: int


def _whole_rows(region: bytes) -> Iterator[_Row]:
    """The whole ``<row>`` elements of ``region``, in order, up to one it cuts off.

    NOTE: found with plain searches: a regex over 30 MB of rows took a quarter of a second.
    """
    position = region.find(b"<row")
    while position >= 0:
        after = region[position + 4:position + 5]
        if not after:
            return
        if after not in _AFTER_ROW_NAME:  # (another element, such as <rowBreaks>: not a row)
            position = region.find(b"<row", position + 4)
            continue
        tag_end = region.find(b">", position)
        if tag_end < 0:
            return
        if region[tag_end - 1:tag_end] == b"/":
            end, empty, attributes = tag_end + 1, True, region[position + 4:tag_end - 1]
        else:
            close = region.find(b"</row>", tag_end)
            if close < 0:
                return
            end, empty, attributes = close + 6, False, region[position + 4:tag_end]
        yield _Row(region[position:end], attributes, empty, position, end)
        position = region.find(b"<row", end)


_AFTER_ROW_NAME = frozenset({b" ", b">", b"/", b"\t", b"\n", b"\r"})


def _row_number(row: _Row) -> int:
    number = _ROW_NUMBER.search(row.attributes)
    if number is None:
        raise SheetUnsupported("a row without its number")
    return int(number.group(1))


def _cell_column(cell: bytes, at: int = 0) -> int:
    """The column of the cell whose XML starts at ``at`` of ``cell``."""
    found = _CELL_ADDRESS.match(cell, at)  # NOTE: its start tag's address, in one match
    if found is None:
        raise SheetUnsupported("a cell without its address")
    return column_number(found.group(1))


#: A cell's start tag up to its address attribute (``CELL_ADDRESS`` in the tag).
_CELL_ADDRESS = re.compile(rb'<[^>]*?' + CELL_ADDRESS.pattern)


def _letters(col: int) -> bytes:
    letters = _LETTERS.get(col)
    if letters is None:
        letters = _LETTERS[col] = get_column_letter(col).encode()
    return letters


#: Column numbers' letters, as met: a sheet has few columns and many rows.
_LETTERS: dict[int, bytes] = {}


def _patch_row(whole: _Row, number: int, edits: dict[int, CellEdit],
               drop_columns: set[int]) -> bytes:
    row = whole.text
    open_tag = b"<row" + whole.attributes + b">"
    # NOTE: spans is only a hint to readers; dropped rather than kept wrong.
    if b"spans=" in open_tag:
        open_tag = _SPANS.sub(b"", open_tag, count=1)
    if whole.empty:
        return open_tag + _new_cells(number, edits, sorted(edits)) + b"</row>"
    inner = row[len(whole.attributes) + 5:-6]
    # NOTE: a row's <extLst> is its last child: looked for only in a row that ends with one
    # (a search through every row's cells took a tenth of patching a large sheet)
    extension = (inner.find(b"<extLst") if inner.rstrip().endswith((b"</extLst>", b"<extLst/>"))
                 else -1)
    if drop_columns and extension < 0:
        inner = _without_trailing(inner, drop_columns)
    last_cell = inner.rfind(b"<c ")
    last_col = _cell_column(inner, last_cell) if last_cell >= 0 else 0
    if (not drop_columns or min(drop_columns) > last_col) and (not edits or min(edits) > last_col):
        # Cells added to the right of the row's own: its cells are copied as they are.
        end = extension if extension >= 0 else len(inner)
        added = _new_cells(number, edits, sorted(edits) if len(edits) > 1 else list(edits))
        return open_tag + inner[:end] + added + inner[end:] + b"</row>"
    if not drop_columns and extension < 0:
        patched = _patch_in_place(inner, number, edits, last_col)
        if patched is not None:
            return open_tag + patched + b"</row>"
    cells: list[tuple[int, bytes]] = []
    for cell in _CELL.finditer(inner):
        col = _cell_column(cell.group(0))
        if col in drop_columns:
            continue
        edit = edits.get(col)
        cells.append((col, _edit_cell(cell.group(0), edit) if edit else cell.group(0)))
    present = {col for col, _ in cells}
    cells += [(col, _new_cell(number, col, edit)) for col, edit in edits.items() if col not in present]
    cells.sort(key=lambda pair: pair[0])
    extension_list = re.search(rb"<extLst\b.*?</extLst>", inner, re.DOTALL)
    return (open_tag + b"".join(c for _, c in cells)
            + (extension_list.group(0) if extension_list else b"") + b"</row>")


def _patch_in_place(inner: bytes, number: int, edits: dict[int, CellEdit],
                    last_col: int) -> bytes | None:
    """The row's cells with each edited one rewritten where it stands, found by its address,
    and cells added after its last; None when a cell must go in among the others.

    NOTE: a first check of a register marks a cell in the middle of half its rows; finding
    that cell by its address, rather than reading every cell's, was most of writing the copy.
    """
    spans: list[tuple[int, int, CellEdit]] = []
    added = []
    suffix = b"%d" % number + b'"'  # NOTE: once a row, not once an edited cell
    for col, edit in edits.items():
        if col > last_col:
            added.append(col)
            continue
        found = inner.find(b' r="' + _letters(col) + suffix)
        start = inner.rfind(b"<c ", 0, found + 1) if found >= 0 else -1  # (its space is found's)
        if start < 0 or inner.find(b">", start, found) >= 0:
            return None
        close = inner.index(b">", found)
        end = close + 1 if inner[close - 1] == 47 else inner.find(b"</c>", close) + 4  # 47: "/"
        if end < 4:
            return None
        spans.append((start, end, edit))
    if len(spans) > 1:
        spans.sort(key=lambda span: span[0], reverse=True)
    for start, end, edit in spans:
        inner = inner[:start] + _edit_cell(inner[start:end], edit) + inner[end:]
    if len(added) > 1:
        added.sort()
    return inner + _new_cells(number, edits, added)


def _without_trailing(inner: bytes, drop_columns: set[int]) -> bytes:
    """The row's cells without those at its end that are in ``drop_columns`` (the columns an
    earlier run added sit there), found from the end without splitting the row."""
    while (last_cell := inner.rfind(b"<c ")) >= 0 and \
            _cell_column(inner, last_cell) in drop_columns:
        inner = inner[:last_cell]
    return inner


def _edit_cell(cell: bytes, edit: CellEdit) -> bytes:
    """The cell (``<c ...>`` to its end, as the patcher found it) with ``edit`` made."""
    close = cell.index(b">")  # (its start tag ends at its first ">", as start_tag finds it)
    if cell[close - 1] == 47:  # 47: "/", an empty cell
        open_tag, inner = cell[:close - 1] + b">", b""
    else:
        open_tag, inner = cell[:close + 1], cell[close + 1:-4]
    style = edit.style
    if style is not KEEP:
        # NOTE: its format attribute found once, to read and to set (``attribute`` and then
        # ``set_attribute`` searched the tag three times): a first check marks thousands
        found = _STYLE.search(open_tag)
        if callable(style):
            style = style(None if found is None else int(found.group(1)))
        written = b"" if style is None else b' s="' + str(style).encode() + b'"'
        if found is None:
            open_tag = open_tag[:-1] + written + b">"
        else:
            open_tag = open_tag[:found.start()] + written + open_tag[found.end():]
    if edit.value is not KEEP:
        open_tag = set_attribute(open_tag, b"t", None)
        kind, inner = value_xml(edit.value)
        if kind:
            open_tag = set_attribute(open_tag, b"t", kind)
    if not inner:
        return open_tag[:-1] + b"/>"
    return open_tag + inner + b"</c>"


def _new_cell(row: int, col: int, edit: CellEdit) -> bytes:
    style = edit.style(None) if callable(edit.style) else edit.style
    value = edit.value
    tail = _TEXT_TAILS[style, value] if type(value) is str else _TAILS.get(style, value)
    return b'<c r="' + _letters(col) + b"%d" % row + b'"' + tail


def _cell_tail(style: Any, value: Any) -> bytes:
    """A new cell after its address: its format, type and value."""
    style_attribute = b"" if style is KEEP or style is None else b' s="%d"' % style
    kind, inner = value_xml(value)
    kind_attribute = b' t="' + kind + b'"' if kind else b""
    if not inner:
        return style_attribute + b"/>"
    return style_attribute + kind_attribute + b">" + inner + b"</c>"


_TAILS = CellTails(_cell_tail)  #: Kept from workbook to workbook.
_TEXT_TAILS = TextTails(_cell_tail)  #: Those of text values (most), looked up by subscript.


def _new_cells(row: int, edits: dict[int, CellEdit], columns: list[int]) -> bytes:
    """New cells in ``columns`` (in order) of ``row``."""
    if len(columns) == 1:  # (most rows: one added column)
        return _new_cell(row, columns[0], edits[columns[0]])
    return b"".join([_new_cell(row, col, edits[col]) for col in columns])


def _new_row(number: int, edits: dict[int, CellEdit]) -> bytes:
    cells = _new_cells(number, edits, sorted(edits))
    return b'<row r="' + str(number).encode() + b'">' + cells + b"</row>"
