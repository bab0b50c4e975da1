"""Scorecards kept the other way round: indicators as columns, periods as rows.

A weekly or monthly scorecard often has no Target / Actual columns at all: its first column
holds the periods (dates, ``Apr-23``, ``Q1 2023/24``, ``Week 12``, ``P3``) and each further
column one indicator's figures, one row per period::

    Date        Open  New  Assigned  Not Assigned
    23/09/2019     7    3         5             2
    30/09/2019    13    8         7             6

``find_scorecard`` finds such a table and reads each indicator's series; what is worked out
from it (latest value, direction of travel, checks) is for ``rules``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from sheetsync.read.grid import SheetGrid
from sheetsync.read.values import is_blank, read_date

SCAN_ROWS = 40  #: How far down a sheet the header row is looked for.
MIN_PERIODS = 3  #: Fewer period rows than this is not a series.
MIN_INDICATORS = 2  #: Fewer numeric columns than this is a list, not a scorecard.

_MONTHS = {name: number for number, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
     ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
     ("oct", "october"), ("nov", "november"), ("dec", "december")], start=1) for name in names}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_MONTH_YEAR = re.compile(rf"^({_MONTH})\.?[\s\-/']*(\d{{2}}|\d{{4}})?$")
_YEAR_MONTH = re.compile(rf"^(\d{{4}})[\s\-/]+({_MONTH})$")
_FISCAL = r"(?:fy\s*)?(\d{4}|\d{2})(?:\s*[/\-]\s*(\d{2}|\d{4}))?"
_QUARTER = re.compile(rf"^(?:q|qtr|quarter)\s*([1-4])(?:[\s,\-/]+{_FISCAL})?$")
_YEAR_QUARTER = re.compile(rf"^{_FISCAL}[\s,\-/]+(?:q|qtr|quarter)\s*([1-4])$")
_YEAR = re.compile(r"^(?:fy\s*)?(\d{4})\s*[/\-]\s*(\d{2}|\d{4})$")
_NUMBERED = re.compile(r"^(week|wk|w|period|p|month|m)\.?\s*(?:no\.?\s*)?(\d{1,2})$")
_WEEK_OF = re.compile(r"^(?:w/c|w/e|wc|we|week commencing|week ending|week of|w\.c\.|w\.e\.)\s+(.+)$")


@dataclass(frozen=True, slots=True)
class Period:
    """A period label read: as shown, and a key to order it by (None: row order only)."""

    label: str
    key: tuple[Any, ...] | None


@dataclass(frozen=True, slots=True)
class Series:
    """One indicator's column: its figures by row (blank cells left out)."""

    name: str  #: The header as the sheet shows it ("Not Assigned").
    column: int  #: 1-based column number.
    values: dict[int, float]  #: Excel row -> figure.
    unit: str = "number"  #: "%" when its cells are formatted as percentages.

    @property
    def letter(self) -> str:
        return get_column_letter(self.column)

    def cell(self, row: int) -> str:
        return f"{self.letter}{row}"


@dataclass(slots=True)
class Scorecard:
    """A table of periods (rows) by indicators (columns)."""

    header_row: int
    period_column: int
    period_header: str
    periods: dict[int, Period]  #: Excel row -> period, for the rows that hold figures.
    order: list[int]  #: Those rows, oldest period first.
    indicators: list[Series]
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.order)

    @property
    def latest(self) -> int:
        """The row of the latest period."""
        return self.order[-1]

    @property
    def previous(self) -> int | None:
        """The row of the period before the latest, if any."""
        return self.order[-2] if len(self.order) > 1 else None


