"""Table rows written as sheet XML in one pass, for the summary's long tables, the exceptions
workbook and the owner lists.

xlsxwriter spends about 5 microseconds on each cell it is given; a summary of 200 registers has
a quarter of a million data cells, which made it the slowest part of a weekly run, and the
exceptions of a first check of a 50,000-row register took 5 seconds. xlsxwriter still writes
everything else (headers, tables, formats, widths, print set-up); the rows of the long tables
(and their links) are made here as plain text and put into the sheet parts it wrote.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import operator
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name, xl_range

from sheetsync.files import deflated, in_chunks
from sheetsync.read.package import xml_attr, xml_escaped

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MAX_TEXT = 32767  #: Excel's limit on the characters in a cell (xlsxwriter cuts there too).


@dataclass(frozen=True, slots=True)
class BulkRows:
    """Rows for one sheet, where they start, the range they cover, and whether the table on
    the sheet should be widened to cover them (xlsxwriter was given a one-row table: over the
    whole range it would spend a quarter of a second checking every cell for overlaps)."""

    rows: list[bytes]  #: The ``<row>`` elements, in pieces (written as they are, never joined).
    first_row: int  #: 1-based
    ref: str  #: e.g. "A2:K20001"
    widens_table: bool = False
    #: Links to other files: (cell, relationship target, location in it), in row order.
    links: tuple[tuple[str, str, str], ...] = ()


def record_values(records: Iterable[dict[str, Any]], columns: Sequence[str]) -> Iterator[tuple]:
    """Each record's values in ``columns`` order (None where a record lacks one)."""
    every = operator.itemgetter(*columns)
    for record in records:
        try:
            values = every(record)
        except KeyError:
            values = tuple(record.get(name) for name in columns)
        yield values if len(columns) > 1 else (values,)


def bulk_rows(rows: Iterable[Sequence[Any]], first_row: int, width: int, date_style: int,
              style: Callable[[int, Any], int | None] | None = None,
              widens_table: bool = False) -> BulkRows:
    """``<row>`` elements for ``rows`` of values from sheet row ``first_row`` (1-based) on.

    Text as text (never a formula), numbers as numbers, ISO dates as dates in
    ``date_style``, yes/no for booleans, NaN as #NUM!; a blank is left out unless
    ``style(col, value)`` gives it a format (a border). Dates keep ``date_style`` whatever
    ``style`` says. ``style`` is asked once for each column and value: it must always give
    the same format for them.
    """
    letters = [xl_col_to_name(col).encode() for col in range(width)]
    if style is None:  # (a data sheet's rows: no formats but dates')
        return _data_rows(rows, first_row, letters, date_style, widens_table)
    # NOTE: each cell is made once for its column and value (registers repeat their words),
    # with _ROW for its row number, put in for the whole row at once: no asking ``style``
    # again, and no joining each cell's three pieces (the summary's rows 0.21 -> 0.15 s).
    # Made a row at a time: ``style`` is asked in the order the cells come.
    starts = [b'<c r="' + letter + _ROW for letter in letters]
    made: dict[tuple[int, type, Any], bytes] = {}
    columns = range(width)
    pieces: list[bytes] = []
    append = pieces.append
    number = first_row - 1
    for number, values in enumerate(rows, start=first_row):
        cells = [_ROW_OPEN]  # NOTE: joined per row: far fewer objects held
        for col, value in zip(columns, values, strict=False):
            key = (col, type(value), value)
            cell = made.get(key)
            if cell is None:
                fmt = style(col, value)
                cell = made[key] = (b"" if fmt is None and (value is None or value == "")
                                    else starts[col] + _cell_tail(value, fmt, date_style))
            cells.append(cell)
        cells.append(b"</row>")
        append(b"".join(cells).replace(_ROW, b"%d" % number))
    return BulkRows(pieces, first_row, _ref(first_row, letters, number), widens_table)


