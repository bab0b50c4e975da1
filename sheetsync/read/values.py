"""Readers for what officers type: day-first dates, numbers as text, percentages, placeholders.

Every reader takes a raw cell value and returns a ``Reading``; none of them raises. A value
that cannot be read carries the rule code of the problem so it becomes a finding on its cell.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, NamedTuple

from dateutil import parser as dateutil_parser

PLACEHOLDER = "placeholder:"  #: Prefix of a column saying a date cell held TBC or the like.
#: Prefix of a column giving, for a real date cell on a sheet whose text dates are written month
#: first, the date it would be with its day and month swapped (see ``swapped``).
SWAPPED = "swapped:"
PLACEHOLDERS = frozenset(
    {"", "n/a", "na", "n.a.", "-", "--", "—", "–", "tbc", "tbd", "none", "nil", "not applicable"}
)
EXCEL_ERRORS = frozenset(
    {"#ref!", "#n/a", "#value!", "#div/0!", "#name?", "#num!", "#null!", "#spill!", "#calc!"}
)
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
# Serial numbers this side of 1954..2119 are taken as dates when typed into a date column.
SERIAL_MIN, SERIAL_MAX = 20000, 80000

_NUMERIC_DATE = re.compile(r"^(\d{1,2})\s*[./\-]\s*(\d{1,2})\s*[./\-]\s*(\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_MONTH_WORD = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b", re.IGNORECASE
)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


class Reading(NamedTuple):
    """What a cell value means: a value, nothing (blank or placeholder), or a problem.

    NOTE: a named tuple, not a frozen dataclass: one is made per cell read, and a tuple is
    made several times faster.
    """

    value: Any = None  #: The value read; None when blank, a placeholder, or unreadable.
    #: Rule code when the value cannot be read (TY01/TY02/TY03), or of a warning on a value
    #: that was read all the same (TY05: a date only readable month first).
    problem: str | None = None
    detail: str = ""  #: Why it cannot be read (or what was guessed), in plain words.

    @property
    def missing(self) -> bool:
        return self.value is None and self.problem is None


def is_blank(value: Any) -> bool:
    """True for an empty cell or one holding only a placeholder such as ``n/a`` or ``TBC``."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().casefold() in PLACEHOLDERS


def is_missing(value: Any) -> bool:
    """No value at all: None, or a NaN / NaT that pandas put in for one."""
    if value is None or isinstance(value, str):
        return value is None
    try:
        return bool(value != value)  # NOTE: NaN and NaT are the values not equal to themselves
    except TypeError:
        return True  # NOTE: pandas' NA refuses to be a truth value


def is_blank_cell(value: Any) -> bool:
    """True only for an empty cell (no placeholder text either)."""
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and math.isnan(value))


def blank_values(column: list[Any]) -> set[Any]:
    """The distinct values of ``column`` that are empty cells (``is_blank_cell``), for asking
    ``value in`` them of each cell: a NaN is kept as the very object, so it is found again.

    NOTE: a column holds few distinct values, and a call per cell cost 10-15 ms per 50,000."""
    return {value for value in set(column) if is_blank_cell(value)}


def excel_error(value: Any) -> Reading | None:
    """A Reading for an Excel error literal (``#REF!``), or None if the value is not one."""
    if isinstance(value, str) and value.strip().casefold() in EXCEL_ERRORS:
        return Reading(problem="TY03", detail=f"the cell shows the Excel error {value.strip()}")
    return None


def read_text(value: Any) -> Reading:
    """Text as typed, whitespace trimmed; numbers that are whole print without ``.0``."""
    if type(value) is str and (key := value.strip().casefold()) not in PLACEHOLDERS \
            and key not in EXCEL_ERRORS:
        # NOTE: most values read (every finding's reference): plain text, tested for a
        # placeholder and an error literal at once, which the tests below do one by one
        return Reading(" ".join(value.split()))
    if is_blank(value):
        return Reading()
    if (error := excel_error(value)) is not None:
        return error
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return Reading(value.date().isoformat() if value.time() == dt.time() else value.isoformat())
    return Reading(" ".join(str(value).split()))


def read_number(value: Any, number_format: str | None = None) -> Reading:
    """A number from a numeric cell or from text such as ``"5 "``, ``"1,200"``, ``"97%"``, ``£12k``.

    A numeric cell formatted as a percentage already holds the fraction (0.97), as Excel stores it.
    """
    if is_blank(value):
        return Reading()
    if isinstance(value, bool):
        return Reading(problem="TY01", detail="expected a number, found TRUE/FALSE")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return Reading(problem="TY01", detail="expected a number")
        return Reading(float(value))
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return Reading(problem="TY01", detail="expected a number, found a date")
    if (error := excel_error(value)) is not None:
        return error
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    scale = 1.0
    if text.endswith("%"):
        text, scale = text[:-1], 0.01
    text = text.lstrip("£")
    if text.startswith(("-£", "+£")):
        text = text[0] + text[2:]
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    if _NUMBER.match(text):
        return Reading(float(text) * scale)
    return Reading(problem="TY01", detail="expected a number")


def read_whole_number(value: Any, number_format: str | None = None) -> Reading:
    """A whole number (a likelihood or impact score); ``3.5`` is a problem, ``"3 "`` is 3."""
    reading = read_number(value, number_format)
    if reading.value is not None and not float(reading.value).is_integer():
        return Reading(problem="TY01", detail="expected a whole number")
    if reading.value is not None:
        return Reading(int(reading.value))
    return reading


