"""Read a located register's rows as typed, with each value's cell and formula state.

Values come from openpyxl's full load (which is also what the annotated copy is written from);
for formula cells the value Excel last calculated comes from the package itself, and a formula
never calculated counts as unknown rather than blank, so it cannot cause a false finding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from openpyxl.cell.rich_text import CellRichText
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from .locate import Layout, normalise

#: A row after a blank row whose first cell says one of these starts a legend, not a risk.
STOP_WORDS = frozenset({"key", "definitions", "definition", "legend", "notes", "guidance",
                        "scoring", "risk matrix", "scoring matrix", "impact", "likelihood"})
BLANK_ROWS_END_TABLE = 3


@dataclass(slots=True)
class RawSheet:
    """The register's rows as typed: a frame of raw values indexed by Excel row number."""

    layout: Layout
    sheet: str
    raw: pd.DataFrame  #: Canonical columns, object dtype, values as typed (cached for formulas).
    formulas: dict[tuple[str, int], str] = field(default_factory=dict)  #: (column, row) -> formula
    #: Number formats of "measure" cells, where 0.97 shown as 97% matters.
    formats: dict[tuple[str, int], str] = field(default_factory=dict)
    uncalculated: set[tuple[str, int]] = field(default_factory=set)  #: formulas with no cached value


def read_register(ws: Worksheet, layout: Layout,
                  cached_values: Callable[[str], list[list[Any]] | None]) -> RawSheet:
    """Collect the register's data rows below ``layout.header_row``, ending at the table's end."""
    columns = list(layout.columns.values())
    max_col = max(ref.index for ref in columns)
    first_col = min(ref.index for ref in columns)
    records: list[list[Any]] = []
    index: list[int] = []
    formulas: dict[tuple[str, int], str] = {}
    formats: dict[tuple[str, int], str] = {}
    measured = {ref.name for ref in columns if layout.spec.columns[ref.name].type == "measure"}
    blank_run = 0
    for row_number, cells in enumerate(
        ws.iter_rows(min_row=layout.header_row + 1, max_row=ws.max_row, max_col=max_col),
        start=layout.header_row + 1,
    ):
        values = []
        typed = False
        for ref in columns:
            cell = cells[ref.index - 1]
            value = cell.value
            if cell.data_type == "f" or isinstance(value, ArrayFormula):
                formulas[(ref.name, row_number)] = value.text if isinstance(
                    value, ArrayFormula) else str(value)
                value = None
            elif isinstance(value, CellRichText):
                value = str(value)
            if value is not None and (not isinstance(value, str) or value.strip()):
                typed = True
                if ref.name in measured:
                    formats[(ref.name, row_number)] = cell.number_format
            values.append(value)
        if not typed:
            blank_run += 1
            if blank_run >= BLANK_ROWS_END_TABLE and records:
                break
            continue
        first = cells[first_col - 1].value
        if blank_run and records and isinstance(first, str) and normalise(first) in STOP_WORDS:
            break
        blank_run = 0
        records.append(values)
        index.append(row_number)
    raw = pd.DataFrame(records, index=pd.Index(index, name="row"),
                       columns=[ref.name for ref in columns], dtype=object)
    sheet = RawSheet(layout=layout, sheet=ws.title, raw=raw, formats=formats)
    _fill_cached_values(sheet, {k: v for k, v in formulas.items() if k[1] in raw.index},
                        cached_values)
    return sheet


def _fill_cached_values(sheet: RawSheet, formulas: dict[tuple[str, int], str],
                        cached_values: Callable[[str], list[list[Any]] | None]) -> None:
    sheet.formulas = formulas
    if not formulas:
        return
    grid = cached_values(sheet.sheet)
    for column, row in formulas:
        col = sheet.layout.columns[column].index
        value = None
        if grid is not None and row - 1 < len(grid) and col - 1 < len(grid[row - 1]):
            value = grid[row - 1][col - 1]
        if value is None or value == "":
            sheet.uncalculated.add((column, row))
        else:
            sheet.raw.at[row, column] = value
