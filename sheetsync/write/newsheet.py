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
from sheetsync.write.celltails import CellTails
from sheetsync.write.sheetxml import value_xml


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
    starts = [b'<c r="' + get_column_letter(col).encode() for col in range(1, width + 1)]
    tails = CellTails(_cell_tail)
    # NOTE: each row's formats looked up once, not a (row, column) key made for every cell
    styled: dict[int, dict[int, int]] = {}
    for (row, col), format_index in table.styles.items():
        styled.setdefault(row, {})[col] = format_index
    for number, values in enumerate(table.rows, start=1):
        cells = [b'<row r="%d">' % number]  # NOTE: joined per row: far fewer objects held
        append = cells.append
        suffix = b"%d" % number
        row_styles = styled.get(number)
        for col, value in enumerate(values, start=1):
            style = row_styles.get(col) if row_styles else None
            if value is None and style is None:
                continue
            # NOTE: a text cell is kept from table to table, in _TEXT_TAILS
            tail = (_TEXT_TAILS if type(value) is str else tails).get(style, value)
            append(starts[col - 1] + suffix + tail)
        append(b"</row>")
        yield b"".join(cells)
    pieces = [b"</sheetData>"]
    if table.header and len(table.rows) > 0:
        pieces.append(b'<autoFilter ref="A1:' + last.encode() + b'"/>')
    if table.links:
        pieces.append(b"<hyperlinks>" + b"".join(
            b'<hyperlink ref="' + f"{get_column_letter(col)}{row}".encode() + b'" location="'
            + xml_attr(location).encode("utf-8") + b'" display="'
            + xml_attr(str(table.rows[row - 1][col - 1])).encode("utf-8") + b'"/>'
            for (row, col), location in sorted(table.links.items())) + b"</hyperlinks>")
    pieces.append(b'<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
                  b'footer="0.3"/></worksheet>')
    yield b"".join(pieces)


def _cell_tail(style: int | None, value: Any) -> bytes:
    """A cell element after its reference's letters and row number."""
    kind, inner = value_xml(value)
    return (b'"' + (b' s="%d"' % style if style else b"") + (b' t="' + kind + b'"' if kind else b"")
            + (b">" + inner + b"</c>" if inner else b"/>"))


#: Text cells, kept from table to table: the added sheets of a run's workbooks repeat their
#: sheet names, rules, messages and headers.
_TEXT_TAILS = CellTails(_cell_tail)
