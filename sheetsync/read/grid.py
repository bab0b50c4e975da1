"""Read every worksheet's cells fast: values from python-calamine, the rest from the sheet's XML.

openpyxl builds an object per cell and takes most of a run's time; calamine reads the same
values in a fraction of it. What calamine does not give is taken from the package directly:
which cells hold formulas (and their text), and - only when asked - a cell's number format.
Values are as typed: a formula cell holds its formula (``"=E7*F7"``, as openpyxl shows it) and
the value Excel last calculated is kept beside it, in ``cached``.
"""

from __future__ import annotations

import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import openpyxl
import python_calamine
from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from sheetsync.read.package import CELL_ADDRESS, Package, attribute, xml_text
from sheetsync.read.sheetscan import SheetScan, scan_sheet, sheet_area

LEDGER_SHEET = "_sheetsync"
#: Beyond this many cells (rows x columns) a sheet is read row by row, not as a dense grid.
MAX_DENSE_CELLS = 5_000_000
MAX_SPARSE_COLUMNS = 200  #: Columns read of such a sheet; registers are far narrower.
EMPTY_ROWS_END_SHEET = 1000  #: Empty rows after which the rest of such a sheet is not read.
#: A sheet whose XML is larger than this is scanned for formulas on a thread while calamine
#: parses it.
OVERLAP_BYTES = 1 << 20
_CELL_TAG = re.compile(rb"<(?:\w+:)?c\s[^>]*>")


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
    book = python_calamine.CalamineWorkbook.from_path(str(package.path))
    try:
        recalculated = _recalculated_on_load(package.read(package.workbook_part))
        ledger = _read_ledger(book, package)
        skipped = ledger.added_sheets() | {LEDGER_SHEET}
        sheets = []
        for entry in package.sheets:
            if not entry.is_worksheet or entry.part is None or entry.name in skipped:
                continue
            scan, sheet = _scanned(book, package, entry.name, entry.part)
            if sheet is None:
                rows, merged = _rows_one_by_one(package, entry.name, scan.last_col), scan.merged
            else:
                merged = [(a[0] + 1, a[1] + 1, b[0] + 1, b[1] + 1)
                          for a, b in sheet.merged_cell_ranges or []]
                rows = _typed_rows(sheet.to_python(skip_empty_area=False))
                del sheet  # NOTE: calamine's own copy of the cells, as large again as ours
            grid = SheetGrid(title=entry.name, part=entry.part, rows=rows, merged=merged,
                             _package=package)
            _put_formulas_and_errors(grid, scan, trust_cached=not recalculated)
            _take_off_ledger(grid, ledger)
            sheets.append(grid)
    finally:
        book.close()
    return WorkbookGrid(sheets=sheets, ledger=ledger, recalculated_on_load=recalculated)


def _scanned(book: Any, package: Package, name: str, part: str) -> tuple[SheetScan, Any]:
    """The sheet's scan, and calamine's sheet unless a dense grid of it would be too large.

    NOTE: a large sheet is scanned for formulas on a thread while calamine parses it here:
    calamine lets go of the GIL for much of its parse, so the two overlap (a quarter of a
    50,000-row register's reading: 0.76 -> 0.58 s). Its area is made sure of first, by a quick pass, as
    calamine cannot be stopped once it has started a grid. calamine stays on this thread:
    what it allocated on another stayed in that thread's malloc arena, apart from what Python
    allocates later here (up to 20 MB more at the heavy register's peak).
    """
    if package.size(part) <= OVERLAP_BYTES:
        scan = scan_sheet(package.stream(part))
        return scan, book.get_sheet_by_name(name) if scan.area <= MAX_DENSE_CELLS else None
    with ThreadPoolExecutor(max_workers=1) as scanner:
        scanning = scanner.submit(_scan_apart, package, part)
        try:
            dense = sheet_area(package.stream(part)) <= MAX_DENSE_CELLS
            sheet = book.get_sheet_by_name(name) if dense else None
        except BaseException:
            scanning.result()  # NOTE: the scan's error, if it has one, as when it came first
            raise
        scan = scanning.result()
    return scan, sheet


def _scan_apart(package: Package, part: str) -> SheetScan:
    """``scan_sheet`` through a file handle of its own (it runs on a thread).

    NOTE: read 64 KB at a time: a thread's larger buffers come from an arena of its own,
    which keeps what it has grown to (a 4 MB read cost 5-10 MB at the register's peak)."""
    with zipfile.ZipFile(package.path) as archive, archive.open(part) as xml:
        return scan_sheet(iter(lambda: xml.read(1 << 16), b""))


def _typed_rows(rows: list[list[Any]]) -> list[list[Any]]:
    """calamine's rows with blanks as None and whole numbers as int, as openpyxl reads them."""
    # NOTE: in place: a second grid would double the memory. A float's type is asked first:
    # comparing a number with "" asks both types before it is found unequal
    for number, row in enumerate(rows):
        rows[number] = [(int(v) if v.is_integer() else v) if type(v) is float else
                        None if v == "" else v for v in row]
    return rows


def _rows_one_by_one(package: Package, name: str, last_col: int) -> list[list[Any]]:
    """A sheet too large for a dense grid (usually one stray cell far out): its rows read one
    at a time by openpyxl, as far as the cells go before a long empty stretch."""
    book = openpyxl.load_workbook(package.path, read_only=True, data_only=True)
    try:
        ws = book[name]
        rows: list[list[Any]] = []
        empty_run = 0
        for values in ws.iter_rows(max_col=min(last_col, MAX_SPARSE_COLUMNS), values_only=True):
            rows.append(list(values))
            empty_run = 0 if any(v is not None for v in values) else empty_run + 1
            if empty_run >= EMPTY_ROWS_END_SHEET:
                break
    finally:
        book.close()
    del rows[len(rows) - empty_run:]
    return _typed_rows(rows)


def _put_formulas_and_errors(grid: SheetGrid, scan: SheetScan, trust_cached: bool) -> None:
    """Error values into their cells; each formula's text into its cell, the value Excel last
    calculated moved to ``cached`` (unless the workbook asks to be recalculated on load)."""
    for (row, col), text in scan.errors.items():
        _put(grid, row, col, text)
    rows, cached = grid.rows, grid.cached
    for (row, col), text in scan.formulas.items():
        # NOTE: a formula's cell is almost always in the grid: read and written in place
        cells = rows[row - 1] if row <= len(rows) else None
        if cells is None or col > len(cells):
            _put(grid, row, col, text)
            continue
        if trust_cached and (value := cells[col - 1]) is not None:
            cached[(row, col)] = value
        cells[col - 1] = text
    grid.formulas = scan.formulas


def _put(grid: SheetGrid, row: int, col: int, value: Any) -> None:
    while len(grid.rows) < row:
        grid.rows.append([])
    cells = grid.rows[row - 1]
    cells.extend([None] * (col - len(cells)))
    cells[col - 1] = value


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
    rows = _typed_rows(book.get_sheet_by_name(LEDGER_SHEET).to_python(skip_empty_area=False))
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
        address = CELL_ADDRESS.search(tag.group(0))
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
