"""Read a located register's rows as typed, with each value's cell and formula state.

Values come from the sheet grid (``grid.py``); for formula cells the value Excel last
calculated is used, and a formula never calculated counts as unknown rather than blank, so it
cannot cause a false finding.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
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
    #: Rows whose only text continues the entry above: (column, row, entry's row, text).
    continuations: list[tuple[str, int, int, str]] = field(default_factory=list)


def read_register(sheet: SheetGrid, layout: Layout) -> RawSheet:
    """Collect the register's entries below ``layout.header_row``, ending at the table's end.

    As registers are kept: a help row under the header is skipped; a row with nothing but its
    pre-filled number (or formulas that give blanks) is not an entry; a row inside a merged
    reference or description cell belongs to the entry above; a merged category cell applies to
    every row it spans; a row with text only in the description column under an entry
    continues that entry (and is reported, as sorting would split them); a heading row in a
    register whose entries are numbered is not an entry; a short row after a gap (notes,
    references) ends the table.
    """
    columns = list(layout.columns.values())
    positions = [ref.index - 1 for ref in columns]
    names = [ref.name for ref in columns]
    first_col, last = min(positions), max(positions)
    picked = _picker(positions)
    ref_at = names.index("ref") if "ref" in names else -1
    text_at = next((names.index(n) for n in _MAIN_TEXT if n in names), -1)
    spans, fills = _merged_rows(sheet, layout, positions, ref_at, text_at)
    marked = [(i, ref.marks) for i, ref in enumerate(columns) if ref.marks]
    records: list[list[Any]] = []
    index: list[int] = []
    filled_counts: list[int] = []
    formulas: dict[tuple[str, int], str] = {}
    continuations: list[tuple[str, int, int, str]] = []
    headings: list[int] = []
    measured = {ref.name for ref in columns if layout.spec.columns[ref.name].type == "measure"}
    formula_cells = sheet.formulas
    blank_run = 0
    first_row = layout.header_row + 1
    if _is_help_row(sheet, first_row, first_col, layout.last_column):
        first_row += 1
    row_number = first_row - 1  # (the last row looked at, after the loop)
    for row_number in range(first_row, sheet.max_row + 1):
        cells = sheet.rows[row_number - 1]
        width = len(cells)
        values = picked(cells) if width > last else [cells[p] if p < width else None
                                                     for p in positions]
        for position, marks in marked:
            values[position] = _marked_level(cells, marks)
        filled = 0
        main_only = True
        for position, value in enumerate(values):
            if value is None:  # NOTE: most blanks are not in a merged cell: no key made
                if fills and (row_number, position) in fills:
                    values[position] = fills[(row_number, position)]
                continue
            if isinstance(value, str):
                if value.startswith("=") and (row_number, positions[position] + 1) in formula_cells:
                    formulas[(names[position], row_number)] = value
                    values[position] = None
                    continue
                if not value.strip():
                    continue
            if position != ref_at:
                filled += 1
                main_only = main_only and position == text_at
        if row_number in spans:
            blank_run = 0
            continue  # NOTE: inside the merged reference of the entry above: part of it
        if not filled:
            blank_run += 1
            if blank_run >= BLANK_ROWS_END_TABLE and records:
                break
            continue
        first = cells[first_col] if first_col < width else None
        if blank_run and records and isinstance(first, str) and normalise(first) in STOP_WORDS:
            break
        if blank_run and records and filled <= 2 and _typical(filled_counts) >= 4:
            break  # NOTE: a note or a list of references under the table
        text = values[text_at] if text_at >= 0 else None
        if main_only and (ref_at < 0 or values[ref_at] is None) and isinstance(text, str):
            if records and not blank_run and text.strip()[:1].islower():
                continuations.append((names[text_at], row_number, index[-1], text))
                continue
            if (not records or ref_at >= 0) and len(text.split()) <= 6:
                headings.append(row_number)
                blank_run = 0
                continue
        blank_run = 0
        records.append(values)
        index.append(row_number)
        filled_counts.append(filled)
    raw = pd.DataFrame(records, index=pd.Index(index, name="row"), columns=names, dtype=object)
    formats = {(name, row): sheet.number_format(row, layout.columns[name].index)
               for name in measured for row, value in zip(index, raw[name], strict=True)
               if value is not None}
    result = RawSheet(layout=layout, sheet=sheet.title, raw=raw, formats=formats,
                      continuations=continuations)
    if headings:
        layout.notes.append(f"rows {', '.join(map(str, headings[:10]))}"
                            f"{'...' if len(headings) > 10 else ''}: headings, not entries")
    if len(index) < row_number - first_row + 1:  # NOTE: a row looked at was not read
        read = set(index)  # (a set: a pandas Index looked up per formula cost more)
        formulas = {k: v for k, v in formulas.items() if k[1] in read}
    # NOTE: else every formula is on a row read (most registers): not looked up one by one
    # (100,000 took 15 ms)
    _fill_cached_values(result, sheet, formulas)
    return result


def _picker(positions: list[int]) -> Callable[[list[Any]], list[Any]]:
    """The values at ``positions`` of a row at least that long, as a list of their own.

    NOTE: by ``operator.itemgetter``: a comprehension per row was a fifth of reading a
    register's rows; it hands back a bare value, not a tuple, for one position."""
    if len(positions) == 1:
        position = positions[0]
        return lambda cells: [cells[position]]
    pick = operator.itemgetter(*positions)
    return lambda cells: list(pick(cells))


