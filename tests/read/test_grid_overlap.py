"""A large sheet is scanned for formulas on a thread while calamine parses it: the grid read
that way must be the one read a step at a time, a sheet too large for a dense grid must still
never reach calamine, and the scan, reading 64 KB at a time, must find what it finds whole."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import RISK_HEADER, risk_row, write_openpyxl
from hypothesis import given
from hypothesis import strategies as st

import sheetsync.read.grid as grid_module
from sheetsync.demo import write_demo_workbooks
from sheetsync.errors import WorkbookUnreadable
from sheetsync.read.sheetscan import scan_sheet, sheet_area
from sheetsync.read.workbook import read_workbook


def _read(path: Path) -> list[tuple]:
    package, grid = read_workbook(path)
    with package:
        return [(s.title, s.rows, s.merged, s.formulas, s.cached, s.cleared) for s in grid.sheets]


def _with_formulas(wb) -> None:
    ws = wb["Risks"]
    for row in range(2, ws.max_row + 1):
        ws[f"F{row}"] = f"=D{row}*E{row}"
    ws["K2"] = "=SUM(F2:F9)"
    ws.merge_cells("H12:I13")


def test_every_sheet_reads_the_same_on_a_thread_as_alone(tmp_path, monkeypatch) -> None:
    books = write_demo_workbooks(tmp_path / "demo")
    books.append(write_openpyxl(tmp_path / "formulas.xlsx", {
        "Risks": [RISK_HEADER] + [risk_row(f"R{n}", 1 + n % 5, 1 + n % 3) for n in range(1, 40)],
        "Notes": [["a note"]]}, _with_formulas))
    monkeypatch.setattr(grid_module, "OVERLAP_BYTES", 1 << 40)
    alone = [_read(path) for path in books]
    monkeypatch.setattr(grid_module, "OVERLAP_BYTES", 0)  # every sheet on the thread
    assert [_read(path) for path in books] == alone
    assert any(sheet[3] for book in alone for sheet in book)  # (formulas were read)


class _Broken(Exception):
    pass


class _RefusingBook:
    """calamine's workbook, but a sheet cannot be parsed."""

    def __init__(self, real) -> None:
        self.real = real

    def get_sheet_by_name(self, name):
        raise _Broken(f"calamine: {name}")

    def close(self) -> None:
        self.real.close()


def _calamine_refuses(monkeypatch) -> None:
    real_module = grid_module.python_calamine
    monkeypatch.setattr(grid_module, "python_calamine", SimpleNamespace(
        CalamineWorkbook=SimpleNamespace(
            from_path=lambda p: _RefusingBook(real_module.CalamineWorkbook.from_path(p)))))


def test_a_stray_cell_far_out_never_reaches_calamine_on_the_threaded_path(tmp_path, monkeypatch) -> None:
    def stray(wb):
        wb["Risks"]["XFD1048576"] = "x"

    path = write_openpyxl(tmp_path / "far.xlsx", {"Risks": [RISK_HEADER, risk_row()]}, stray)
    scanned: list[str] = []
    real = grid_module._scan_apart

    def scan_apart(package, part):
        scanned.append(part)
        return real(package, part)

    _calamine_refuses(monkeypatch)  # (asked for the sheet, it would fail the read)
    monkeypatch.setattr(grid_module, "OVERLAP_BYTES", 0)
    monkeypatch.setattr(grid_module, "_scan_apart", scan_apart)
    [(title, rows, *_rest)] = _read(path)
    assert scanned == ["xl/worksheets/sheet1.xml"]  # (the threaded path was taken)
    assert rows[1][:3] == ["R1", "Budget gap not closed", "Head of Finance"]


_CELL = st.tuples(st.integers(1, 2000), st.integers(1, 16384))


@given(cells=st.lists(_CELL, min_size=1, max_size=30, unique=True),
       cuts=st.lists(st.integers(0, 5000), max_size=6))
