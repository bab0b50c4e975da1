"""The workbook's own legend: its scales, score bands and matrix, where it has them.

Many registers carry their scoring: a ``Legend``, ``Key``, ``Risk Matrix``, ``Scoring``,
``Metrics`` or ``Risk Likelihood`` sheet, a block above the register's header, or a lookup
table to its right. ``find_legend`` reads what it finds there with confidence (``legendcells``
reads the cells) and makes a ``Scoring`` of it: levels from a level list or the labels of a
grid, bands from a band list (or from the ratings of a grid), and a grid's ratings or scores
looked up instead of likelihood x impact. What it does not find comes from the settings. The
result names the cells it came from, for ``inspect`` and ``exceptions.json``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from sheetsync.read.grid import SheetGrid, WorkbookGrid
from sheetsync.read.legendcells import (
    AXIS_WORDS,
    RATING_RANK,
    BandList,
    LevelList,
    Region,
    axis_of,
    band_lists,
    contiguous,
    level_lists,
    probability,
    region,
    whole,
)
from sheetsync.read.legendgrid import Grid, grids
from sheetsync.read.locate import Layout
from sheetsync.read.rows import RawSheet
from sheetsync.settings.scales import AXES, Band, Scale, Scoring, level_key

#: Words in a sheet's name that make it a legend sheet worth reading.
LEGEND_SHEET_WORDS = frozenset({
    "legend", "key", "keys", "matrix", "matrices", "scoring", "score", "scores", "metric",
    "metrics", "rating", "ratings", "scale", "scales", "criteria", "definitions", "level",
    "levels", "lookup", "lookups", *AXIS_WORDS["likelihood"], *AXIS_WORDS["impact"]})
RIGHT_ROWS = 60  #: Rows below the header searched for a table to the register's right.


def find_legend(book: WorkbookGrid, sheet: SheetGrid, layout: Layout, settings: Scoring,
                levels: Mapping[str, Sequence[Any]] | None = None) -> Scoring | None:
    """The scoring the workbook's own legend defines for the register ``layout`` found on
    ``sheet``, or None when it has none (or none sheetsync can read with confidence).

    ``levels`` maps the register's likelihood / impact columns (``residual_impact``) to their
    values; they decide which side of a grid is which when nothing in its cells says so.
    """
    lists: list[LevelList] = []
    bands: list[BandList] = []
    found_grids: list[Grid] = []
    for area, axis in _areas(book, sheet, layout):
        lists += level_lists(area, axis)
        bands += band_lists(area)
        found_grids += grids(area)
    lists = [found for found in lists if not any(g.covers(found.box) for g in found_grids)]
    return _assemble(lists, bands, found_grids, settings, levels or {})


def apply_legend(raw: RawSheet, legend: Scoring) -> None:
    """Say where the sheet's scoring came from; where the legend's matrix gives scores, a
    rating column that holds numbers (``Risk Level`` 1-9) is that assessment's score."""
    what = "scale and bands" if legend.method == "product" else "scale, bands and matrix"
    raw.layout.notes.append(f"{what} from the workbook's legend {legend.source}")
    raw.layout.notes.extend(legend.notes)
    if legend.score_matrix is None:
        return
    for name in [n for n in raw.raw.columns if n.endswith("_rating")]:
        score = name.replace("_rating", "_score")
        values = [v for v in raw.raw[name] if v is not None and not (isinstance(v, str) and not v.strip())]
        if score in raw.raw.columns or not values or score not in raw.layout.spec.columns or \
                any(whole(v) is None for v in values):
            continue
        raw.raw = raw.raw.rename(columns={name: score})
        ref = replace(raw.layout.columns.pop(name), name=score)
        raw.layout.columns[score] = ref
        raw.formulas = {(score if c == name else c, r): f for (c, r), f in raw.formulas.items()}
        raw.uncalculated = {(score if c == name else c, r) for c, r in raw.uncalculated}
        raw.layout.notes.append(f"{ref.letter} '{ref.header}' holds numbers from the legend's "
                                "score matrix: read as the score")