#: The column whose text a continuation row carries on, by kind: the first one a sheet has.
_MAIN_TEXT = ("description", "action", "kpi")


_MARKS = frozenset({"x", "✓", "✔", "✗", "✘", "*", "yes", "y", "1", "•", "●"})


def _marked_level(cells: list[Any], marks: tuple[tuple[int, str], ...]) -> Any:
    """The level word over the one marked cell of a grid (None: none marked); two marks give
    both words ("L + H"), which no scale reads, so the cell is a finding."""
    marked = [word for col, word in marks if col <= len(cells) and cells[col - 1] is not None
              and str(cells[col - 1]).strip().casefold() in _MARKS]
    return " + ".join(marked) if marked else None


def _typical(counts: list[int]) -> float:
    return sorted(counts)[len(counts) // 2] if counts else 0


def _is_help_row(sheet: SheetGrid, row: int, first_col: int, last_col: int) -> bool:
    """A row under the header that says the same thing in every cell ("HELP", "see notes")."""
    if row > sheet.max_row:
        return False
    cells = [v for v in sheet.rows[row - 1][first_col:last_col] if v is not None and str(v).strip()]
    return len(cells) >= 3 and len({normalise(v) for v in cells}) == 1 and isinstance(cells[0], str)


def _merged_rows(sheet: SheetGrid, layout: Layout, positions: list[int], ref_at: int,
                 text_at: int) -> tuple[set[int], dict[tuple[int, int], Any]]:
    """Rows inside a merged reference or description cell (part of the entry above), and the
    value a merged category cell lends each row it spans, by (row, position)."""
    spans: set[int] = set()
    fills: dict[tuple[int, int], Any] = {}
    identity = {positions[i] + 1 for i in (ref_at, text_at) if i >= 0}
    for min_row, min_col, max_row, max_col in sheet.merged:
        if max_row <= min_row or max_row <= layout.header_row:
            continue
        covered = [i for i, p in enumerate(positions) if min_col <= p + 1 <= max_col]
        if not covered:
            continue
        if any(min_col <= col <= max_col for col in identity):
            spans.update(range(max(min_row + 1, layout.header_row + 1), max_row + 1))
            continue
        value = sheet.value(min_row, min_col)
        for row in range(min_row + 1, max_row + 1):
            for position in covered:
                fills[(row, position)] = value
    return spans, fills


def _fill_cached_values(result: RawSheet, sheet: SheetGrid,
                        formulas: dict[tuple[str, int], str]) -> None:
    result.formulas = formulas
    if not sheet.cached:  # (no value Excel calculated, or none to trust: every formula is unknown)
        result.uncalculated.update(formulas)
        return
    for column, row in formulas:
        value = sheet.cached.get((row, result.layout.columns[column].index))
        if value is None or value == "":
            result.uncalculated.add((column, row))
        else:
            result.raw.at[row, column] = value
