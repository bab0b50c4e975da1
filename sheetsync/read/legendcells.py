"""The pieces of a legend as they sit in a workbook's cells: level lists, score bands and grids.

``legend`` looks for them on legend sheets, above a register's header and to its right, and
puts what it finds together. Each reader here takes a ``Region`` (a block of one sheet's cells)
and returns what it recognised with the cells it came from; nothing is guessed: a list needs a
heading that names its axis, bands must run on from 1 without gaps, a grid needs labels along
both sides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from openpyxl.utils.cell import get_column_letter

from sheetsync.read.grid import SheetGrid
from sheetsync.settings.scales import level_key

AXIS_WORDS = {
    "likelihood": ("likelihood", "likelyhood", "liklihood", "likelihod", "probability",
                   "probabilty", "probablity", "frequency", "chance"),
    "impact": ("impact", "consequence", "consequences", "concequence", "consequense",
               "severity", "impcat"),
}
#: Rank of common rating words, for ordering a grid of ratings with no band list beside it.
RATING_RANK = {"very low": 0, "negligible": 0, "insignificant": 0, "minimal": 0, "low": 1,
               "green": 1, "minor": 1, "medium": 2, "moderate": 2, "amber": 2, "yellow": 2,
               "significant": 3, "high": 3, "major": 3, "red": 3, "very high": 4, "extreme": 4,
               "critical": 4, "severe": 4, "catastrophic": 4, "intolerable": 4}
_HEADER_WORDS = frozenset({"rating", "ratings", "level", "levels", "value", "values", "score",
                           "description", "descriptor", "worth", "risk level", "risk rating",
                           "name", "category", "band", "rank", "ranking", "score range"})
_NUMBER = r"(\d+(?:\.\d+)?|\.\d+)"
_RANGE = re.compile(rf"^{_NUMBER}\s*(?:-|–|—|to)\s*{_NUMBER}$")
_AT_LEAST = re.compile(rf"^(?:{_NUMBER}\s*\+|(?:>=|≥)\s*{_NUMBER}|>\s*{_NUMBER})$")
_WORD_AND_RANGE = re.compile(rf"^([A-Za-z][A-Za-z .]*?)\s*[:=(\-–]?\s*({_NUMBER}\s*(?:-|–|—|to)"
                             rf"\s*{_NUMBER}|{_NUMBER}\s*\+)\s*\)?$")
_PERCENT_RANGE = re.compile(rf"{_NUMBER}\s*%?\s*(?:-|–|—|to)\s*{_NUMBER}\s*%")
_PERCENT_BELOW = re.compile(rf"(?:<|less than|under|up to)\s*{_NUMBER}\s*%")
_PERCENT_ABOVE = re.compile(rf"(?:>|more than|over|above)\s*{_NUMBER}\s*%")
_NUMBERED = re.compile(r"^\(?(\d)\)?\s*[-–:.=)]?\s*([A-Za-z][A-Za-z .'/]*)$")
_NUMBER_AFTER = re.compile(r"^([A-Za-z][A-Za-z .'/]*?)\s*[-–:=]?\s*\((\d)\)$")
MAX_ROWS, MAX_COLS = 200, 40  #: Of a legend sheet, read no further.


@dataclass(frozen=True, slots=True)
class Region:
    """A block of one sheet: its rows (merged-over blank rows left out) and columns."""

    sheet: SheetGrid
    rows: tuple[int, ...]
    first_col: int
    last_col: int

    def value(self, row: int, col: int) -> Any:
        if not self.first_col <= col <= self.last_col:
            return None
        return self.sheet.value(row, col)

    def address(self, top: int, left: int, bottom: int, right: int) -> str:
        name = self.sheet.title.replace("'", "''")
        start, end = f"{get_column_letter(left)}{top}", f"{get_column_letter(right)}{bottom}"
        return f"'{name}'!{start}" + (f":{end}" if end != start else "")


def region(sheet: SheetGrid, top: int, bottom: int, left: int, right: int) -> Region:
    """Rows ``top``..``bottom`` and columns ``left``..``right`` of ``sheet``; a blank row under a
    merged cell (a matrix whose rows are each two rows tall) is left out."""
    bottom, right = min(bottom, sheet.max_row, top + MAX_ROWS - 1), min(right, left + MAX_COLS - 1)
    covered = {r for r1, _c1, r2, _c2 in sheet.merged if r2 > r1 for r in range(r1 + 1, r2 + 1)}
    rows = tuple(r for r in range(top, bottom + 1)
                 if r not in covered or any(_given(sheet.value(r, c)) for c in range(left, right + 1)))
    return Region(sheet=sheet, rows=rows, first_col=left, last_col=right)


def _given(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def text_of(value: Any) -> str:
    return " ".join(str(value).split()) if isinstance(value, str) else ""


def axis_of(text: str) -> str | None:
    """The axis a heading names ("Likelyhood", "Consequences"), or None for none or both."""
    words = set(re.findall(r"[a-z]+", text.casefold()))
    named = [axis for axis, names in AXIS_WORDS.items() if words & set(names)]
    return named[0] if len(named) == 1 else None


def word_of(value: Any) -> str | None:
    """A level or rating word: short text, no numbers or ranges."""
    text = text_of(value.split("\n")[0]) if isinstance(value, str) else ""
    if not text or len(text) > 40 or len(text.split()) > 4 or re.search(r"\d|%", text):
        return None
    return text


def whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+(?:\.0+)?\s*", value):
        return int(float(value))
    return None


def probability(text: str) -> tuple[float, float] | None:
    """The probabilities a cell names: "10% - 50% chance", "<3%", ">90%", "15-39.99%"."""
    if match := _PERCENT_RANGE.search(text):
        return float(match.group(1)) / 100, float(match.group(2)) / 100
    if match := _PERCENT_BELOW.search(text.casefold()):
        return 0.0, float(match.group(1)) / 100
    if match := _PERCENT_ABOVE.search(text.casefold()):
        return float(match.group(1)) / 100, 1.0
    return None


@dataclass(frozen=True, slots=True)
class LevelList:
    """``1 Rare … 5 Almost certain`` under a heading: one axis's levels, lowest first."""

    axis: str
    labels: tuple[str, ...]
    probabilities: tuple[tuple[float, float], ...]  #: Empty unless every level has one.
    where: str
    box: tuple[str, int, int, int, int]  #: (sheet, top, left, bottom, right)


