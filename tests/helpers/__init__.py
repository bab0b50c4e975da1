"""Shared test helpers: builders for real workbooks (openpyxl and xlsxwriter) and a helper to run
sheetsync on them. Tests import them as ``from helpers import ...``."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from sheetsync.pipeline import validate_paths
from sheetsync.report.reports import write_reports
from sheetsync.results import RunResult, Settings

AS_OF = dt.date(2023, 3, 31)
SHARED = Path(__file__).resolve().parents[3] / "shared"
CORPUS = SHARED / "corpus" / "excel-made"

RISK_HEADER = ["Ref", "Risk description", "Risk owner", "Likelihood", "Impact", "Score", "Rating",
               "Review date"]


def risk_row(ref: str = "R1", likelihood: Any = 2, impact: Any = 3, score: Any = "auto",
             rating: Any = "auto", owner: Any = "Head of Finance",
             description: Any = "Budget gap not closed", review: Any = "01/03/2023") -> list[Any]:
    """A clean single-assessment risk row unless told otherwise (score and rating computed)."""
    if score == "auto":
        score = likelihood * impact if isinstance(likelihood, int) and isinstance(impact, int) else None
    if rating == "auto":
        rating = None
        if isinstance(score, int):
            rating = "Green" if score < 5 else "Amber" if score < 15 else "Red"
    return [ref, description, owner, likelihood, impact, score, rating, review]


def write_openpyxl(path: Path, sheets: dict[str, Sequence[Sequence[Any]]],
                   setup: Callable[[Any], None] | None = None) -> Path:
    """A workbook saved by openpyxl; each sheet's rows start at A1 (None leaves a cell empty)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    if setup is not None:
        setup(wb)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_xlsxwriter(path: Path, sheets: dict[str, Sequence[Sequence[Any]]],
                     setup: Callable[[Any, Any], None] | None = None) -> Path:
    """A workbook saved by xlsxwriter (shared strings, as Excel writes them)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime(value.year, value.month, value.day),
                                      date_format)
                elif isinstance(value, str) and value.startswith("="):
                    ws.write_formula(r, c, value)
                else:
                    ws.write(r, c, value)
        if setup is not None:
            setup(book, ws)
    book.close()
    return path


def run_sheetsync(inputs: list[Path], out: Path, as_of: dt.date = AS_OF,
                  config: Path | None = None, reports: bool = True) -> RunResult:
    run = validate_paths(inputs, out, Settings.load(as_of=as_of, config_file=config))
    if reports:
        write_reports(run)
    return run


def keys(run: RunResult, *, rules: bool = True) -> list[tuple[str, str | None, str | None]]:
    """Findings as sorted (rule, sheet, cell) tuples, the compact form tests compare."""
    return sorted(f.key() for f in run.findings)


def needs_corpus() -> pytest.MarkDecorator:
    return pytest.mark.skipif(not CORPUS.is_dir(),
                              reason=f"the Excel-made corpus is not here ({CORPUS})")


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def as_if_saved_by_excel(path: Path) -> Path:
    """Drop ``fullCalcOnLoad`` as Excel does once it has calculated, so cached results count."""
    import re
    import zipfile

    data = {}
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            data[name] = package.read(name)
    data["xl/workbook.xml"] = re.sub(rb'\s*fullCalcOnLoad="1"', b"", data["xl/workbook.xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in data.items():
            package.writestr(name, content)
    return path


def wrong_formula_register(folder: Path) -> Path:
    """A register saved as Excel leaves it: F2 a right score formula, F3 a wrong one (=D3+E3),
    each with the result Excel calculated."""
    rows = [["Ref", "Risk", "Owner", "Likelihood", "Impact", "Score"],
            ["R1", "Budget", "CFO", 4, 4, None], ["R2", "Cyber", "CIO", 3, 3, None]]

    def formulas(book, ws):
        ws.write_formula("F2", "=D2*E2", None, 16)
        ws.write_formula("F3", "=D3+E3", None, 6)

    return as_if_saved_by_excel(write_xlsxwriter(folder / "cached.xlsx", {"Risks": rows}, formulas))