def _data_rows(rows: Iterable[Sequence[Any]], first_row: int, letters: list[bytes],
               date_style: int, widens_table: bool) -> BulkRows:
    """``bulk_rows`` without ``style``, made a column at a time as ``plain_rows`` are (a
    summary's data sheet of 20,000 records 77 -> 65 ms); a short row is made as long as the
    others with blanks."""
    rows = list(rows)
    cells: list[list[bytes]] = []
    for letter, values in zip(letters, itertools.zip_longest(*rows), strict=False):
        start = b'<c r="' + letter + _ROW
        made: dict[tuple[type, Any], bytes] = {}
        get = made.get

        def cell(value: Any, start: bytes = start, made: dict[tuple[type, Any], bytes] = made,
                 ) -> bytes:
            made[type(value), value] = text = (b"" if value == "" else
                                               start + _cell_tail(value, None, date_style))
            return text
        cells.append([b"" if v is None else get((type(v), v)) or cell(v) for v in values])
    return BulkRows(_joined(cells, len(rows), first_row), first_row,
                    _ref(first_row, letters, first_row + len(rows) - 1), widens_table)


def _ref(first_row: int, letters: list[bytes], last_row: int) -> str:
    """The rows' range, from column A of ``first_row`` (one row at least)."""
    last_letter = letters[-1].decode() if letters else "A"
    return f"A{first_row}:{last_letter}{max(last_row, first_row)}"


#: Where a cell's row number goes: a character no cell's text can hold (``xml_escaped``).
_ROW = b"\x00"
_ROW_OPEN = b'<row r="' + _ROW + b'">'


def _cell_tail(value: Any, fmt: int | None, date_style: int) -> bytes:
    """The rest of a ``<c>`` element after its reference."""
    styled = b'" s="%d"' % fmt if fmt else b'"'
    if value is None or value == "":
        return styled + b"/>"
    if isinstance(value, str):
        if len(value) == 10 and _ISO_DATE.fullmatch(value):
            serial = _date_serial(value)
            if serial is not None:
                return b'" s="%d"><v>%d</v></c>' % (date_style, serial)
        return (styled + b' t="inlineStr"><is><t xml:space="preserve">'
                + xml_escaped(value[:_MAX_TEXT]) + b"</t></is></c>")
    if isinstance(value, bool):
        return styled + b' t="inlineStr"><is><t>' + (b"Yes" if value else b"No") + b"</t></is></c>"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return styled + b' t="e"><v>#NUM!</v></c>'
        return styled + b"><v>" + repr(value).encode() + b"</v></c>"
    return _cell_tail(str(value), fmt, date_style)


def plain_rows(rows: Iterable[Sequence[Any]], first_row: int, width: int) -> BulkRows:
    """``<row>`` elements for values written as they are, as xlsxwriter's ``write_string`` and
    ``write_number`` would: text always as text (an ISO date or "=SUM(A1)" stays text, anything
    else that is not a number is written as its text), numbers as numbers, None left out.
    A short row is made as long as the others with blanks (None).
    """
    rows = list(rows)
    columns = list(itertools.zip_longest(*rows))[:width]
    return _plain_columns(columns, len(rows), first_row, width, {}, (), False)


def plain_columns(columns: Sequence[Sequence[Any]], first_row: int,
                  formats: dict[int, list[int | None]],
                  links: tuple[tuple[str, str, str], ...] = (),
                  widens_table: bool = False) -> BulkRows:
    """``plain_rows``' rows of ``columns`` of values, all as long, where ``formats`` gives
    each row's format (or None) for some of the columns (by position)."""
    count = len(columns[0]) if columns else 0
    return _plain_columns(columns, count, first_row, len(columns), formats, links, widens_table)


def _plain_columns(columns: Sequence[Sequence[Any]], count: int, first_row: int, width: int,
                   formats: dict[int, list[int | None]], links: tuple[tuple[str, str, str], ...],
                   widens_table: bool) -> BulkRows:
    """``count`` rows of ``columns`` (``width`` wide), as ``plain_columns`` makes them.

    NOTE: made a column at a time, each column's cells by one comprehension (a cell made once
    for each value and format), then each row joined: a loop over every cell took half as
    long again for the owner lists, and twice as long for the exceptions workbook. A blank
    without a format is left out, as a missing cell would be.
    """
    letters = [xl_col_to_name(col).encode() for col in range(width)]
    cells: list[list[bytes]] = []
    for col, (letter, values) in enumerate(zip(letters, columns, strict=False)):
        start = b'<c r="' + letter + _ROW
        made: dict[tuple[type, Any, int | None], bytes] = {}  # (a column's own: smaller keys)
        get = made.get

        def cell(value: Any, fmt: int | None, start: bytes = start,
                 made: dict[tuple[type, Any, int | None], bytes] = made) -> bytes:
            made[type(value), value, fmt] = text = start + _plain_tail(value, fmt)
            return text
        column_formats = formats.get(col) or itertools.repeat(None)
        cells.append([b"" if v is None and f is None else get((type(v), v, f)) or cell(v, f)
                      for v, f in zip(values, column_formats, strict=False)])
    return BulkRows(_joined(cells, count, first_row), first_row,
                    _ref(first_row, letters, first_row + count - 1), widens_table, links)


