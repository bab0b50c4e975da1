"""One pass over a sheet's XML for what python-calamine does not give: formulas, error values,
and how far the cells reach (calamine makes a dense grid of the whole area, so one stray cell
at XFD1048576 would ask it for half a terabyte)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from openpyxl.formula.translate import Translator
from openpyxl.utils.cell import column_index_from_string, range_boundaries

from sheetsync.read.package import CELL_ADDRESS, attribute, column_number, xml_text

#: A formula element (Excel writes no namespace prefix in sheet XML; one that does is read
#: without its formulas, their results standing in for them).
_FORMULA = re.compile(rb"<f(?=[\s/>])([^>]*?)(/?)>")
_FORMULA_START = re.compile(rb"<f(?=[\s/>])")  #: Where ``_FORMULA`` may match.
#: A cell with a plain formula, as Excel writes most (<c r="F7" s="2"><f>D7*E7</f>): its
#: address and the formula's text. NOTE: possessive (*+), as nothing given back could match:
#: a cell without a formula fails at once, not after giving back its tag a character at a time
_PLAIN_FORMULA = re.compile(rb'<c r="([A-Z]++)(\d++)"[^<>]*+><f>([^<]*+)</f>')
#: An error value (#REF!, #N/A) typed or calculated; calamine reads these as blank.
_ERROR_CELL = re.compile(rb'<c\s([^>]*?\st="e"[^>]*)>(?:<f\b[^>]*?(?:/>|>[^<]*</f>))?<v>([^<]*)</v>')
_LAST_ROW = re.compile(rb'<row\b[^>]*?\sr="(\d+)"')
_MERGED = re.compile(rb'<mergeCell\s[^>]*?ref="([A-Z]+\d+:[A-Z]+\d+)"')
_WIDE_CELL = re.compile(rb'<c r="([A-Z]{2,3})\d')  #: A cell past column Z.


@dataclass(slots=True)
class SheetScan:
    """What one pass over a sheet's XML found; cells are (row, col), 1-based."""

    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  #: -> "=E7*F7"
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  #: -> "#REF!"
    last_row: int = 0
    last_col: int = 26  #: At least Z: single-letter columns are not looked for.
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  #: (r1, c1, r2, c2)

    @property
    def area(self) -> int:
        """How many cells a dense grid of the sheet would hold."""
        return self.last_row * self.last_col


def scan_sheet(chunks: Iterator[bytes]) -> SheetScan:
    scan = SheetScan()
    shared: dict[bytes, tuple[str, Translator]] = {}  # si -> (formula, its translator)
    for piece in _whole_cells(chunks):
        _errors(scan, piece)
        _formulas(scan, piece, shared)
        _reach(scan, piece)
        if b"<mergeCell " in piece:
            scan.merged += [_range(ref) for ref in _MERGED.findall(piece)]
    return scan


def sheet_area(chunks: Iterator[bytes]) -> int:
    """The ``area`` ``scan_sheet`` would find, by a pass that looks for nothing else (a tenth
    of the work): enough to know whether calamine may be asked for the sheet yet."""
    scan = SheetScan()
    for piece in _whole_cells(chunks):
        _reach(scan, piece)
    return scan.area


def _reach(scan: SheetScan, piece: bytes) -> None:
    """How far the cells of ``piece`` go: its last row, and any column past Z."""
    if (last := _LAST_ROW.match(piece, max(piece.rfind(b"<row "), 0))) is not None:
        scan.last_row = max(scan.last_row, int(last.group(1)))
    if found := set(_WIDE_CELL.findall(piece)):
        widest = max(column_index_from_string(c.decode()) for c in found)
        scan.last_col = max(scan.last_col, widest)


def _range(ref: bytes) -> tuple[int, int, int, int]:
    min_col, min_row, max_col, max_row = range_boundaries(ref.decode())
    if min_col is None or min_row is None or max_col is None or max_row is None:
        # NOTE: cannot happen: _MERGED takes only refs with both corners ("B2:D3")
        raise ValueError(f"a merged range without both corners: {ref.decode()}")
    return min_row, min_col, max_row, max_col


def _whole_cells(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The sheet XML in pieces that end after a cell's ``</c>``: a cell with a formula or a
    value is never split between two pieces."""
    carried = b""
    for chunk in chunks:
        text = carried + chunk
        cut = text.rfind(b"</c>")
        if cut < 0:
            carried = text
            continue
        yield text[:cut + 4]
        carried = text[cut + 4:]
    if carried:
        yield carried


def _found(xml: bytes, needle: bytes) -> Iterator[int]:
    """Where ``needle`` occurs: a plain search runs far faster than a regex over every tag."""
    position = xml.find(needle)
    while position >= 0:
        yield position
        position = xml.find(needle, position + 1)


def _errors(scan: SheetScan, xml: bytes) -> None:
    for position in _found(xml, b' t="e"'):
        found = _ERROR_CELL.match(xml, max(xml.rfind(b"<c ", 0, position), 0))
        if found is None or found.end(1) < position:
            continue
        address = CELL_ADDRESS.search(b" " + found.group(1))
        if address is not None:
            cell = (int(address.group(2)), column_index_from_string(address.group(1).decode()))
            scan.errors[cell] = xml_text(found.group(2))


def _formulas(scan: SheetScan, xml: bytes, shared: dict[bytes, tuple[str, Translator]]) -> None:
    formulas = scan.formulas
    # NOTE: when every formula of the piece is a plain one (each holds one of the places
    # _FORMULA may match, so as many means all), they are read by one regex, with their
    # cells' addresses, rather than each looked back from in Python (the same formulas)
    plain = _PLAIN_FORMULA.findall(xml)
    if len(plain) == len(_FORMULA_START.findall(xml)):
        for letters, digits, text in plain:
            if text:
                formulas[(int(digits), column_number(letters))] = "=" + xml_text(text)
        return
    # NOTE: every formula element found by one regex scan (a match at each "<f" found by a
    # plain search, in Python, was most of the scan); no "<" can sit inside a start tag
    for found in _FORMULA.finditer(xml):
        position = found.start()
        start = xml.rfind(b"<c ", 0, position)
        address = CELL_ADDRESS.search(xml, start, position) if start >= 0 else None
        if address is None:
            continue
        letters, digits = address.groups()
        attrs, empty = found.groups()
        end = found.end()
        text = "" if empty else xml_text(xml[end:xml.find(b"</", end)])
        # NOTE: most formulas are plain <f>: their attributes are not looked for
        if attrs and attribute(attrs, b"t") == b"shared" and (index := attribute(attrs, b"si")) is not None:
            origin = letters.decode() + digits.decode()
            if text:
                shared[index] = (text, Translator("=" + text, origin=origin))
            elif index in shared:
                text = _translate(*shared[index], origin)
        if text:
            formulas[(int(digits), column_number(letters))] = "=" + text


def _translate(formula: str, translator: Translator, destination: str) -> str:
    """A shared formula as it reads in ``destination`` (one translator per shared formula:
    making one parses the formula, a tenth of the work for each of its cells)."""
    try:
        return translator.translate_formula(destination)[1:]
    except Exception:  # noqa: BLE001  (an untranslatable formula is still a formula)
        return formula
