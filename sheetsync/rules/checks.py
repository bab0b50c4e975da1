"""The checks schema files can name, each built as a pandera ``Check``.

A builder returns None when the sheet lacks the columns the check needs. Checks never raise on
data: blanks pass (a blank is the ``required`` check's business), so each problem is reported
once, by the check that is about it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from dateutil.relativedelta import relativedelta

from sheetsync.rules.columns import Columns
from sheetsync.rules.derive import CALC, EFFECTIVE, Context
from sheetsync.settings.schemas import CHECK_NAMES, CheckSpec


@dataclass(frozen=True, slots=True)
class BuiltCheck:
    """A pandera check plus what sheetsync needs to turn its failures into findings."""

    check: pa.Check
    column: str | None  #: Column the check is attached to; None for a frame-level check.
    target: str  #: Column whose cell the finding marks.
    expected: str | None = None  #: Frame column holding the expected value, for messages.
    #: True when a blank target fails the check, so a formula never calculated must not.
    fails_on_blank: bool = False


Builder = Callable[[CheckSpec, set[str], Context, str], BuiltCheck | None]
CHECK_BUILDERS: dict[str, Builder] = {}


def builder(name: str) -> Callable[[Builder], Builder]:
    assert name in CHECK_NAMES, f"add {name!r} to schemas.CHECK_NAMES"

    def register(function: Builder) -> Builder:
        CHECK_BUILDERS[name] = function
        return function

    return register


def _text_key(value: object) -> object:
    return " ".join(value.split()).casefold() if isinstance(value, str) else value


# NOTE: a check on a register of a hundred rows spent more on pandas' handling of each
# operation than on the comparisons, so plain float and date columns are compared as bare
# arrays, with the same verdicts (a blank passes, NaN compares false); other columns (text,
# nullable or zoned types) keep the pandas operations.

def _floats(series: pd.Series) -> np.ndarray | None:
    """The bare values of a column of plain floats, else None."""
    return series.to_numpy() if series.dtype == np.float64 else None


def _dates(series: pd.Series) -> np.ndarray | None:
    """The bare values of a column of plain (unzoned) dates, else None."""
    dtype = series.dtype
    return series.to_numpy() if isinstance(dtype, np.dtype) and dtype.kind == "M" else None


def _blanks(series: pd.Series) -> np.ndarray:
    """Which cells are blank, as ``series.isna()`` says (the same test on a plain array)."""
    if isinstance(series.dtype, np.dtype):
        return np.asarray(pd.isna(series.to_numpy()))
    return series.isna().to_numpy()


def _verdicts(passed: np.ndarray | list[bool], like: pd.Series | pd.DataFrame) -> pd.Series:
    """A check's verdict on each row of ``like`` (``passed`` is the check's own, not shared)."""
    return pd.Series(np.asarray(passed, dtype=bool), index=like.index, copy=False)


Verdicts = Callable[[Any], "np.ndarray | pd.Series"]


def _row_check(verdicts: Verdicts, key: str) -> pa.Check:
    """A check sheetsync built: its verdicts, one per row, under the check's ``key``; missing
    values are the verdicts' own to judge."""
    return pa.Check(RowVerdicts(verdicts), name=key, ignore_na=False)


class RowVerdicts:
    """A check function whose verdicts are worked out as a bare array (``bare``), given to
    pandera as a Series on the rows of what it checks. A frame-level check reads the
    frame's columns through ``Columns``.

    NOTE: ``validate._check_output`` calls ``bare`` and ``failing_rows`` reads the array:
    making a Series of each check's verdicts only to take its array out again cost a tenth of
    validating a register of a hundred rows; and its checks share one ``Columns``, so a column several
    of them read is taken out of the frame once.
    """

    def __init__(self, bare: Verdicts) -> None:
        self.bare = bare
        self.__name__ = bare.__name__  # (what pandera names the check's function by)

    def __call__(self, checked: pd.Series | pd.DataFrame) -> pd.Series:
        passed = self.bare(Columns(checked) if isinstance(checked, pd.DataFrame) else checked)
        return passed if isinstance(passed, pd.Series) else _verdicts(passed, checked)