def _joined(cells: list[list[bytes]], count: int, first_row: int) -> list[bytes]:
    """``count`` rows of columns of ``cells``, each row's joined with its number put in."""
    cells = [column for column in cells if any(column)]  # (a column of blanks adds nothing)
    rows = zip(*cells, strict=True) if cells else itertools.repeat((), count)
    return [b"".join((_ROW_OPEN, *row, b"</row>")).replace(_ROW, b"%d" % number)
            for number, row in enumerate(rows, start=first_row)]


def _plain_tail(value: Any, fmt: int | None) -> bytes:
    styled = b'" s="%d"' % fmt if fmt else b'"'
    if type(value) is not str:  # (most cells' values are: they skip these questions)
        if value is None:
            return styled + b"/>"
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(value, float) and not math.isfinite(value):
                return (styled + b' t="e"><v>' + (b"#NUM!" if value != value else b"#DIV/0!")
                        + b"</v></c>")
            return styled + b"><v>" + repr(value).encode() + b"</v></c>"
        value = str(value)
    return b'%s t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>' % (
        styled, xml_escaped(value[:_MAX_TEXT]))


def _date_serial(text: str) -> int | None:
    try:
        return (dt.date.fromisoformat(text) - _EXCEL_EPOCH).days
    except ValueError:
        return None


def splice_rows(package: bytes, sheets: dict[str, list[BulkRows]], destination: Any) -> None:
    """Copy the ``package`` xlsxwriter wrote to ``destination`` with rows added to sheets.

    Each fragment goes in row order among the rows already in its sheet part; the sheet's
    dimension grows to cover it, and so does the sheet's table where the fragment says so.
    A sheet with rows added is written in pieces, as it is put together.
    """
    with zipfile.ZipFile(io.BytesIO(package)) as source, \
            zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        tables = {table: [b.ref for b in fragments if b.widens_table]
                  for part, fragments in sheets.items() for table in _table_parts(source, part)}
        relationships = {_rels_part(part): [link for b in fragments for link in b.links]
                         for part, fragments in sheets.items()}
        relationships = {part: links for part, links in relationships.items() if links}
        first_ids = {part: _next_id(source, part) for part in relationships}
        for info in source.infolist():
            data = source.read(info)
            if info.filename in sheets:
                rels = _rels_part(info.filename)
                links = (relationships[rels], first_ids[rels]) if rels in relationships else None
                _write_pieces(target, info, _with_rows(data, sheets[info.filename], links))
                continue
            if info.filename in relationships:
                data = _with_relationships(data, relationships[info.filename],
                                           first_ids[info.filename])
            elif tables.get(info.filename):
                for ref in tables[info.filename]:
                    data = _widened(_widened(data, b"table", ref), b"autoFilter", ref)
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)


def _write_pieces(target: zipfile.ZipFile, info: zipfile.ZipInfo, pieces: list[bytes]) -> None:
    with target.open(deflated(info), "w") as stream:
        for chunk in in_chunks(pieces):
            stream.write(chunk)


def _rels_part(sheet_part: str) -> str:
    folder, name = posixpath.split(sheet_part)
    return f"{folder}/_rels/{name}.rels"


def _next_id(package: zipfile.ZipFile, rels_part: str) -> int:
    """The first relationship number free in ``rels_part`` (which must exist: the sheets
    given links carry a table)."""
    return 1 + max((int(n) for n in re.findall(rb'Id="rId(\d+)"', package.read(rels_part))),
                   default=0)


_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


