"""The readers for what officers type: day first whenever a date can be, month first only with a
warning, never an exception."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.read.values import (
    read_date,
    read_number,
    read_text,
    read_whole_number,
    swapped,
    written_order,
)

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


@pytest.mark.parametrize(("typed", "expected"), [
    ("16.01.23", dt.date(2023, 1, 16)),
    ("16/01/2023", dt.date(2023, 1, 16)),
    ("16-1-23", dt.date(2023, 1, 16)),
    ("03/04/2023", dt.date(2023, 4, 3)),
    ("7 November 2017", dt.date(2017, 11, 7)),
    ("7 Nov 2017", dt.date(2017, 11, 7)),
    ("7th Nov 2017", dt.date(2017, 11, 7)),
    ("2023-01-16", dt.date(2023, 1, 16)),
    (" 16/01/2023 ", dt.date(2023, 1, 16)),
    (44942, dt.date(2023, 1, 16)),
    (dt.datetime(2023, 1, 16, 0, 0), dt.date(2023, 1, 16)),
])
def test_dates_are_read_day_first(typed: object, expected: dt.date) -> None:
    assert read_date(typed).value == expected


@pytest.mark.parametrize("typed", ["31.02.22", "02/31/2023", "32/01/2023", "Q3", "soon", "5",
                                   "7 November", True])
def test_text_that_is_not_a_real_date_is_a_problem(typed: object) -> None:
    reading = read_date(typed)
    assert reading.value is None
    assert reading.problem == "TY02"


@pytest.mark.parametrize("typed", [None, "", "  ", "n/a", "N/A", "-", "TBC", "tbd"])
def test_placeholders_are_blank_not_problems(typed: object) -> None:
    assert read_date(typed).missing
    assert read_number(typed).missing
    assert read_text(typed).missing


@pytest.mark.parametrize(("typed", "expected"), [
    ("5 ", 5.0), ("1,200", 1200.0), ("97%", 0.97), (0.97, 0.97), ("£12,000", 12000.0),
    ("-3", -3.0), (4, 4.0), ("1,200.50", 1200.5),
])
def test_numbers_typed_as_text(typed: object, expected: float) -> None:
    assert read_number(typed).value == pytest.approx(expected)


@pytest.mark.parametrize("typed", ["high", "95%%", "1,20", "3 or 4", True, dt.date(2023, 1, 1)])
def test_unreadable_numbers_are_problems(typed: object) -> None:
    assert read_number(typed).problem == "TY01"


def test_whole_numbers() -> None:
    assert read_whole_number("3 ").value == 3
    assert read_whole_number(3.0).value == 3
    assert read_whole_number(3.5).problem == "TY01"


def test_excel_error_values() -> None:
    assert read_number("#REF!").problem == "TY03"
    assert read_date("#N/A").problem == "TY03"
    assert read_text("#DIV/0!").problem == "TY03"


dates = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2068, 12, 31))


@given(dates)
def test_numeric_day_first_forms_round_trip(day: dt.date) -> None:
    for text in (f"{day.day:02d}/{day.month:02d}/{day.year}", f"{day.day}.{day.month}.{day.year}",
                 f"{day.day}-{day.month}-{day.year}"):
        assert read_date(text).value == day, text


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2068, 12, 31)))
def test_two_digit_years_round_trip(day: dt.date) -> None:
    assert read_date(f"{day.day:02d}.{day.month:02d}.{day.year % 100:02d}").value == day


@given(dates)
def test_month_names_round_trip(day: dt.date) -> None:
    name = MONTHS[day.month - 1]
    assert read_date(f"{day.day} {name} {day.year}").value == day
    assert read_date(f"{day.day} {name[:3]} {day.year}").value == day


@given(st.integers(1, 12), st.integers(1, 12), st.integers(1990, 2060))
def test_day_first_wins_when_both_readings_are_possible(first: int, second: int, year: int) -> None:
    """``a/b/yyyy`` is always day a of month b, whichever reading would also be valid."""
    reading = read_date(f"{first:02d}/{second:02d}/{year}")
    assert reading == (dt.date(year, second, first), None, "")


@given(st.dates(dt.date(1900, 1, 1), dt.date(2199, 12, 31)).filter(lambda d: d.day > 12),
       st.sampled_from(["/", "-", "."]), st.booleans())
def test_month_first_only_when_day_first_is_impossible(day: dt.date, sep: str, short: bool) -> None:
    """``07-14-2023`` can only be 14 July: read so, with a TY05 warning naming the date."""
    year = f"{day.year % 100:02d}" if short and 1970 <= day.year <= 2069 else str(day.year)
    typed = f"{day.month:02d}{sep}{day.day:02d}{sep}{year}"
    reading = read_date(typed)
    assert reading.value == day
    assert reading.problem == "TY05"
    assert reading.detail.startswith(f"'{typed}' can only be a date written month first "
                                     f"({day.day} ")
    assert f"write it day first, {day:%d/%m/%Y}, or as a real date" in reading.detail
    assert written_order(typed) == "month"


def test_month_first_warning_in_words() -> None:
    assert read_date("07-14-2023").detail == (
        "'07-14-2023' can only be a date written month first (14 July 2023); write it day first, "
        "14/07/2023, or as a real date. It is read as 14 July 2023")
    assert read_date("12/25/2023").value == dt.date(2023, 12, 25)


@pytest.mark.parametrize(("typed", "year"), [("09-15-1013", 1013), ("15/09/1013", 1013),
                                              ("15/09/3023", 3023), ("15 Sep 1013", 1013),
                                              ("1013-09-15", 1013)])
def test_impossible_years_are_not_dates(typed: str, year: int) -> None:
    """A year no register date has is a typing slip (1013 for 2013 or 2023): TY02, not used."""
    reading = read_date(typed)
    assert reading.value is None
    assert reading.problem == "TY02"
    assert reading.detail == f"the year {year} in '{typed}' looks mistyped, so it is not used as a date"


@given(st.integers(13, 31), st.integers(13, 31), st.integers(1990, 2060))
def test_impossible_months_are_problems_not_swaps(first: int, second: int, year: int) -> None:
    assert read_date(f"{first}/{second}/{year}").problem == "TY02"


@given(st.dates(dt.date(1900, 1, 1), dt.date(2199, 12, 31)), st.booleans())
def test_swapped_real_dates(day: dt.date, as_datetime: bool) -> None:
    """A real date's day and month swapped, where a swap is possible and changes something."""
    cell = dt.datetime(day.year, day.month, day.day) if as_datetime else day
    if day.day > 12 or day.day == day.month:
        assert swapped(cell) is None
    else:
        assert swapped(cell) == dt.date(day.year, day.day, day.month)
        assert swapped(swapped(cell)) == day
    assert swapped(f"{day:%d/%m/%Y}") is None  # text is never a suspect


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=True), st.none(), st.booleans(),
                 st.dates(), st.datetimes(),
                 st.builds("{}{}{}{}{}".format, st.integers(0, 99), st.sampled_from("/-. "),
                           st.integers(0, 99), st.sampled_from("/-. "), st.integers(0, 9999))))
def test_readers_never_raise(value: object) -> None:
    for reader in (read_date, read_number, read_whole_number, read_text):
        reading = reader(value)
        assert reading.problem in (None, "TY01", "TY02", "TY03", "TY05")
        if reading.problem == "TY05":  # read all the same, with the warning saying as what
            assert reader is read_date and isinstance(reading.value, dt.date) and reading.detail
        elif reading.problem:
            assert reading.value is None and reading.detail
    written_order(value)
    swapped(value)


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2))
def test_thousands_separated_numbers(number: object) -> None:
    text = f"{number:,.2f}"
    assert read_number(text).value == pytest.approx(float(number))