def _areas(book: WorkbookGrid, sheet: SheetGrid, layout: Layout) -> list[tuple[Region, str | None]]:
    """Where a legend may be: above the header, to the register's right, on legend sheets."""
    width = max((len(r) for r in sheet.rows[:layout.header_row + RIGHT_ROWS]), default=0)
    areas: list[tuple[Region, str | None]] = []
    if layout.first_header_row > 1:
        areas.append((region(sheet, 1, layout.first_header_row - 1, 1, width), None))
    if width > layout.last_column + 1:
        areas.append((region(sheet, 1, layout.header_row + RIGHT_ROWS, layout.last_column + 2,
                             width), None))
    for other in book.sheets:
        words = set(re.findall(r"[a-z]+", other.title.casefold()))
        if other is sheet or not other.rows or not words & LEGEND_SHEET_WORDS:
            continue
        other_width = max((len(r) for r in other.rows[:200]), default=0)
        areas.append((region(other, 1, other.max_row, 1, other_width), axis_of(other.title)))
    return areas


def _assemble(lists: list[LevelList], bands: list[BandList], found_grids: list[Grid],
              settings: Scoring, levels: Mapping[str, Sequence[Any]]) -> Scoring | None:
    by_axis: dict[str, LevelList] = {}
    for found in lists:
        by_axis.setdefault(found.axis, found)
    band_list = bands[0] if bands else None
    notes: list[str] = []
    grid = None
    for candidate in found_grids:
        grid = _oriented(candidate, by_axis, band_list, settings, levels)
        if grid is not None:
            break
    if grid is not None and not _agrees(grid, by_axis):
        notes.append(f"the matrix at {grid[3]} names other levels than the legend's lists: "
                     "not used")
        grid = None
    scales = {axis: _scale(axis, by_axis.get(axis), grid, settings) for axis in AXES}
    for axis in AXES:
        if scales[axis].source != "settings":
            notes.append(f"{axis} {scales[axis].known_words()} from {scales[axis].source}")
    cells = grid[0] if grid is not None else None
    numbers = cells is not None and all(whole(c) is not None or isinstance(c, float)
                                        for row in cells for c in row)
    top = (max(float(c) for row in cells for c in row) if cells is not None and numbers
           else scales["likelihood"].size * scales["impact"].size)
    if band_list is not None and not numbers and band_list.top is not None and band_list.top != top:
        derived = _derived_axis(band_list, scales, by_axis, grid, levels)
        if derived is not None:
            scales[derived.axis] = derived
            notes.append(f"{derived.axis} 1 to {derived.size}: the bands reach "
                         f"{band_list.top:g}, {derived.size} x {scales[_other(derived.axis)].size}")
            top = band_list.top
        else:
            notes.append(f"bands at {band_list.where} reach {band_list.top:g}, not the matrix's "
                         f"{top:g}: not used")
            band_list = None
    if band_list is not None and cells is not None and not numbers and \
            not {level_key(c) for row in cells for c in row} <= {level_key(n) for n in band_list.names}:
        band_list = None
    if band_list is not None:
        names, starts = band_list.names, band_list.starts
        notes.append("bands " + ", ".join(f"{n} from {s:g}" for n, s in zip(names, starts, strict=True))
                     + f" from {band_list.where}")
    elif cells is not None and not numbers:
        names, starts = _grid_bands(cells)
    else:
        names = tuple(b.name for b in settings.bands)
        starts = _scaled(settings, top)
    if band_list is None and grid is None and all(s.source == "settings" for s in scales.values()):
        return None
    sources = [s.source for s in scales.values() if s.source != "settings"]
    sources += [band_list.where] if band_list is not None else []
    sources += [grid[3]] if grid is not None else []
    if grid is not None:
        notes.append(f"{'scores' if numbers else 'ratings'} looked up in the "
                     f"{len(grid[0])}x{len(grid[0][0])} matrix at {grid[3]}")
    score_matrix = rating_matrix = None
    if cells is not None and numbers:
        score_matrix = tuple(tuple(float(c) for c in row) for row in cells)
    elif cells is not None:
        rating_matrix = tuple(tuple(_band_name(c, names) for c in row) for row in cells)
    return Scoring(likelihood=scales["likelihood"], impact=scales["impact"],
                   bands=_coloured(names, starts, settings.bands),
                   method="matrix" if grid is not None else "product", score_matrix=score_matrix,
                   rating_matrix=rating_matrix, source="; ".join(dict.fromkeys(sources)),
                   notes=tuple(notes))


def _other(axis: str) -> str:
    return "impact" if axis == "likelihood" else "likelihood"


