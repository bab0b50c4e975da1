"""The XML of a sheet sheetsync adds (Exceptions, Summary, the ledger): a plain table.

Text is written inline (never as a formula, never into the shared strings), the header row
is frozen and filtered, and cells may link to a place in the workbook.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from sheetsync.read.package import MAIN_NS, REL_NS, xml_attr
from sheetsync.write.celltails import CellTails, TextTails
from sheetsync.write.cellvalue import inline_text, value_xml


@dataclass(slots=True)
class Table:
    """Rows of values (a header first) and how to show them."""

    rows: list[list[Any]]
    widths: tuple[float, ...] = ()
    styles: dict[tuple[int, int], int] = field(default_factory=dict)  #: (row, col) 1-based -> s
    links: dict[tuple[int, int], str] = field(default_factory=dict)  #: (row, col) -> "'Sheet'!A1"
    header: bool = True  #: Freeze and filter the first row.


def table_pieces(table: Table) -> Iterator[bytes]:
    """The table's sheet XML in pieces, a row at a time (a patching writer streams them: the
    Exceptions sheet of a first check is tens of megabytes)."""
    width = max((len(r) for r in table.rows), default=1)
    last = f"{get_column_letter(width)}{max(len(table.rows), 1)}"
    pieces = [b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="',
              MAIN_NS.encode(), b'" xmlns:r="', REL_NS.encode(), b'">',
              b'<dimension ref="A1:' + last.encode() + b'"/>']
    if table.header:
        pieces.append(b'<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" '
                      b'topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                      b'<selection pane="bottomLeft"/></sheetView></sheetViews>')
    else:
        pieces.append(b'<sheetViews><sheetView workbookViewId="0"/></sheetViews>')
    pieces.append(b'<sheetFormatPr defaultRowHeight="15"/>')
    if table.widths:
        pieces.append(b"<cols>" + b"".join(
            b'<col min="%d" max="%d" width="%.2f" customWidth="1"/>' % (n, n, w)
            for n, w in enumerate(table.widths, start=1)) + b"</cols>")
    pieces.append(b"<sheetData>")
    yield b"".join(pieces)
    # NOTE: one pass, each column's letter and each distinct (value, style)'s cell made once:
    # the Exceptions sheet of a first check can have tens of thousands of rows.
    letters = [get_column_letter(col).encode() for col in range(1, width + 1)]
    starts = [b'<c r="' + column for column in letters]
    tails, text = CellTails(_cell_tail), _TEXT_TAILS
    # NOTE: each row's formats as a list beside its values, not a (row, column) key per cell
    unstyled: list[int | None] = [None] * width
    styled: dict[int, list[int | None]] = {}
    for (row, col), format_index in table.styles.items():
        if col <= width:  # (a format beyond every row's values has no cell to go on)
            styled.setdefault(row, unstyled.copy())[col - 1] = format_index
    for number, values in enumerate(table.rows, start=1):
        suffix = b"%d" % number
        cells = [b'<row r="' + suffix + b'">']  # NOTE: joined per row: far fewer objects held
        append = cells.append
        # (strict=False: a row may be shorter than the widest)
        for start, value, style in zip(starts, values, styled.get(number, unstyled), strict=False):
            if type(value) is str:  # NOTE: most cells; kept from table to table, in _TEXT_TAILS
                append(start + suffix + text[style, value])
            elif value is not None or style is not None:
                append(start + suffix + tails.get(style, value))
        append(b"</row>")
        yield b"".join(cells)
    pieces = [b"</sheetData>"]
    if table.header and len(table.rows) > 0:
        pieces.append(b'<autoFilter ref="A1:' + last.encode() + b'"/>')
    if table.links:
        rows = table.rows
        pieces.append(b"<hyperlinks>" + b"".join([
            b'<hyperlink ref="%s%d" location="%s" display="%s"/>' % (
                letters[col - 1], row, xml_attr(location).encode("utf-8"),
                xml_attr(str(rows[row - 1][col - 1])).encode("utf-8"))
            for (row, col), location in sorted(table.links.items())]) + b"</hyperlinks>")
    pieces.append(b'<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
                  b'footer="0.3"/></worksheet>')
    yield b"".join(pieces)


def _cell_tail(style: int | None, value: Any) -> bytes:
    """A cell element after its reference's letters and row number."""
    kind, inner = value_xml(value)
    return (b'"' + (b' s="%d"' % style if style else b"") + (b' t="' + kind + b'"' if kind else b"")
            + (b">" + inner + b"</c>" if inner else b"/>"))


def _text_tail(style: int | None, text: str) -> bytes:
    """``_cell_tail`` of a text: the same bytes, without asking what kind of value it is.

    NOTE: an Exceptions sheet's cell addresses, refs and messages are mostly made once each:
    0.35 µs for a message, not 0.66 (the heavy register's copy makes some 100,000).
    """
    return ((b'" s="%d"' % style if style else b'"') + b' t="inlineStr">' + inline_text(text)
            + b"</c>")


#: Text cells, kept from table to table: the added sheets of a run's workbooks repeat their
#: sheet names, rules, messages and headers.
_TEXT_TAILS = TextTails(_text_tail)
