"""Turn raw cell values into typed columns, and unreadable values into findings on their cells."""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from sheetsync.findings import STRUCTURAL_RULES, Finding
from sheetsync.read import values
from sheetsync.read.levels import read_level
from sheetsync.read.measures import read_measure
from sheetsync.read.rows import RawSheet

READERS: dict[str, Callable[[Any], values.Reading]] = {
    "text": values.read_text,
    "number": values.read_number,
    "whole_number": values.read_whole_number,
    "date": values.read_date,
}
_EXPECTED = {"number": "a number", "whole_number": "a whole number", "date": "a date, day first "
             "(such as 16/01/2023)", "text": "text", "level": "a level of the scale"}


def coerce_sheet(sheet: RawSheet, workbook: str) -> tuple[pd.DataFrame, list[Finding]]:
    """A typed frame (same index and columns as ``sheet.raw``) and the TY findings."""
    spec = sheet.layout.spec
    typed: dict[str, Any] = {}
    findings: list[Finding] = []
    refs = sheet.raw.get("ref")
    # NOTE: every column's values in one step: a pandas look-up per column cost more
    raw_columns = dict(zip(sheet.raw.columns, sheet.raw.to_numpy(dtype=object).T.tolist(),
                           strict=True))
    for column in sheet.raw.columns:
        column_spec = spec.columns[column]
        if column_spec.type == "measure":
            # NOTE: a KPI value that cannot be read is judged by the KPI checks (a target that
            # cannot be read is a warning, an actual an error), not here.
            typed[column] = pd.Series(
                [read_measure(v, sheet.formats.get((column, row)))
                 for row, v in zip(sheet.raw.index, raw_columns[column], strict=True)],
                index=sheet.raw.index, dtype=object)
            continue
        raw_values = raw_columns[column]
        if column_spec.type == "level":
            assert sheet.scoring is not None, "a register with levels is read with a scoring"
            # NOTE: a probability beside a likelihood is read on the likelihood's scale
            scale = sheet.scoring.scale("impact" if column_spec.measure == "impact" else "likelihood")
            read_values, problems = read_column(raw_values, "level",
                                                functools.partial(read_level, scale=scale))
        else:
            read_values, problems = read_column(raw_values, column_spec.type)
        for position, reading in problems.items():
            assert reading.problem is not None  # NOTE: read_column keeps only readings with one
            # NOTE: a plain int: numpy's went into the history as text, and a reused workbook's
            # findings then matched no row (no owner).
            row, value = int(sheet.raw.index[position]), raw_values[position]
            ref = sheet.layout.columns[column]
            expected = _EXPECTED[column_spec.type]
            if column_spec.type == "level":
                expected = f"one of {scale.known_words()}"
            findings.append(Finding(
                workbook=workbook, sheet=sheet.sheet, cell=f"{ref.letter}{row}", row=row,
                column=ref.header, ref=row_reference(refs, row), value=value, rule=reading.problem,
                severity=STRUCTURAL_RULES[reading.problem].severity,
                # NOTE: a value read all the same (TY05) says what it was read as, not "Enter".
                message=f"{ref.header}: {reading.detail}." if reading.value is not None
                else _message(ref.header, value, expected, reading.detail)))
        typed[column] = _column(column_spec.type, read_values, sheet.raw.index)
        if column_spec.type == "date":
            # NOTE: "TBC" reads as no date; checks may still want to say it was written.
            typed[values.PLACEHOLDER + column] = np.array(
                [value is None and position not in problems and not values.is_blank_cell(typed_as)
                 for position, (value, typed_as) in enumerate(zip(read_values, raw_values,
                                                                  strict=True))], dtype=bool)
    findings += [_continuation(sheet, workbook, refs, *where) for where in sheet.continuations]
    dates = [c for c in sheet.raw.columns if spec.columns[c].type == "date"]
    if month_first(raw_columns[c] for c in dates):
        for column in dates:
            typed[values.SWAPPED + column] = _column(
                "date", [values.swapped(v) for v in raw_columns[column]], sheet.raw.index)
    return pd.DataFrame(typed, index=sheet.raw.index), findings


def month_first(columns: Iterable[list[Any]]) -> bool:
    """True when a sheet's dates typed as text are written month first: more of them can only
    be read month first (``07-14-2023``) than only day first (``14-07-2023``). Its real date
    cells may then have been typed month first and stored by Excel with day and month swapped.
    """
    typed = Counter(v for column in columns for v in column if type(v) is str)
    orders: Counter[str | None] = Counter()
    for text, count in typed.items():  # NOTE: each distinct text once (a long sheet repeats them)
        orders[values.written_order(text)] += count
    return orders["month"] > orders["day"]


def _continuation(sheet: RawSheet, workbook: str, refs: pd.Series | None, column: str, row: int,
                  entry: int, text: str) -> Finding:
    """A row whose only text carries on the entry above: read with it, and said, because
    sorting or filtering the sheet would separate the two halves."""
    ref = sheet.layout.columns[column]
    return Finding(
        workbook=workbook, sheet=sheet.sheet, cell=f"{ref.letter}{row}", row=row, column=ref.header,
        ref=row_reference(refs, entry), value=text, rule="LY01",
        severity=STRUCTURAL_RULES["LY01"].severity,
        message=f"This text on row {row} carries on the {ref.header} of row {entry} above. Put it "
                f"in cell {ref.letter}{entry} (Alt+Enter starts a new line in a cell), so sorting "
                "and filtering keep it with its entry.")


def read_all_the_same(finding: Finding) -> bool:
    """A reading finding whose value was used all the same (TY05), so the checks of its cell
    still run; any other TY finding stands for the checks of its cell."""
    return finding.rule in _READ_ALL_THE_SAME