#: An oriented grid: cells (likelihood rows lowest first), likelihood labels, impact labels,
#: where, and the likelihood labels' probabilities.
Oriented = tuple[tuple[tuple[Any, ...], ...], tuple[str, ...], tuple[str, ...], str,
                 tuple[tuple[float, float], ...]]


def _oriented(grid: Grid, by_axis: dict[str, LevelList], band_list: BandList | None,
              settings: Scoring, levels: Mapping[str, Sequence[Any]]) -> Oriented | None:
    """``grid`` with likelihood down the side, both axes lowest first, or None when which
    side is which, or which way each runs, cannot be told."""
    rows_axis = _rows_axis(grid, by_axis, settings, levels)
    if rows_axis is None:
        return None
    rank = _ranker(grid, band_list)
    if rank is None:
        return None
    cells = [list(r) for r in grid.cells]
    row_labels, col_labels = list(grid.row_labels), list(grid.col_labels)
    row_texts, col_texts = list(grid.row_texts), list(grid.col_texts)
    ranks = [[rank(c) for c in r] for r in cells]
    if sum(ranks[0]) > sum(ranks[-1]):
        cells, ranks, row_labels, row_texts = cells[::-1], ranks[::-1], row_labels[::-1], row_texts[::-1]
    if sum(r[0] for r in ranks) > sum(r[-1] for r in ranks):
        cells = [r[::-1] for r in cells]
        ranks = [r[::-1] for r in ranks]
        col_labels, col_texts = col_labels[::-1], col_texts[::-1]
    rising = all(a <= b for r in ranks for a, b in zip(r, r[1:], strict=False)) and all(
        a <= b for c in zip(*ranks, strict=True) for a, b in zip(c, c[1:], strict=False))
    if not rising or sum(ranks[0]) == sum(ranks[-1]) or ranks[0][0] == ranks[-1][-1]:
        return None  # NOTE: not a matrix that rises with both levels (a heat map of counts)
    if rows_axis == "impact":
        cells = [list(c) for c in zip(*cells, strict=True)]
        row_labels, col_labels = col_labels, row_labels
        row_texts, col_texts = col_texts, row_texts
    spans = [probability(t) for t in row_texts]
    probabilities = contiguous([s for s in spans if s is not None]) if all(spans) else ()
    return (tuple(tuple(r) for r in cells), tuple(row_labels), tuple(col_labels), grid.where,
            probabilities)


def _rows_axis(grid: Grid, by_axis: dict[str, LevelList], settings: Scoring,
               levels: Mapping[str, Sequence[Any]]) -> str | None:
    """Which axis runs down the grid's side: from the headings, else from which axis's known
    words (level lists, the settings' scales, the register's own columns) its labels are."""
    by_row, by_col = axis_of(grid.row_title), axis_of(grid.col_title)
    if by_row and by_row != by_col:
        return by_row
    if by_col and by_row is None:
        return _other(by_col)
    votes = {}
    for axis in AXES:
        known = set(settings.scale(axis).words)
        if axis in by_axis:
            known |= {level_key(w) for w in by_axis[axis].labels}
        known |= {level_key(v) for name, values in levels.items() if name.endswith(f"_{axis}")
                  for v in values if isinstance(v, str)}
        votes[axis] = (sum(level_key(w) in known for w in grid.row_labels)
                       - sum(level_key(w) in known for w in grid.col_labels))
    if votes["likelihood"] > 0 >= votes["impact"]:
        return "likelihood"
    if votes["impact"] > 0 >= votes["likelihood"]:
        return "impact"
    return None


def _ranker(grid: Grid, band_list: BandList | None) -> Any:
    """How high each cell is: its score, or its rating's place among the bands."""
    if grid.numbers:
        return float
    order = ({level_key(n): i for i, n in enumerate(band_list.names)} if band_list is not None
             else RATING_RANK)
    if any(level_key(c) not in order for row in grid.cells for c in row):
        return None
    return lambda c: order[level_key(c)]


