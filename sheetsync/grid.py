"""Read every worksheet's cells fast: values from python-calamine, the rest from the sheet's XML.

openpyxl builds an object per cell and takes most of a run's time; calamine reads the same
values in a fraction of it. What calamine does not give is taken from the package directly:
which cells hold formulas (and their text), and - only when asked - a cell's number format.
Values are as typed: a formula cell holds its formula (``"=E7*F7"``, as openpyxl shows it) and
the value Excel last calculated is kept beside it, in ``cached``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from openpyxl.formula.translate import Translator
from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from .package import Package, attribute, xml_text

LEDGER_SHEET = "_sheetsync"
#: A formula element (Excel writes no namespace prefix in sheet XML; one that does is read
#: without its formulas, their results standing in for them).
_FORMULA = re.compile(rb"<f(?=[\s/>])([^>]*?)(/?)>")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c\s[^>]*>")
_ADDRESS = re.compile(rb'\sr="([A-Z]+)(\d+)"')
#: An error value (#REF!, #N/A) typed or calculated; calamine reads these as blank.
_ERROR_CELL = re.compile(rb'<c\s([^>]*?\st="e"[^>]*)>(?:<f\b[^>]*?(?:/>|>[^<]*</f>))?<v>([^<]*)</v>')


@dataclass(slots=True)
class SheetGrid:
    """One worksheet's cells, 1-based through ``value``; ``rows`` holds them 0-based."""

    title: str
    part: str
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]]  #: (min_row, min_col, max_row, max_col)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  #: (row, col) -> "=..."
    #: Values Excel last calculated for formula cells; empty when they cannot be trusted.
    cached: dict[tuple[int, int], Any] = field(default_factory=dict)
    cleared: set[tuple[int, int]] = field(default_factory=set)  #: Filled in by an earlier run.
    _formats: dict[tuple[int, int], str] | None = None
    _package: Package | None = None

    @property
    def max_row(self) -> int:
        return len(self.rows)

    def value(self, row: int, col: int) -> Any:
        if row > len(self.rows) or col > len(self.rows[row - 1]):
            return None
        return self.rows[row - 1][col - 1]

    def number_format(self, row: int, col: int) -> str:
        """The cell's number format ("0.00%"), read from the sheet's XML on first use."""
        if self._formats is None:
            self._formats = _number_formats(self._package, self.part) if self._package else {}
        return self._formats.get((row, col), "General")


@dataclass(slots=True)
class Ledger:
    """What an earlier sheetsync run added to this workbook (read from its ``_sheetsync`` sheet)."""

    rows: list[list[Any]] = field(default_factory=list)
    present: bool = False
    patchable: bool = True  #: False for ledgers written by the openpyxl writer (no style column).

    def added_sheets(self) -> set[str]:
        return {r[1] for r in self.rows if r[0] == "sheet"}

    def entries(self, kind: str, sheet: str) -> list[list[Any]]:
        return [r for r in self.rows if r[0] == kind and r[1] == sheet]


@dataclass(slots=True)
class WorkbookGrid:
    sheets: list[SheetGrid]
    ledger: Ledger
    recalculated_on_load: bool


def read_grid(package: Package) -> WorkbookGrid:
    """Every worksheet of ``package`` as typed, with an earlier run's additions taken off."""
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(package.path))
    try:
        recalculated = _recalculated_on_load(package.read(package.workbook_part))
        ledger = _read_ledger(book, package)
        skipped = ledger.added_sheets() | {LEDGER_SHEET}
        sheets = []
        for entry in package.sheets:
            if not entry.is_worksheet or entry.part is None or entry.name in skipped:
                continue
            sheet = book.get_sheet_by_name(entry.name)
            merged = [(a[0] + 1, a[1] + 1, b[0] + 1, b[1] + 1)
                      for a, b in sheet.merged_cell_ranges or []]
            grid = SheetGrid(title=entry.name, part=entry.part, rows=_typed_rows(sheet),
                             merged=merged, _package=package)
            del sheet  # NOTE: calamine's own copy of the cells, as large again as ours
            shared: dict[bytes, tuple[str, Translator]] = {}
            for piece in _whole_cells(package.stream(entry.part)):
                _read_errors(grid, piece)
                _read_formulas(grid, piece, not recalculated, shared)
            _take_off_ledger(grid, ledger)
            sheets.append(grid)
    finally:
        book.close()
    return WorkbookGrid(sheets=sheets, ledger=ledger, recalculated_on_load=recalculated)


def _typed_rows(sheet: Any) -> list[list[Any]]:
    """calamine's rows with blanks as None and whole numbers as int, as openpyxl reads them."""
    rows = sheet.to_python(skip_empty_area=False)
    for number, row in enumerate(rows):  # NOTE: in place: a second grid would double the memory
        rows[number] = [None if v == "" else int(v) if type(v) is float and v.is_integer() else v
                        for v in row]
    return rows


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


def _read_errors(grid: SheetGrid, xml: bytes) -> None:
    for position in _found(xml, b' t="e"'):
        found = _ERROR_CELL.match(xml, max(xml.rfind(b"<c ", 0, position), 0))
        if found is None or found.end(1) < position:
            continue
        address = _ADDRESS.search(b" " + found.group(1))
        if address is not None:
            row, col = int(address.group(2)), column_index_from_string(address.group(1).decode())
            _put(grid, row, col, xml_text(found.group(2)))