def _rows(passed: np.ndarray | list[bool]) -> np.ndarray:
    """A check's own bare verdicts, as ``_verdicts`` makes them."""
    return np.asarray(passed, dtype=bool)


@builder("required")
def required(spec: CheckSpec, columns: set[str], ctx: Context, key: str) -> BuiltCheck | None:
    """A blank cell fails, except on rows where the derived flag ``unless`` names is raised
    (an outline plan's heading rows need no status)."""
    if spec.column not in columns:
        return None
    unless = CALC + str(spec.params["unless"]) if "unless" in spec.params else None
    if unless is not None and unless in columns:
        return BuiltCheck(_row_check(lambda df: df[spec.column].notna()
                                     | df[unless].astype(bool), key), None, spec.column,
                          fails_on_blank=True)
    return BuiltCheck(_row_check(lambda s: ~_blanks(s), key),
                      spec.column, spec.column, fails_on_blank=True)


@builder("unique")
def unique(spec: CheckSpec, columns: set[str], ctx: Context, key: str) -> BuiltCheck | None:
    """The second and later occurrences of a value fail; the first is fine."""
    if spec.column not in columns:
        return None

    def first_occurrence(series: pd.Series) -> np.ndarray:
        seen: set[object] = set()
        passed = []
        for value, blank in zip(series.tolist(), _blanks(series), strict=True):
            key = None if blank else _text_key(value)
            passed.append(blank or key not in seen)
            if not blank:
                seen.add(key)
        return _rows(passed)

    return BuiltCheck(_row_check(first_occurrence, key), spec.column,
                      spec.column)


@builder("in_scale")
def in_scale(spec: CheckSpec, columns: set[str], ctx: Context, key: str) -> BuiltCheck | None:
    if spec.column not in columns:
        return None
    top = ctx.scores.scale(str(spec.params.get("scale", "likelihood"))).size

    def on_scale(series: pd.Series) -> np.ndarray | pd.Series:
        values = _floats(series)
        if values is None:
            return series.isna() | series.between(1, top)
        return np.isnan(values) | ((values >= 1) & (values <= top))

    return BuiltCheck(_row_check(on_scale, key), spec.column, spec.column)


@builder("in_vocabulary")
def in_vocabulary(spec: CheckSpec, columns: set[str], ctx: Context, key: str) -> BuiltCheck | None:
    """Any case and spacing: ``low`` and ``LOW `` are Low."""
    if spec.column not in columns:
        return None
    allowed = {_text_key(w) for w in ctx.config.vocabulary(str(spec.params.get("vocabulary")))}
    return BuiltCheck(pa.Check(lambda s: s.isna() | s.map(_text_key).isin(allowed), name=key,
                               ignore_na=False), spec.column, spec.column)


@builder("not_after_as_of")
def not_after_as_of(spec: CheckSpec, columns: set[str], ctx: Context, key: str) -> BuiltCheck | None:
    if spec.column not in columns:
        return None
    as_of = pd.Timestamp(ctx.as_of)

    def not_after(series: pd.Series) -> np.ndarray | pd.Series:
        values = _dates(series)
        if values is None:
            return series.isna() | (series <= as_of)
        return np.isnat(values) | (values <= as_of.to_datetime64())

    return BuiltCheck(_row_check(not_after, key), spec.column, spec.column)


@builder("review_not_stale")
def review_not_stale(spec: CheckSpec, columns: set[str], ctx: Context, key: str) -> BuiltCheck | None:
    if spec.column not in columns:
        return None
    oldest = pd.Timestamp(ctx.as_of - relativedelta(months=ctx.config.review_staleness_months))

    def recent(series: pd.Series) -> np.ndarray | pd.Series:
        values = _dates(series)
        if values is None:
            return series.isna() | (series >= oldest)
        return np.isnat(values) | (values >= oldest.to_datetime64())

    return BuiltCheck(_row_check(recent, key), spec.column, spec.column)