def test_the_quick_area_pass_finds_the_scans_area(cells, cuts) -> None:
    from openpyxl.utils import get_column_letter

    by_row: dict[int, list[int]] = {}
    for row, col in sorted(cells):
        by_row.setdefault(row, []).append(col)
    xml = b"<worksheet><sheetData>" + b"".join(
        b'<row r="%d">' % row + b"".join(
            b'<c r="%s%d"><v>1</v></c>' % (get_column_letter(col).encode(), row) for col in cols)
        + b"</row>" for row, cols in by_row.items()) + b"</sheetData></worksheet>"
    bounds = sorted({min(c, len(xml)) for c in cuts})
    pieces = [xml[a:b] for a, b in zip([0, *bounds], [*bounds, len(xml)], strict=True)]
    assert sheet_area(iter(pieces)) == scan_sheet(iter(pieces)).area
    assert scan_sheet(iter(pieces)).area == max(cells)[0] * max(26, max(c for _r, c in cells))


@pytest.mark.parametrize("size", [0, 1 << 40])
def test_a_sheet_calamine_cannot_parse_is_unreadable_on_either_path(tmp_path, monkeypatch,
                                                                    size) -> None:
    path = write_openpyxl(tmp_path / "ok.xlsx", {"Risks": [RISK_HEADER, risk_row()]})
    _calamine_refuses(monkeypatch)
    monkeypatch.setattr(grid_module, "OVERLAP_BYTES", size)
    with pytest.raises(WorkbookUnreadable,
                       match=r"cannot be read as an Excel workbook \(_Broken: calamine: Risks\)"):
        _read(path)


@pytest.mark.parametrize("calamine", ["parses", "fails too"])
@pytest.mark.parametrize("size", [0, 1 << 40])
def test_a_scan_that_fails_on_the_thread_is_the_error_given(tmp_path, monkeypatch, size,
                                                            calamine) -> None:
    """The scan's error is the one a reader sees, on the thread as when it came first."""
    path = write_openpyxl(tmp_path / "ok.xlsx", {"Risks": [RISK_HEADER, risk_row()]})

    def scan_fails(chunks):
        list(chunks)
        raise _Broken("scan")

    monkeypatch.setattr(grid_module, "scan_sheet", scan_fails)
    monkeypatch.setattr(grid_module, "OVERLAP_BYTES", size)
    if calamine == "fails too":
        _calamine_refuses(monkeypatch)
    with pytest.raises(WorkbookUnreadable, match=r"\(_Broken: scan\)"):
        _read(path)


_FORMULAS = st.sampled_from([
    '<c r="{c}{r}"><f>D{r}*E{r}</f><v>6</v></c>',
    '<c r="{c}{r}" s="2"><f t="shared" ref="{c}{r}:{c}{n}" si="0">D{r}*E{r}</f><v>4</v></c>',
    '<c r="{c}{r}"><f t="shared" si="0"/><v>4</v></c>',
    '<c r="{c}{r}" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
    '<c r="{c}{r}" t="e"><v>#REF!</v></c>',
    '<c r="{c}{r}" t="s"><v>3</v></c>',
    '<c r="{c}{r}"><f>IF(A{r}&lt;&gt;"",1,0)</f><v>1</v></c>'])


@given(cells=st.lists(st.tuples(st.sampled_from(["F", "G", "AB"]), _FORMULAS), min_size=1,
                      max_size=25),
       cuts=st.lists(st.integers(0, 4000), max_size=8))
def test_the_scan_finds_the_same_cut_anywhere_as_whole(cells, cuts) -> None:
    rows = "".join(f'<row r="{r}">{cell.format(c=c, r=r, n=r + 3)}</row>'
                   for r, (c, cell) in enumerate(cells, start=2))
    xml = (f'<worksheet><sheetData>{rows}</sheetData><mergeCells count="1">'
           f'<mergeCell ref="A1:C1"/></mergeCells></worksheet>').encode()
    bounds = sorted({min(c, len(xml)) for c in cuts})
    pieces = [xml[a:b] for a, b in zip([0, *bounds], [*bounds, len(xml)], strict=True)]
    whole, cut = scan_sheet(iter([xml])), scan_sheet(iter(pieces))
    assert (cut.formulas, cut.errors, cut.merged, cut.area) == (
        whole.formulas, whole.errors, whole.merged, whole.area)
    assert whole.merged == [(1, 1, 1, 3)]
