"""Grids in a workbook's legend: a block of ratings or scores with level labels down one side
and along the other (a risk matrix), read from a ``Region`` as ``legendcells`` reads lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sheetsync.read.legendcells import Region, numbered_label, text_of, whole, word_of


@dataclass(frozen=True, slots=True)
class Grid:
    """A block of ratings or scores with level labels down one side and along the other."""

    cells: tuple[tuple[Any, ...], ...]  #: As found: rows top to bottom.
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    row_texts: tuple[str, ...]  #: The labels' whole text ("Likely\n50% - 90% chance").
    col_texts: tuple[str, ...]
    row_title: str  #: Text naming the axis down the side, or "".
    col_title: str
    numbers: bool
    where: str
    box: tuple[str, int, int, int, int]  #: (sheet, top, left, bottom, right)

    def covers(self, other: tuple[str, int, int, int, int]) -> bool:
        """Whether ``other`` (a level list's cells) overlaps this grid."""
        sheet, top, left, bottom, right = self.box
        return other[0] == sheet and other[1] <= bottom and top <= other[3] and \
            other[2] <= right and left <= other[4]


def grids(area: Region) -> list[Grid]:
    """Blocks of 3 to 6 rows by 3 to 6 columns, all numbers or all short words, with a label
    beside each row and a label over each column."""
    found: list[Grid] = []
    rows = area.rows
    taken: set[tuple[int, int]] = set()
    for i, row in enumerate(rows):
        for col in range(area.first_col + 1, area.last_col + 1):
            if (row, col) in taken:
                continue
            grid = _grid_at(area, rows, i, col)
            if grid is not None:
                found.append(grid[0])
                taken |= grid[1]
    return found


def _cell_kind(value: Any) -> str | None:
    if whole(value) is not None or (isinstance(value, float) and not isinstance(value, bool)):
        return "number"
    return "word" if word_of(value) else None


def _grid_at(area: Region, rows: tuple[int, ...], i: int, col: int
             ) -> tuple[Grid, set[tuple[int, int]]] | None:
    row = rows[i]
    kind = _cell_kind(area.value(row, col))
    if kind is None or _label(area.value(row, col - 1)) is None:
        return None
    # NOTE: a run longer than 6 is no grid, however long: counted no further (a filled legend
    # sheet's every cell starts a run, and walking each to its end was most of a check)
    width = 0
    while width <= 6 and col + width <= area.last_col and \
            _cell_kind(area.value(row, col + width)) == kind:
        width += 1
    if not 3 <= width <= 6 or i == 0:
        return None
    height = 0
    while height <= 6 and i + height < len(rows) and all(
            _cell_kind(area.value(rows[i + height], c)) == kind for c in range(col, col + width)) \
            and _label(area.value(rows[i + height], col - 1)) is not None:
        height += 1
    if not 3 <= height <= 6:
        return None
    body = rows[i:i + height]
    head = rows[i - 1]
    row_texts = [text_of(area.value(r, col - 1)) for r in body]
    col_texts = [text_of(area.value(head, c)) for c in range(col, col + width)]
    row_labels = [_label(area.value(r, col - 1)) for r in body]
    col_labels = [_label(area.value(head, c)) for c in range(col, col + width)]
    if None in row_labels or None in col_labels:
        return None
    cells = tuple(tuple(area.value(r, c) for c in range(col, col + width)) for r in body)
    up = [r for r in rows if r < head][-2:]
    col_title = " ".join(text_of(area.value(r, c)) for r in up for c in range(col, col + width))
    row_title = " ".join([text_of(area.value(head, col - 1))]
                         + [text_of(area.value(r, col - 1)) for r in up]
                         + [text_of(area.value(r, col - 2)) for r in body])
    grid = Grid(cells=cells, row_labels=tuple(str(v) for v in row_labels),
                col_labels=tuple(str(v) for v in col_labels), row_texts=tuple(row_texts),
                col_texts=tuple(col_texts), row_title=row_title, col_title=col_title,
                numbers=kind == "number", where=area.address(head, col - 1, body[-1], col + width - 1),
                box=(area.sheet.title, head, col - 1, body[-1], col + width - 1))
    return grid, {(r, c) for r in (head, *body) for c in range(col - 1, col + width)}


def _label(value: Any) -> str | None:
    """A level label: the first line of a text cell, its number taken off ("1 Rare")."""
    if not isinstance(value, str):
        return None
    first = text_of(value.split("\n")[0])
    if numbered := numbered_label(first):
        return numbered[1]
    return word_of(first)