@builder("given_together")
def given_together(spec: CheckSpec, columns: set[str], ctx: Context, key: str) -> BuiltCheck | None:
    """``column`` blank while ``other`` is filled in fails on ``column``'s cell."""
    other = str(spec.params["other"])
    if spec.column not in columns or other not in columns:
        return None
    return BuiltCheck(_row_check(lambda df: ~_blanks(df[spec.column]) | _blanks(df[other]), key),
                      None, spec.column, fails_on_blank=True)


@builder("equals_derived")
def equals_derived(spec: CheckSpec, columns: set[str], ctx: Context, key: str) -> BuiltCheck | None:
    """A typed value that differs from the recomputed one (both present)."""
    calc = CALC + spec.column
    if spec.column not in columns or calc not in columns:
        return None
    if spec.assessment is not None and not ctx.scores.defined:
        return None  # NOTE: a score on a word scale with no legend is the author's judgement

    def agrees(df: Columns) -> np.ndarray | pd.Series:
        stored, expected = df[spec.column], df[calc]
        typed, worked_out = _floats(stored), _floats(expected)
        if typed is None or worked_out is None:
            return stored.isna() | expected.isna() | ((stored - expected).abs() < 1e-9)
        with np.errstate(invalid="ignore"):
            return np.isnan(typed) | np.isnan(worked_out) | (np.abs(typed - worked_out) < 1e-9)

    return BuiltCheck(_row_check(agrees, key), None, spec.column, calc)


@builder("rating_matches_band")
def rating_matches_band(spec: CheckSpec, columns: set[str], ctx: Context,
                        key: str) -> BuiltCheck | None:
    """A typed rating word (``Red``, ``R``, ``High``) that is not the band of the score."""
    calc = CALC + spec.column
    if spec.column not in columns or calc not in columns or not ctx.scores.defined:
        return None

    def agrees(df: Columns) -> np.ndarray:
        def same(stored: Any, expected: Any) -> bool:
            if stored is None or expected is None or pd.isna(expected):
                return True
            band = ctx.scores.band_named(str(stored))
            # NOTE: a word that is no rating at all is RR20's to report, once
            return band is None or band.name.casefold() == str(expected).casefold()

        # NOTE: each distinct (stored, expected) pair is judged once
        verdicts: dict[tuple[Any, Any], bool] = {}
        result = []
        for pair in zip(df[spec.column].tolist(), df[calc].tolist(), strict=True):
            verdict = verdicts.get(pair)
            if verdict is None:
                verdict = verdicts[pair] = same(*pair)
            result.append(verdict)
        return _rows(result)

    return BuiltCheck(_row_check(agrees, key), None, spec.column, calc)


@builder("rating_is_a_word")
def rating_is_a_word(spec: CheckSpec, columns: set[str], ctx: Context,
                     key: str) -> BuiltCheck | None:
    """A typed rating that is none of the bands' words (``M - H``, ``TBC?``), whatever the
    scale: on a word scale with no legend too, where a rating is otherwise the author's call."""
    if spec.column not in columns:
        return None
    scores = ctx.scores
    matrix_words = {str(w).casefold() for row in scores.rating_matrix or () for w in row if w}

    def known(series: pd.Series) -> np.ndarray:
        # NOTE: each distinct word is looked up once: a column of 50,000 ratings holds a few
        verdicts: dict[Any, bool] = {}
        passed = []
        for value, blank in zip(series.tolist(), _blanks(series), strict=True):
            if not blank and value not in verdicts:
                verdicts[value] = scores.band_named(str(value)) is not None or \
                    str(value).strip().casefold() in matrix_words
            passed.append(blank or verdicts[value])
        return _rows(passed)

    return BuiltCheck(_row_check(known, key), spec.column, spec.column)