_READ_ALL_THE_SAME = frozenset({"TY05"})


def read_column(raw: list[Any], value_type: str,
                reader: Callable[[Any], values.Reading] | None = None
                ) -> tuple[list[Any], dict[int, values.Reading]]:
    """The values read from a column, and the readings that found a problem, by position.

    NOTE: the plain cases (a number in a number cell, a date in a date cell, ordinary text,
    a blank number or date: every reader reads None as nothing) skip the full reader and make
    no Reading: they are most of a large sheet's reading time (a score formula never
    calculated is a blank). Each type has a loop of its own, so a cell costs one test of its
    value.
    """
    reader = reader or READERS[value_type]
    read: list[Any] = []
    append = read.append
    problems: dict[int, values.Reading] = {}
    seen: dict[Any, values.Reading] = {}

    def in_full(position: int, value: Any) -> Any:
        # NOTE: typed-as-text values repeat down a column (one review date for every risk),
        # and so do blank cells: each distinct one is read once.
        cached = value is None or type(value) is str
        reading = seen.get(value) if cached else None
        if reading is None:
            reading = reader(value)
            if cached:
                seen[value] = reading
        if reading.problem is not None:
            problems[position] = reading
        return reading.value

    if value_type == "text" and len(distinct := set(raw)) * 4 <= len(raw):
        # NOTE: a column of few texts (owners, directorates, ratings) tidies each once and
        # looks the rest up: 14 ms for 50,000 cells became 3 ms; the set costs a column of
        # distinct texts (descriptions) 2 ms, which then goes on as below
        tidied = {value: text for value in distinct if (text := _tidy_text(value)) is not None}
        for position, value in enumerate(raw):
            text = tidied.get(value)
            append(text if text is not None else in_full(position, value))
    elif value_type == "text":
        for position, value in enumerate(raw):
            text = _tidy_text(value)
            append(text if text is not None else in_full(position, value))
    elif value_type == "number":
        for position, value in enumerate(raw):
            kind = type(value)
            append(float(value) if kind is int or (kind is float and value == value)
                   else None if value is None else in_full(position, value))
    elif value_type in ("whole_number", "level"):
        for position, value in enumerate(raw):
            append(value if type(value) is int else None if value is None
                   else in_full(position, value))
    elif value_type == "date":
        for position, value in enumerate(raw):
            kind = type(value)
            append(value if kind is dt.date else value.date() if kind is dt.datetime
                   else None if value is None else in_full(position, value))
    else:
        read = [in_full(position, value) for position, value in enumerate(raw)]
    return read, problems


_SPECIAL = frozenset("#")  #: Text starting so may be an Excel error literal: read in full.


def _tidy_text(value: Any) -> str | None:
    """Ordinary text as ``read_text`` reads it; None for anything to read in full (not text,
    a placeholder, maybe an Excel error).

    NOTE: the cell's own text where it was tidy already, not an equal copy: the frame holds it
    anyway, and a large register's text columns are most of its memory."""
    if type(value) is not str or value[:1] in _SPECIAL or \
            value.strip().casefold() in values.PLACEHOLDERS:
        return None
    tidy = " ".join(value.split())
    return value if tidy == value else tidy


def row_reference(refs: pd.Series | None, row: int) -> str | None:
    """The row's reference as typed (R9), for findings; None when the row has none."""
    if refs is None:
        return None
    reading = values.read_text(refs.get(row))
    return reading.value if isinstance(reading.value, str) else None


def _message(header: str, value: Any, expected: str, detail: str) -> str:
    shown = " ".join(str(value).split())
    if expected.startswith("one of ") and detail.startswith("expected"):
        return f"{header} holds '{shown}', which is not a level of this sheet's scale. Enter {expected}."
    if detail.startswith("expected"):
        return f"{header} holds '{shown}', which is not {expected}. Enter {expected}."
    return f"{header}: {detail}. Enter {expected}."


def _column(value_type: str, items: list[Any], index: pd.Index) -> pd.Series | np.ndarray:
    """A typed column for the frame: a numpy array where its dtype is plain (float, dates),
    else a Series.

    NOTE: the frame takes a plain array as it is (no Series made of it first: a dozen per
    register cost a tenth of coercing it); an object column stays a Series, which pandas
    takes as it is, where an object array would be looked at for a dtype to convert to.
    """
    if value_type in ("number", "whole_number", "level"):
        # NOTE: made a numpy array first (pandas' own conversion of a list cost twice as much),
        # by numpy, which reads None as NaN: a comprehension over the values cost as much again
        return np.array(items, dtype=np.float64)
    if value_type == "date":
        stamps = _midnights(items)
        if stamps is not None:
            return stamps
        return pd.Series(pd.to_datetime(pd.Series(items, dtype=object), errors="coerce").array,
                         index=index, dtype="datetime64[ns]")
    return pd.Series(items, index=index, dtype=object)


_EPOCH = dt.date(1970, 1, 1).toordinal()
_DAY_NS = 86_400 * 10**9
_NAT = np.iinfo(np.int64).min  #: How numpy stores NaT.


def _midnights(items: list[Any]) -> np.ndarray | None:
    """Plain dates (or None) as ``datetime64[ns]`` midnights, as ``pd.to_datetime`` makes them;
    None when any is something else or outside the years nanoseconds can hold.

    NOTE: pandas' date parsing for a column of a hundred dates took half a millisecond.
    """
    stamps: list[int] = []  # (nanoseconds since 1970, as numpy stores them)
    for item in items:
        if item is None:
            stamps.append(_NAT)
        elif type(item) is dt.date and 1678 <= item.year <= 2261:
            stamps.append((item.toordinal() - _EPOCH) * _DAY_NS)
        else:
            return None
    return np.array(stamps, dtype=np.int64).view("datetime64[ns]")