# NOTE: links' elements are made as text and encoded once: joining bytes a piece at a time
# took half as long again over a first check's 24,500 links.
def _with_relationships(rels: bytes, links: list[tuple[str, str, str]], first_id: int) -> bytes:
    added = "".join(f'<Relationship Id="rId{number}" Type="{_HYPERLINK}" '
                    f'Target="{xml_attr(target)}" TargetMode="External"/>'
                    for number, (_cell, target, _location) in enumerate(links, start=first_id))
    return rels.replace(b"</Relationships>", added.encode("utf-8") + b"</Relationships>", 1)


def _with_links(sheet: bytes, links: list[tuple[str, str, str]], first_id: int) -> bytes:
    """``<hyperlinks>`` (one per link, each with its own relationship) in schema order: after
    the rows and before the page set-up (xlsxwriter writes none of the elements between)."""
    hyperlinks = "".join(
        f'<hyperlink ref="{cell}" r:id="rId{number}"'
        + (f' location="{xml_attr(location)}"' if location else "") + "/>"
        for number, (cell, _target, location) in enumerate(links, start=first_id))
    element = ("<hyperlinks>" + hyperlinks + "</hyperlinks>").encode("utf-8")
    for follower in (b"<printOptions", b"<pageMargins", b"<pageSetup", b"<tableParts"):
        position = sheet.find(follower)
        if position >= 0:
            return sheet[:position] + element + sheet[position:]
    return sheet.replace(b"</worksheet>", element + b"</worksheet>", 1)


def _table_parts(package: zipfile.ZipFile, sheet_part: str) -> list[str]:
    folder, name = posixpath.split(sheet_part)
    try:
        rels = package.read(f"{folder}/_rels/{name}.rels")
    except KeyError:
        return []
    return [posixpath.normpath(posixpath.join(folder, target.decode()))
            for target in re.findall(rb'Target="([^"]*tables/[^"]*)"', rels)]


def _widened(xml: bytes, element: bytes, ref: str) -> bytes:
    """The first ``<element ... ref="...">`` with its range grown to take in ``ref``."""
    return re.sub(rb"(<" + element + rb'\b[^>]*?\sref=")([^"]*)(")',
                  lambda m: m.group(1) + _union(m.group(2).decode(), ref).encode() + m.group(3),
                  xml, count=1)


def _union(first: str, second: str) -> str:
    """The smallest range holding both ("A1:K2" and "A2:K900" give "A1:K900")."""
    boxes = [_box(first), _box(second)]
    return xl_range(min(b[0] for b in boxes), min(b[1] for b in boxes),
                    max(b[2] for b in boxes), max(b[3] for b in boxes))


def _box(ref: str) -> tuple[int, int, int, int]:
    """(first row, first col, last row, last col), 0-based, of "B2:D9" or "B2"."""
    start, _, end = ref.partition(":")
    return (*xl_cell_to_rowcol(start), *xl_cell_to_rowcol(end or start))


_ROW_START = re.compile(rb'<row r="(\d+)"')


def _with_rows(sheet: bytes, fragments: list[BulkRows],
               links: tuple[list[tuple[str, str, str]], int] | None) -> list[bytes]:
    """The sheet in pieces, each fragment's rows put before the first row of ``sheet`` below
    it, its dimension grown to cover them, and ``links`` (with the first relationship number)
    added after the rows."""
    for fragment in fragments:
        sheet = _widened(sheet, b"dimension", fragment.ref)
    if b"</sheetData>" not in sheet:
        sheet = sheet.replace(b"<sheetData/>", b"<sheetData></sheetData>", 1)
    start = sheet.find(b"<sheetData>")
    end = sheet.rindex(b"</sheetData>")
    rows = [(int(found.group(1)), found.start())
            for found in _ROW_START.finditer(sheet, start, end)]
    places = sorted((next((at for number, at in rows if number > fragment.first_row), end),
                     fragment.first_row, index) for index, fragment in enumerate(fragments))
    pieces: list[bytes] = []
    done = 0
    for at, _first, index in places:
        pieces.append(sheet[done:at])
        pieces += fragments[index].rows
        done = at
    tail = sheet[done:]
    pieces.append(tail if links is None else _with_links(tail, *links))
    return pieces
