"""UK local-government financial quarters: Q1 is April to June, the year runs April to March."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Quarter:
    """A financial quarter, such as Q3 2022/23 (October to December 2022)."""

    number: int  #: 1 to 4.
    start_year: int  #: The calendar year the financial year starts in (2022 for 2022/23).

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def first_day(self) -> dt.date:
        month = 4 + 3 * (self.number - 1)
        return dt.date(self.start_year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def months(self) -> str:
        names = ["April to June", "July to September", "October to December", "January to March"]
        return f"{names[self.number - 1]} {self.first_day.year}"

    def previous(self) -> Quarter:
        return Quarter(4, self.start_year - 1) if self.number == 1 else Quarter(
            self.number - 1, self.start_year)


def quarters_before(quarter: Quarter, count: int) -> list[str]:
    """Labels of the ``count`` quarters before ``quarter``, oldest first (for trends)."""
    labels = []
    for _ in range(count):
        quarter = quarter.previous()
        labels.append(quarter.label)
    return labels[::-1]


def quarter_of(day: dt.date) -> Quarter:
    """The financial quarter a date falls in."""
    start_year = day.year if day.month >= 4 else day.year - 1
    return Quarter((day.month - 4) % 12 // 3 + 1, start_year)


_LABEL = re.compile(
    r"^\s*(?:q|quarter)\s*([1-4])\s*,?\s*(?:of\s+)?(?:fy\s*)?(\d{4})\s*(?:[/\-.]|to)\s*(\d{2}|\d{4})\s*$",
    re.IGNORECASE)


def parse_quarter(text: str) -> Quarter:
    """``Q3 2022/23``, ``Q3 2022-23``, ``Quarter 3 2022/2023``, ``Q3 2022 to 2023``; else ValueError."""
    match = _LABEL.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a quarter such as 'Q3 2022/23'")
    number, start, end = int(match.group(1)), int(match.group(2)), match.group(3)
    end_year = int(end) if len(end) == 4 else (start // 100) * 100 + int(end)
    if end_year != start + 1:
        raise ValueError(f"{text!r}: a financial year runs from one year into the next, "
                         f"such as 2022/23")
    return Quarter(number, start)