def read_period(value: Any) -> Period | None:
    """A period label (a date, ``Apr-23``, ``Q1 2023/24``, ``2023/24``, ``Week 12``, ``P3``,
    ``w/c 12/06/2023``), or None when ``value`` is not one. Never raises."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return Period(value.strftime("%d/%m/%Y"), ("date", value.toordinal()))
    if not isinstance(value, str):
        return None
    label = " ".join(value.split())
    text = label.casefold()
    if not text or len(text) > 40:
        return None
    if match := _MONTH_YEAR.match(text):
        month = _MONTHS[match.group(1)]
        year = match.group(2)
        # NOTE: months with no year (Apr ... Mar) are ordered by their rows, not by number.
        return Period(label, ("month", _full_year(year), month) if year else None)
    if match := _YEAR_MONTH.match(text):
        return Period(label, ("month", int(match.group(1)), _MONTHS[match.group(2)]))
    if match := _QUARTER.match(text):
        year = match.group(2)
        return Period(label, ("quarter", _full_year(year) if year else 0, int(match.group(1))))
    if match := _YEAR_QUARTER.match(text):
        return Period(label, ("quarter", _full_year(match.group(1)), int(match.group(3))))
    if match := _YEAR.match(text):
        return Period(label, ("year", int(match.group(1))))
    if match := _NUMBERED.match(text):
        kind = {"wk": "week", "w": "week", "p": "period", "m": "month"}.get(match.group(1),
                                                                           match.group(1))
        return Period(label, (kind, int(match.group(2))))
    week_of = _WEEK_OF.match(text)
    reading = read_date(week_of.group(1) if week_of else label)
    if isinstance(reading.value, dt.date) and re.search(r"\d", text):
        return Period(label, ("date", reading.value.toordinal()))
    return None


def _full_year(digits: str) -> int:
    year = int(digits)
    return year + 2000 if year < 100 else year


def find_scorecard(sheet: SheetGrid) -> Scorecard | None:
    """The periods-as-rows scorecard on ``sheet``, or None when the sheet holds none."""
    for header_row in range(1, min(SCAN_ROWS, len(sheet.rows) - 1) + 1):
        card = _card_at(sheet, header_row)
        if card is not None:
            return card
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _card_at(sheet: SheetGrid, header_row: int) -> Scorecard | None:
    header = sheet.rows[header_row - 1]
    first = sheet.rows[header_row]
    period_column = next((i + 1 for i, v in enumerate(first) if not is_blank(v)), None)
    if period_column is None or read_period(first[period_column - 1]) is None:
        return None
    corner = sheet.value(header_row, period_column)
    if corner is not None and (not isinstance(corner, str) or read_period(corner) is not None):
        return None  # NOTE: a header row is words; a row of periods is the data itself
    period_rows: dict[int, Period] = {}
    for row in range(header_row + 1, len(sheet.rows) + 1):
        period = read_period(sheet.value(row, period_column))
        if period is None:
            break
        period_rows[row] = period
    # NOTE: weeks dated in advance and not yet filled in are not periods of the series.
    filled = [row for row in period_rows if any(
        _number(v) is not None for v in sheet.rows[row - 1][period_column:])]
    if len(filled) < MIN_PERIODS:
        return None
    indicators = []
    for column in range(period_column + 1, len(header) + 1):
        series = _series(sheet, header[column - 1], column, filled)
        if series is not None:
            indicators.append(series)
    if len(indicators) < MIN_INDICATORS:
        return None
    filled = [row for row in filled if any(row in s.values for s in indicators)]
    periods = {row: period_rows[row] for row in filled}
    order = _in_time_order(filled, periods)
    corner_text = " ".join(corner.split()) if isinstance(corner, str) else ""
    letter = get_column_letter(period_column)
    notes = [f"indicators as columns, periods as rows: {letter}{filled[0]}:{letter}{filled[-1]} "
             f"({periods[order[0]].label} to {periods[order[-1]].label}); "
             f"{len(indicators)} indicators: {', '.join(s.name for s in indicators)}"]
    return Scorecard(header_row=header_row, period_column=period_column, period_header=corner_text,
                     periods=periods, order=order, indicators=indicators, notes=notes)


def _series(sheet: SheetGrid, header: Any, column: int, rows: list[int]) -> Series | None:
    """The column's figures when it is an indicator: a worded header over numbers (blanks and
    placeholders such as n/a allowed), at least half of the periods filled."""
    if not isinstance(header, str) or not header.strip() or read_period(header) is not None:
        return None
    values = {}
    for row in rows:
        value = sheet.value(row, column)
        number = _number(value)
        if number is not None:
            values[row] = number
        elif not is_blank(value):
            return None  # NOTE: words among the figures: a comments column, not an indicator
    if len(values) < max(2, math.ceil(len(rows) / 2)):
        return None
    latest = max(values)
    unit = "%" if "%" in sheet.number_format(latest, column) else "number"
    return Series(name=" ".join(header.split()), column=column, values=values, unit=unit)


def _in_time_order(rows: list[int], periods: dict[int, Period]) -> list[int]:
    """Rows oldest first: by their periods when all can be ordered alike (a sheet may keep the
    newest week at the top), else as they stand."""
    keys = [periods[row].key for row in rows]
    if any(key is None for key in keys) or len({key[0] for key in keys if key}) != 1:
        return list(rows)
    return sorted(rows, key=lambda row: (periods[row].key, row))