@builder("same_level")
def same_level(spec: CheckSpec, columns: set[str], ctx: Context, key: str) -> BuiltCheck | None:
    """Two readings of one level (a probability and the likelihood beside it) that disagree,
    both given: marked on ``column``."""
    other = str(spec.params["other"])
    if spec.column not in columns or other not in columns:
        return None
    return BuiltCheck(_row_check(lambda df: df[spec.column].isna() | df[other].isna()
                                 | (df[spec.column] == df[other]), key),
                      None, spec.column, other)


@builder("rated_alike")
def rated_alike(spec: CheckSpec, columns: set[str], ctx: Context, key: str) -> BuiltCheck | None:
    """On a word scale with no legend, the sheet's ratings are its own matrix: a rating unlike
    the one most risks of the same likelihood and impact have (two or more, over half) fails."""
    likelihood, impact = (spec.column.replace("_rating", m) for m in ("_likelihood", "_impact"))
    if ctx.scores.defined or not {spec.column, likelihood, impact} <= columns:
        return None

    def alike(df: Columns) -> pd.Series:
        said = df[spec.column].map(_text_key)
        pairs = list(zip(df[likelihood], df[impact], said, strict=True))
        groups: dict[tuple[Any, Any], dict[Any, int]] = {}
        for lv, iv, word in pairs:
            if pd.notna(lv) and pd.notna(iv) and isinstance(word, str):
                counts = groups.setdefault((lv, iv), {})
                counts[word] = counts.get(word, 0) + 1
        usual = {pair: max(counts, key=lambda w: counts[w]) for pair, counts in groups.items()
                 if max(counts.values()) >= 2 and max(counts.values()) * 2 > sum(counts.values())}
        return pd.Series([usual.get((lv, iv)) in (None, word) for lv, iv, word in pairs],
                         index=df.index, dtype=bool)

    return BuiltCheck(_row_check(alike, key), None, spec.column)


@builder("not_above")
def not_above(spec: CheckSpec, columns: set[str], ctx: Context, key: str) -> BuiltCheck | None:
    """The ``column`` score above the ``lower`` score; marked on the score cell, or its fallback."""
    higher, lower = EFFECTIVE + spec.column, EFFECTIVE + str(spec.params["lower"])
    if higher not in columns or lower not in columns:
        return None
    target = next((c for c in [spec.column, *spec.params.get("cell_fallback", [])] if c in columns),
                  None)
    if target is None:
        return None
    def not_higher(df: Columns) -> np.ndarray | pd.Series:
        above, below = _floats(df[higher]), _floats(df[lower])
        if above is None or below is None:
            return ~(df[higher] > df[lower])
        return ~(above > below)

    return BuiltCheck(_row_check(not_higher, key), None, target, lower)


@builder("not_before")
def not_before(spec: CheckSpec, columns: set[str], ctx: Context, key: str) -> BuiltCheck | None:
    other = str(spec.params["other"])
    if spec.column not in columns or other not in columns:
        return None
    return BuiltCheck(_row_check(lambda df: ~(df[spec.column] < df[other]), key), None, spec.column, other)


@builder("not_overdue")
def not_overdue(spec: CheckSpec, columns: set[str], ctx: Context, key: str) -> BuiltCheck | None:
    flag = CALC + "overdue"
    if spec.column not in columns or flag not in columns:
        return None
    return BuiltCheck(_row_check(lambda df: df[flag] != "Yes", key), None, spec.column)


@builder("flag")
def flag(spec: CheckSpec, columns: set[str], ctx: Context, key: str) -> BuiltCheck | None:
    """Fails where a derivation raised the named flag (True, or "Yes" for a Yes/No column);
    marked on ``column`` or its fallback."""
    raised = CALC + str(spec.params["flag"])
    if raised not in columns:
        return None
    target = next((c for c in [spec.column, *spec.params.get("cell_fallback", [])] if c in columns),
                  None)
    if target is None:
        return None
    expected = CALC + str(spec.params["expected"]) if "expected" in spec.params else None
    def clear(df: Columns) -> pd.Series:
        return ~df[raised].map(lambda v: v is True or v == "Yes").astype(bool)

    return BuiltCheck(_row_check(clear, key), None, target, expected)
