"""Dates in order: an end before its start, and real dates typed month first that Excel stored
with their day and month swapped.

Where officers type dates month first (``07-14-2023``), Excel keeps what it cannot read as a date
as text, and stores what it can (``06-12-2023``) as a real date the wrong way round (6 December,
not 12 June). Such a cell looks like any other date, so it is suspected only when the row's own
order says so: the end is before the start as stored, and swapping the day and month of one of
them puts the two in order. Then the finding is a warning on that cell naming the date it
probably means; otherwise an end before its start is an error on the end.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from sheetsync.read.values import long_date

#: The flags ``date_order`` raises (each a column of its frame) and the text their messages use.
END_BEFORE_START, START_SWAPPED, END_SWAPPED = "end_before_start", "start_swapped", "end_swapped"
DETAIL = "date_order_detail"


def date_order(start: pd.Series, end: pd.Series, start_swapped: pd.Series | None = None,
               end_swapped: pd.Series | None = None, start_name: str = "start date",
               end_name: str = "end date") -> pd.DataFrame:
    """For each row, which of the three flags holds, and the words its message needs.

    ``start`` and ``end`` are read dates (NaT: none); ``*_swapped`` give, for real date cells
    of a sheet whose text dates are month first, the date with day and month swapped (NaT:
    not a suspect). Rows with either date missing, or in order, raise nothing.
    """
    flags = {name: pd.Series(False, index=start.index, dtype=bool)
             for name in (END_BEFORE_START, START_SWAPPED, END_SWAPPED)}
    detail = pd.Series("", index=start.index, dtype=object)
    wrong = start.notna() & end.notna() & (end < start)
    for row in start.index[wrong.to_numpy()]:
        begins, ends = _day(start.at[row]), _day(end.at[row])
        begins_swapped = _day(start_swapped.at[row]) if start_swapped is not None else None
        ends_swapped = _day(end_swapped.at[row]) if end_swapped is not None else None
        assert begins is not None and ends is not None  # NOTE: both present where ``wrong``
        if begins_swapped is not None and begins_swapped <= ends:
            flags[START_SWAPPED].at[row] = True
            detail.at[row] = _swap_words(begins, begins_swapped, end_name, ends)
        elif ends_swapped is not None and begins <= ends_swapped:
            flags[END_SWAPPED].at[row] = True
            detail.at[row] = _swap_words(ends, ends_swapped, start_name, begins)
        else:
            flags[END_BEFORE_START].at[row] = True
            detail.at[row] = f"{begins:%d/%m/%Y}"
    return pd.DataFrame({**flags, DETAIL: detail}, index=start.index)


def _day(value: object) -> dt.date | None:
    """A frame's date (a Timestamp; NaT or None for none) as a date."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, dt.datetime):  # (a Timestamp is one)
        return value.date()
    return value if isinstance(value, dt.date) else None


def _swap_words(stored: dt.date, meant: dt.date, other_name: str, other: dt.date) -> str:
    return (f"{stored:%d/%m/%Y} is stored as {long_date(stored)}; if it was typed month first it "
            f"means {long_date(meant)}, which fits the {other_name} {other:%d/%m/%Y}")
