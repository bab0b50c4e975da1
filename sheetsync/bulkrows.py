"""Data rows written as sheet XML in one pass, for the summary's data sheets.

xlsxwriter spends about 5 microseconds on each cell it is given; a summary of 200 registers has
a quarter of a million data cells, which made it the slowest part of a weekly run. xlsxwriter
still writes everything else (the header row, the table over the rows, widths, print set-up);
the rows themselves are made here as plain text and put into the sheet part it wrote.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import operator
import posixpath
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .package import xml_escaped

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MAX_TEXT = 32767  #: Excel's limit on the characters in a cell (xlsxwriter cuts there too).


def column_letters(count: int) -> list[bytes]:
    letters = []
    for number in range(1, count + 1):
        name = ""
        while number:
            number, remainder = divmod(number - 1, 26)
            name = chr(65 + remainder) + name
        letters.append(name.encode())
    return letters


def rows_xml(records: Sequence[dict[str, Any]], columns: Sequence[str], first_row: int,
             date_style: int) -> bytes:
    """``<row>`` elements for ``records`` from sheet row ``first_row`` (1-based) on.

    As the summary's ``write_value``: text as text (never a formula), numbers as numbers, ISO
    dates as dates in ``date_style``, yes/no for booleans, nothing for None or "".
    """
    letters = column_letters(len(columns))
    every = operator.itemgetter(*columns) if len(columns) > 1 else None
    tails: dict[tuple[type, Any], bytes] = {}  # NOTE: a register repeats its owners, ratings...
    pieces: list[bytes] = []
    append = pieces.append
    for number, record in enumerate(records, start=first_row):
        try:
            values = every(record) if every is not None else (record[columns[0]],)
        except KeyError:
            values = tuple(record.get(name) for name in columns)
        append(b'<row r="%d">' % number)
        suffix = b"%d" % number
        for letter, value in zip(letters, values, strict=True):
            if value is None or value == "":
                continue
            key = (type(value), value)
            tail = tails.get(key)
            if tail is None:
                tail = tails[key] = _cell_tail(value, date_style)
            append(b'<c r="' + letter + suffix + tail)
        append(b"</row>")
    return b"".join(pieces)


def _cell_tail(value: Any, date_style: int) -> bytes:
    """The rest of a ``<c>`` element after its reference."""
    if isinstance(value, str):
        if len(value) == 10 and _ISO_DATE.fullmatch(value):
            with_date = _date_serial(value)
            if with_date is not None:
                return b'" s="%d"><v>%d</v></c>' % (date_style, with_date)
        return (b'" t="inlineStr"><is><t xml:space="preserve">' + xml_escaped(value[:_MAX_TEXT])
                + b"</t></is></c>")
    if isinstance(value, bool):
        return b'" t="inlineStr"><is><t>' + (b"Yes" if value else b"No") + b"</t></is></c>"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return b'" t="e"><v>#NUM!</v></c>'
        return b'"><v>' + repr(value).encode() + b"</v></c>"
    return _cell_tail(str(value), date_style)


def _date_serial(text: str) -> int | None:
    try:
        return (dt.date.fromisoformat(text) - _EXCEL_EPOCH).days
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class BulkRows:
    """Rows for one sheet part, and the range the sheet then covers (its table's too)."""

    rows: bytes
    ref: str  #: e.g. "A1:K20001"


def splice_rows(package: bytes, sheets: dict[str, BulkRows], destination: Any) -> None:
    """Copy the ``package`` xlsxwriter wrote to ``destination`` with rows added to sheets.

    Each named sheet part gets its rows after the rows already in it (the header row); its
    dimension and the table on it are widened to the new range. (xlsxwriter is given a table
    of one data row: over the whole range, it would spend a quarter of a second checking every
    cell for overlaps.)
    """
    with zipfile.ZipFile(io.BytesIO(package)) as source, \
            zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        tables = {table: bulk.ref for part, bulk in sheets.items()
                  for table in _table_parts(source, part)}
        for info in source.infolist():
            data = source.read(info)
            if info.filename in sheets:
                bulk = sheets[info.filename]
                data = _with_ref(_with_rows(data, bulk.rows), b"dimension", bulk.ref)
            elif info.filename in tables:
                data = _with_ref(_with_ref(data, b"table", tables[info.filename]), b"autoFilter",
                                 tables[info.filename])
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)


def _table_parts(package: zipfile.ZipFile, sheet_part: str) -> list[str]:
    folder, name = posixpath.split(sheet_part)
    try:
        rels = package.read(f"{folder}/_rels/{name}.rels")
    except KeyError:
        return []
    return [posixpath.normpath(posixpath.join(folder, target.decode()))
            for target in re.findall(rb'Target="([^"]*tables/[^"]*)"', rels)]


def _with_ref(xml: bytes, element: bytes, ref: str) -> bytes:
    """The first ``<element ... ref="...">`` given ``ref``."""
    return re.sub(rb"(<" + element + rb'\b[^>]*?\sref=")[^"]*(")',
                  lambda m: m.group(1) + ref.encode() + m.group(2), xml, count=1)


def _with_rows(sheet: bytes, rows: bytes) -> bytes:
    if b"</sheetData>" in sheet:
        end = sheet.rindex(b"</sheetData>")
        return sheet[:end] + rows + sheet[end:]
    return sheet.replace(b"<sheetData/>", b"<sheetData>" + rows + b"</sheetData>", 1)