def _put(grid: SheetGrid, row: int, col: int, value: Any) -> list[Any]:
    while len(grid.rows) < row:
        grid.rows.append([])
    cells = grid.rows[row - 1]
    cells.extend([None] * (col - len(cells)))
    cells[col - 1] = value
    return cells


def _read_formulas(grid: SheetGrid, xml: bytes, trust_cached: bool,
                   shared: dict[bytes, tuple[str, Translator]]) -> None:
    """Put each formula's text in its cell and move the calculated value to ``cached``.

    ``shared`` holds each shared formula's text and translator (by its si), across pieces.
    """
    for position in _found(xml, b"<f"):
        found = _FORMULA.match(xml, position)
        if found is None:
            continue
        start = xml.rfind(b"<c ", 0, found.start())
        address = _ADDRESS.search(xml, start, found.start()) if start >= 0 else None
        if address is None:
            continue
        letters, digits = address.group(1).decode(), address.group(2).decode()
        attrs, empty = found.group(1), found.group(2)
        text = "" if empty else xml_text(xml[found.end():xml.find(b"</", found.end())])
        index = attribute(attrs, b"si")
        if attribute(attrs, b"t") == b"shared" and index is not None:
            if text:
                shared[index] = (text, Translator("=" + text, origin=letters + digits))
            elif index in shared:
                text = _translate(*shared[index], letters + digits)
        if not text:
            continue
        row, col = int(digits), column_index_from_string(letters)
        if trust_cached and (value := grid.value(row, col)) is not None:
            grid.cached[(row, col)] = value
        grid.formulas[(row, col)] = _put(grid, row, col, "=" + text)[col - 1]


def _translate(formula: str, translator: Translator, destination: str) -> str:
    """A shared formula as it reads in ``destination`` (one translator per shared formula:
    making one parses the formula, a tenth of the work for each of its cells)."""
    try:
        return translator.translate_formula(destination)[1:]
    except Exception:  # noqa: BLE001  (an untranslatable formula is still a formula)
        return formula


def _take_off_ledger(grid: SheetGrid, ledger: Ledger) -> None:
    """Blank what an earlier run filled in or added, so it is read as the officer left it."""
    for _kind, _sheet, address, *rest in ledger.entries("filled", grid.title):
        column, row = coordinate_from_string(str(address))
        col = column_index_from_string(column)
        if grid.value(row, col) == rest[2]:
            grid.rows[row - 1][col - 1] = None
            grid.cleared.add((row, col))
    for _kind, _sheet, index, *_rest in ledger.entries("column", grid.title):
        for cells in grid.rows:
            if int(index) <= len(cells):
                cells[int(index) - 1] = None


def _read_ledger(book: Any, package: Package) -> Ledger:
    entry = package.sheet(LEDGER_SHEET)
    if entry is None:
        return Ledger()
    rows = _typed_rows(book.get_sheet_by_name(LEDGER_SHEET))
    header = rows[0] if rows else []
    width = 9
    body = [(r + [None] * width)[:width] for r in rows[1:]]
    return Ledger(rows=body, present=True,
                  patchable=len(header) >= width and header[7] == "original style")


def _recalculated_on_load(workbook_xml: bytes) -> bool:
    """Tools that never calculate (xlsxwriter, openpyxl) ask Excel to recalculate on load and
    store 0 or nothing as each formula's result: those results are not to be trusted."""
    match = re.search(rb"<(?:\w+:)?calcPr\b[^>]*>", workbook_xml)
    return bool(match and re.search(rb'fullCalcOnLoad="(1|true)"', match.group(0)))


def _number_formats(package: Package, part: str) -> dict[tuple[int, int], str]:
    """Every styled cell's number format code, by (row, col)."""
    formats = _xf_formats(package)
    found = {}
    xml = package.read(part)
    for tag in _CELL_TAG.finditer(xml):
        style = attribute(tag.group(0), b"s")
        address = _ADDRESS.search(tag.group(0))
        if style is None or address is None or int(style) >= len(formats):
            continue
        found[(int(address.group(2)), column_index_from_string(address.group(1).decode()))] = \
            formats[int(style)]
    return found


def _xf_formats(package: Package) -> list[str]:
    """The number format code of each cell format (cellXfs), in order."""
    name = next((n for n in package.names if n.lower() == "xl/styles.xml"), None)
    if name is None:
        return []
    styles = package.read(name)
    codes = {int(attribute(tag, b"numFmtId") or 0): xml_text(attribute(tag, b"formatCode") or b"")
             for tag in re.findall(rb"<(?:\w+:)?numFmt\s[^>]*>", styles)}
    cell_xfs = re.search(rb"<(?:\w+:)?cellXfs\b.*?</(?:\w+:)?cellXfs>", styles, re.DOTALL)
    if cell_xfs is None:
        return []
    formats = []
    for tag in re.findall(rb"<(?:\w+:)?xf\b[^>]*>", cell_xfs.group(0)):
        number = int(attribute(tag, b"numFmtId") or 0)
        formats.append(codes.get(number) or BUILTIN_FORMATS.get(number, "General"))
    return formats