@dataclass(frozen=True, slots=True)
class BandList:
    """``High 16-25 / Medium 9-15 / Low 1-8``: rating names and where each starts, lowest first."""

    names: tuple[str, ...]
    starts: tuple[float, ...]
    top: float | None  #: The last band's end; None when it is open (``16+``).
    where: str


def level_lists(area: Region, fallback_axis: str | None) -> list[LevelList]:
    """The level lists of ``area``: runs of three to seven rows with a word in one column,
    numbered beside it (``1 | Rare``), in the cell (``1 Rare``) or ordered by probabilities;
    a list of words alone only in the order a number or probability gives it."""
    found = []
    for col in range(area.first_col, area.last_col + 1):
        run: list[int] = []
        for row in (*area.rows, 0):
            if row and word_of(area.value(row, col)) or row and numbered_label(area.value(row, col)):
                run.append(row)
                continue
            if len(run) >= 3:
                parsed = _run_list(area, run, col, fallback_axis)
                if parsed is not None:
                    found.append(parsed)
            run = []
    return found


def numbered_label(value: Any) -> tuple[int, str] | None:
    text = text_of(value)
    if match := _NUMBERED.match(text):
        return int(match.group(1)), match.group(2).strip()
    if match := _NUMBER_AFTER.match(text):
        return int(match.group(2)), match.group(1).strip()
    return None


def _run_list(area: Region, run: list[int], col: int, fallback_axis: str | None) -> LevelList | None:
    for start in (0, 1, 2):
        rows = run[start:]
        if len(rows) < 3 or len(rows) > 7:
            continue
        levels = _ordered(area, rows, col)
        if levels is None:
            continue
        words, probabilities, left, right = levels
        if len({level_key(w) for w in words}) != len(words):
            return None
        axis = _heading_axis(area, rows, left, right) or fallback_axis
        if axis is None:
            return None
        return LevelList(axis=axis, labels=tuple(words), probabilities=probabilities,
                         where=area.address(rows[0], left, rows[-1], right),
                         box=(area.sheet.title, rows[0], left, rows[-1], right))
    return None


