"""One tidy record per register row: canonical columns, derived columns and provenance."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from sheetsync.read.values import is_missing
from sheetsync.report.record_fields import FIELDS
from sheetsync.results import RecordTable
from sheetsync.rules.columns import Columns
from sheetsync.rules.derive import CALC, EFFECTIVE
from sheetsync.settings.config import Config
from sheetsync.settings.schemas import RegisterSpec

#: Record fields taken from another column than their own name.
_SOURCES = {("action_plan", "status"): CALC + "status_code"}
#: Record fields given as the officer typed them (a KPI's target, "<26 weeks").
_AS_TYPED = {("kpi_sheet", "target")}


def build_records(raw: pd.DataFrame, spec: RegisterSpec, config: Config, workbook: str,
                  sheet: str, taken: Columns) -> RecordTable:
    """Records for every row of the derived frame whose columns ``taken`` gives (others read
    them too), with the kind's fields in order; ``raw``: the rows as typed."""
    count = len(taken.index)
    columns: dict[str, list[Any]] = {
        "workbook": [workbook] * count, "sheet": [sheet] * count,
        "row": [int(r) for r in taken.index.tolist()]}
    vocabularies = {"priority": config.vocabulary("issue_priority"),
                    "status": config.vocabulary("issue_status")} if spec.kind == "issues_log" else {}
    for name in FIELDS[spec.kind][3:]:
        source: pd.Series | list[Any] | None
        if (spec.kind, name) in _AS_TYPED:
            source = raw[name].tolist() if name in raw else None
        elif (spec.kind, name) in _SOURCES:
            source = taken[_SOURCES[(spec.kind, name)]].tolist() \
                if _SOURCES[(spec.kind, name)] in taken else None
        else:
            source = _column(taken, count, name, spec, config)
        if source is None:  # NOTE: a field the sheet has no column for: no value to convert
            columns[name] = [None] * count
            continue
        if isinstance(source, pd.Series):
            dtype = source.dtype
            if isinstance(dtype, np.dtype) and dtype.kind == "M":
                # NOTE: plain dates as _plain gives them (ISO text, NaT as None), by numpy:
                # a Timestamp each, then its date's text, cost four times as much
                columns[name] = [None if text == "NaT" else text for text in
                                 np.datetime_as_string(source.to_numpy(), unit="D").tolist()]
                continue
            if dtype == np.float64:
                columns[name] = _plain_floats(source.to_numpy())
                continue
            source = source.tolist()
        if set(map(type, source)) <= _PLAIN_TYPES:  # NOTE: text, whole numbers and blanks, as they are
            values = source
        else:
            values = [v if type(v) in _PLAIN_TYPES else _plain_float(v) if type(v) is float
                      else _plain(v) for v in source]
        if name in vocabularies:
            values = [_canonical_word(v, vocabularies[name]) if isinstance(v, str) else v
                      for v in values]
        columns[name] = values
    return RecordTable(list(columns), list(columns.values()))


def _column(frame: Columns, rows: int, name: str, spec: RegisterSpec,
            config: Config) -> pd.Series | list[Any] | None:
    """One record field for every row: recomputed where sheetsync derives it, else as read
    (None: the sheet has neither)."""
    column = spec.columns.get(name)
    if column is not None and column.measure == "score":
        return frame.get(EFFECTIVE + name)
    if column is not None and column.measure == "rating":
        if CALC + name not in frame and name not in frame:
            return None
        blank = [None] * rows
        computed = frame[CALC + name].tolist() if CALC + name in frame else blank
        typed = frame[name].tolist() if name in frame else blank
        # NOTE: a band's name (text) is never missing: asked of the rest only
        return [c if type(c) is str or not is_missing(c) else _band_word(t, config)
                for c, t in zip(computed, typed, strict=True)]
    if CALC + name in frame:
        return frame[CALC + name]
    return frame.get(name)


def _band_word(typed: Any, config: Config) -> Any:
    band = config.band_named(typed) if isinstance(typed, str) else None
    return band.name if band else typed


def _canonical_word(text: str, words: tuple[str, ...]) -> str:
    """``low`` -> ``Low`` when the vocabulary has it; other text unchanged."""
    wanted = " ".join(text.split()).casefold()
    return next((w for w in words if w.casefold() == wanted), text)


_PLAIN_TYPES = frozenset({str, int, type(None)})
_SHORT = 64  #: Rows a column has at most to be made plain number by number.


def whole_numbers(numbers: np.ndarray) -> np.ndarray | None:
    """Floats as objects, each whole number an int (as ``int(v) if v.is_integer()``), the rest
    (NaN too) floats; None when a whole number is 2**62 or more across (or infinite), where
    an int64 might not hold it.

    NOTE: by numpy, the whole numbers found at once and made ints together: a comprehension
    took 16 ms per 50,000."""
    whole = numbers == np.trunc(numbers)  # (False for NaN; True for infinity, kept out below)
    if np.abs(numbers[whole]).max(initial=0) >= 2.0 ** 62:
        return None
    plain = numbers.astype(object)
    plain[whole] = numbers[whole].astype(np.int64).astype(object)
    return plain


def _plain_floats(numbers: np.ndarray) -> list[Any]:
    """A float column's values as _plain_float gives them: NaN as None, whole numbers as int."""
    # NOTE: a short column one number at a time: numpy's steps cost it 4 microseconds more
    plain = whole_numbers(numbers) if len(numbers) > _SHORT else None
    if plain is None:
        return [_plain_float(v) for v in numbers.tolist()]
    plain[np.isnan(numbers)] = None
    return plain.tolist()


def _plain_float(value: float) -> float | int | None:
    if value != value:  # NaN
        return None
    return int(value) if value.is_integer() else value


def _plain(value: Any) -> Any:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date().isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        if pd.isna(value):
            return None
        return int(value) if value.is_integer() else value
    if value is pd.NA or value is pd.NaT:
        return None
    return value