def read_date(value: Any, number_format: str | None = None) -> Reading:
    """A date from a date cell, an Excel serial number, or day-first UK text.

    Accepted text: ``16.01.23``, ``16/01/2023``, ``16-1-23``, ``7 November 2017``, ``7 Nov 2017``,
    ``7th Nov 2017`` and ISO ``2023-01-16``. Numeric text is day first whenever it can be:
    ``03/04/2023`` is 3 April. Text that can only be month first (``12/25/2023``) is read as
    that date (Christmas) with a TY05 warning saying so, never silently; a year outside
    1900-2199 (``09-15-1013``) is a typing slip, TY02.
    """
    if is_blank(value):
        return Reading()
    if isinstance(value, dt.datetime):
        return Reading(value.date())
    if isinstance(value, dt.date):
        return Reading(value)
    if isinstance(value, bool):
        return Reading(problem="TY02", detail="expected a date, found TRUE/FALSE")
    if isinstance(value, (int, float)):
        if math.isfinite(value) and SERIAL_MIN <= value <= SERIAL_MAX:
            return Reading((EXCEL_EPOCH + dt.timedelta(days=int(value))).date())
        return Reading(problem="TY02", detail="expected a date, found a number")
    if (error := excel_error(value)) is not None:
        return error
    text = " ".join(str(value).split())
    if match := _NUMERIC_DATE.match(text):
        day, month, year = (int(part) for part in match.groups())
        if len(match.group(3)) == 2:
            year += 2000 if year < 70 else 1900
        if not _valid(year, month, day) and _valid(year, day, month):
            return _month_first(text, dt.date(year, day, month))
        return _real_date(year, month, day, text)
    if match := _ISO_DATE.match(text):
        year, month, day = (int(part) for part in match.groups())
        return _real_date(year, month, day, text)
    if _MONTH_WORD.search(text) and re.search(r"\d{4}|\d{1,2}\s*$", text):
        return _month_name_date(text)
    return Reading(problem="TY02", detail="expected a date written day first, such as 16/01/2023")


FIRST_YEAR, LAST_YEAR = 1900, 2199  #: Years a register's date can have; others are typing slips.
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")  #: (not the locale's: messages are English)


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def long_date(day: dt.date) -> str:
    """``14 July 2023``: a date no reader can take the wrong way round."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def _real_date(year: int, month: int, day: int, text: str) -> Reading:
    try:
        read = dt.date(year, month, day)
    except ValueError:
        return Reading(problem="TY02", detail=f"{text} is not a real date (day/month/year)")
    return _plausible(read, text) or Reading(read)


def _plausible(read: dt.date, text: str) -> Reading | None:
    """TY02 for a date whose year is a slip (``1013`` for 2013 or 2023); None if it is fine."""
    if FIRST_YEAR <= read.year <= LAST_YEAR:
        return None
    return Reading(problem="TY02", detail=f"the year {read.year} in '{text}' looks mistyped, so "
                                          "it is not used as a date")


def _month_first(text: str, read: dt.date) -> Reading:
    """A date that can only be read month first: used, with a TY05 warning naming it."""
    if (slip := _plausible(read, text)) is not None:
        return slip
    return Reading(read, problem="TY05", detail=(
        f"'{text}' can only be a date written month first ({long_date(read)}); write it day "
        f"first, {read:%d/%m/%Y}, or as a real date. It is read as {long_date(read)}"))


def swapped(value: Any) -> dt.date | None:
    """A real date cell with its day and month swapped: what ``06/12/2023`` (stored as 6 December)
    means if it was typed month first and Excel took it day first. None where no swap is
    possible (day above 12) or it changes nothing (day equals month), and for text."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date) or value.day > 12 or value.day == value.month:
        return None
    return dt.date(value.year, value.day, value.month)


def written_order(value: Any) -> str | None:
    """How numeric text such as ``07-14-2023`` was written: ``"month"`` first (only readable so),
    ``"day"`` first (only readable so), ``"either"``; None for anything else (a real date too)."""
    if not isinstance(value, str):
        return None
    match = _NUMERIC_DATE.match(" ".join(value.split()))
    if match is None:
        return None
    first, second = int(match.group(1)), int(match.group(2))
    if first <= 12 and second <= 12:
        return "either"
    if first <= 12 < second <= 31:
        return "month"
    if second <= 12 < first <= 31:
        return "day"
    return None


def _month_name_date(text: str) -> Reading:
    """``7 November 2017``, ``7th Nov 17``, ``November 2017`` (the 1st): dateutil, day first."""
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text, flags=re.IGNORECASE)
    if not re.search(r"\d{4}", cleaned) and not re.match(r"^\d{1,2}\s+[A-Za-z]+\.?\s+\d{2}$", cleaned):
        return Reading(problem="TY02", detail="the date needs a year, such as 7 November 2017")
    try:
        parsed = dateutil_parser.parse(cleaned, dayfirst=True, default=dt.datetime(2000, 1, 1))
    except (ValueError, OverflowError):
        return Reading(problem="TY02", detail=f"{text} is not a real date")
    return _plausible(parsed.date(), text) or Reading(parsed.date())