def _scale(axis: str, listed: LevelList | None, grid: Oriented | None, settings: Scoring) -> Scale:
    """One axis: a level list's (with the grid's labels as other words for its levels), else
    the grid's labels, else the settings'."""
    labels: tuple[str, ...] = ()
    probabilities: tuple[tuple[float, float], ...] = ()
    source = ""
    if grid is not None:
        labels = grid[1] if axis == "likelihood" else grid[2]
        probabilities = grid[4] if axis == "likelihood" else ()
        source = grid[3]
    if listed is not None:
        labels, source = listed.labels, listed.where
        probabilities = listed.probabilities or probabilities
    if not labels:
        return settings.scale(axis)
    words = {level_key(w): n for n, w in enumerate(labels, start=1)}
    if grid is not None and listed is not None:
        words.update({level_key(w): n for n, w in enumerate(
            grid[1] if axis == "likelihood" else grid[2], start=1)})
    return Scale(axis=axis, labels=labels, words=words, source=source,
                 probabilities=probabilities if axis == "likelihood" else ())


def _agrees(grid: Oriented, by_axis: dict[str, LevelList]) -> bool:
    """A grid's labels are the levels of the lists beside it, in their order."""
    for axis, labels in (("likelihood", grid[1]), ("impact", grid[2])):
        listed = by_axis.get(axis)
        if listed is not None and [level_key(w) for w in labels] != \
                [level_key(w) for w in listed.labels]:
            return False
    return True


def _derived_axis(bands: BandList, scales: dict[str, Scale], by_axis: dict[str, LevelList],
                  grid: Oriented | None, levels: Mapping[str, Sequence[Any]]) -> Scale | None:
    """Bands reaching past the matrix (``101 to 125`` over a 1-5 impact): the axis the legend
    gives no levels for runs 1 to top / the other's size, when the register's own numbers on
    it go past the settings' scale and stay within that."""
    top = bands.top
    if grid is not None or top is None or not float(top).is_integer():
        return None
    for axis in AXES:
        other = scales[_other(axis)]
        if axis in by_axis or other.source == "settings" or top % other.size:
            continue
        size = int(top) // other.size
        numbers = [n for name, values in levels.items() if name.endswith(f"_{axis}")
                   for v in values if (n := whole(v)) is not None]
        if not 2 <= size <= 30 or not numbers or max(numbers) <= scales[axis].size or \
                max(numbers) > size:
            continue
        labels = tuple(str(n) for n in range(1, size + 1))
        return Scale(axis=axis, labels=labels, words={}, source=bands.where)
    return None


def _grid_bands(cells: tuple[tuple[Any, ...], ...]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Bands named by a rating grid's words, each from the lowest likelihood x impact it holds."""
    lowest: dict[str, tuple[float, str]] = {}
    for likelihood, row in enumerate(cells, start=1):
        for impact, word in enumerate(row, start=1):
            key = level_key(word)
            score = float(likelihood * impact)
            if key not in lowest or score < lowest[key][0]:
                lowest[key] = (score, " ".join(str(word).split()))
    ordered = sorted(lowest.values())
    starts: list[float] = []
    for score, _name in ordered:
        starts.append(max(score, starts[-1] + 1) if starts else 1.0)
    return tuple(name for _s, name in ordered), tuple(starts)


def _band_name(cell: Any, names: tuple[str, ...]) -> str:
    key = level_key(cell)
    return next((n for n in names if level_key(n) == key), " ".join(str(cell).split()))


def _scaled(settings: Scoring, top: float) -> tuple[float, ...]:
    """The settings' band starts on a matrix whose top score is ``top``."""
    if top == settings.max_score:
        return tuple(float(b.start) for b in settings.bands)
    ratio = top / settings.max_score
    return tuple(float(max(1, round(b.start * ratio))) if i else 1.0
                 for i, b in enumerate(settings.bands))


def _coloured(names: Sequence[str], starts: Sequence[float], base: Sequence[Band]) -> tuple[Band, ...]:
    """The legend's bands under its own names, each with the colour of the settings' band that
    shares a word with it (``Medium`` is Amber's), else of the band in its place."""
    taken = {level_key(n) for n in names}
    bands = []
    for place, (name, start) in enumerate(zip(names, starts, strict=True)):
        key = level_key(name)
        match = next((b for b in base if key in {level_key(w) for w in (b.name, *b.also)}), None)
        if match is None:
            words = set(key.split()) - {"very"}
            match = next((b for b in base if words & {level_key(w) for w in (b.name, *b.also)}), None)
        if match is None:
            match = base[min(len(base) - 1, round(place * (len(base) - 1) / max(1, len(names) - 1)))]
        also = tuple(w for w in (match.name, *match.also) if level_key(w) not in taken)
        taken |= {level_key(w) for w in also}
        bands.append(Band(name=name, start=int(start), colour=match.colour, also=also))
    return tuple(bands)
