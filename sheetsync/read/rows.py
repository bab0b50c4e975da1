"""Read a located register's rows as typed, with each value's cell and formula state.

Values come from the sheet grid (``grid.py``); for formula cells the value Excel last
calculated is used, and a formula never calculated counts as unknown rather than blank, so it
cannot cause a false finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sheetsync.read.grid import SheetGrid
from sheetsync.read.locate import Layout
from sheetsync.settings.scales import Scoring
from sheetsync.settings.schemas import normalise

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
    #: The scales, bands and score method likelihood and impact are read and scored with.
    scoring: Scoring | None = None


def read_register(sheet: SheetGrid, layout: Layout) -> RawSheet:
    """Collect the register's data rows below ``layout.header_row``, ending at the table's end."""
    columns = list(layout.columns.values())
    positions = [ref.index - 1 for ref in columns]
    names = [ref.name for ref in columns]
    first_col = min(positions)
    records: list[list[Any]] = []
    index: list[int] = []
    formulas: dict[tuple[str, int], str] = {}
    measured = {ref.name for ref in columns if layout.spec.columns[ref.name].type == "measure"}
    blank_run = 0
    for row_number in range(layout.header_row + 1, sheet.max_row + 1):
        cells = sheet.rows[row_number - 1]
        width = len(cells)
        values = [cells[p] if p < width else None for p in positions]
        typed = False
        for position, value in enumerate(values):
            if isinstance(value, str):
                if value.startswith("=") and (row_number, positions[position] + 1) in sheet.formulas:
                    formulas[(names[position], row_number)] = value
                    values[position] = None
                elif value.strip():
                    typed = True
            elif value is not None:
                typed = True
        if not typed:
            blank_run += 1
            if blank_run >= BLANK_ROWS_END_TABLE and records:
                break
            continue
        first = cells[first_col] if first_col < width else None
        if blank_run and records and isinstance(first, str) and normalise(first) in STOP_WORDS:
            break
        blank_run = 0
        records.append(values)
        index.append(row_number)
    raw = pd.DataFrame(records, index=pd.Index(index, name="row"), columns=names, dtype=object)
    formats = {(name, row): sheet.number_format(row, layout.columns[name].index)
               for name in measured for row, value in zip(index, raw[name], strict=True)
               if value is not None}
    result = RawSheet(layout=layout, sheet=sheet.title, raw=raw, formats=formats)
    _fill_cached_values(result, sheet, {k: v for k, v in formulas.items() if k[1] in raw.index})
    return result


def _fill_cached_values(result: RawSheet, sheet: SheetGrid,
                        formulas: dict[tuple[str, int], str]) -> None:
    result.formulas = formulas
    for column, row in formulas:
        value = sheet.cached.get((row, result.layout.columns[column].index))
        if value is None or value == "":
            result.uncalculated.add((column, row))
        else:
            result.raw.at[row, column] = value