def _ordered(area: Region, rows: list[int], col: int
             ) -> tuple[list[str], tuple[tuple[float, float], ...], int, int] | None:
    """The run's words lowest first, their probabilities, its first and last column, or None when
    nothing in the cells gives their order (numbers beside or in them, or probabilities)."""
    size = len(rows)
    numbered = [p for r in rows if (p := numbered_label(area.value(r, col))) is not None]
    order: list[int] | None = None
    words: list[str] = []
    left = right = col
    if len(numbered) == size and sorted(n for n, _w in numbered) == list(range(1, size + 1)):
        words = [w for _n, w in numbered]
        order = sorted(range(size), key=lambda i: numbered[i][0])
    else:
        words = [w for r in rows if (w := word_of(area.value(r, col))) is not None]
        if len(words) < size or any(level_key(w) in _HEADER_WORDS for w in words):
            return None
        for other in (col - 1, col + 1, col + 2, col + 3):
            numbers = [whole(area.value(r, other)) or 0 for r in rows]
            if sorted(numbers) == list(range(1, size + 1)):
                order = sorted(range(size), key=lambda i: numbers[i])
                left, right = min(col, other), max(col, other)
                break
    for other in (col + 1, col + 2, col + 3):
        ranges = [probability(text_of(area.value(r, other))) for r in rows]
        if not all(ranges):
            continue
        by_chance = sorted(range(size), key=lambda i: ranges[i] or (0.0, 0.0))
        if order is not None and order != by_chance:
            return None  # NOTE: numbers and probabilities that disagree: not sure of either
        spans = [ranges[i] or (0.0, 0.0) for i in by_chance]
        if any(b[0] < a[0] or b[1] < a[1] for a, b in zip(spans, spans[1:], strict=False)):
            return None
        return [words[i] for i in by_chance], contiguous(spans), left, max(right, other)
    if order is None:
        return None
    return [words[i] for i in order], (), left, right


def contiguous(spans: list[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    """Probability ranges lowest first, each reaching the next one's start (``.01-14.99%`` and
    ``15-39.99%`` leave no gap for 14.995%) and the lowest from 0."""
    result = []
    for i, (low, high) in enumerate(spans):
        result.append((0.0 if i == 0 else low, spans[i + 1][0] if i + 1 < len(spans) else max(high, 1.0)))
    return tuple(result)


def _heading_axis(area: Region, rows: list[int], left: int, right: int) -> str | None:
    """The axis named by a heading over the list (up to three rows up) or beside its first row."""
    above = [r for r in area.rows if r < rows[0]][-3:]
    texts = [text_of(area.value(r, c)) for r in reversed(above) for c in range(left - 1, right + 1)]
    texts += [text_of(area.value(rows[0], c)) for c in (left - 1, left - 2)]
    for text in texts:
        axis = axis_of(text)
        if axis is not None:
            return axis
    return None


def band_lists(area: Region) -> list[BandList]:
    """Runs of rows each naming a rating and its score range (``High | 16–25``, ``High 16-25``,
    ``1 to 25 | Very Low``), in any order; kept when they cover the scores from 1 without gaps."""
    found = []
    run: list[tuple[int, int, int, str, float, float | None]] = []
    for row in (*area.rows, 0):
        entry = _band_entry(area, row) if row else None
        if entry is not None and (not run or entry[:2] == run[-1][1:3]):
            run.append((row, *entry))
            continue
        if len(run) >= 2:
            bands = _checked_bands(area, run)
            if bands is not None:
                found.append(bands)
        run = [(row, *entry)] if entry is not None else []
    return found


def _band_entry(area: Region, row: int) -> tuple[int, int, str, float, float | None] | None:
    """(first column, last column, name, from, to) of a band on ``row``, or None."""
    for col in range(area.first_col, area.last_col + 1):
        text = text_of(area.value(row, col))
        if not text:
            continue
        if match := _WORD_AND_RANGE.match(text):
            low_high = _range(match.group(2))
            if low_high and axis_of(match.group(1)) is None:
                return col, col, match.group(1).strip(), *low_high
        low_high = _range(text)
        if low_high is None:
            continue
        for other in (col - 1, col + 1):
            name = word_of(area.value(row, other))
            if name and axis_of(name) is None and level_key(name) not in _HEADER_WORDS:
                return min(col, other), max(col, other), name, *low_high
    return None


def _range(text: str) -> tuple[float, float | None] | None:
    text = text.strip()
    if match := _RANGE.match(text):
        return float(match.group(1)), float(match.group(2))
    if match := _AT_LEAST.match(text):
        number = next(g for g in match.groups() if g is not None)
        return float(number) + (1 if text.startswith(">") and not text.startswith(">=") else 0), None
    return None


def _checked_bands(area: Region, run: list[tuple[int, int, int, str, float, float | None]]
                   ) -> BandList | None:
    ordered = sorted(run, key=lambda e: e[4])
    if not 2 <= len(ordered) <= 6 or ordered[0][4] > 1:
        return None
    for (_r, _a, _b, _n, _low, high), (_r2, _a2, _b2, _n2, next_low, _h) in zip(
            ordered, ordered[1:], strict=False):
        if high is None or not 0 < next_low - high <= 1:
            return None
    if len({level_key(e[3]) for e in ordered}) != len(ordered):
        return None
    rows = [e[0] for e in run]
    return BandList(names=tuple(e[3] for e in ordered), starts=tuple(max(1.0, e[4]) for e in ordered),
                    top=ordered[-1][5], where=area.address(min(rows), run[0][1], max(rows), run[0][2]))
