"""Recompute derived columns: risk scores and ratings, issue ages and overdue flags.

Derivations run before validation so the checks can compare what the sheet says with what it
should say. Each adds a ``calc:<column>`` column; nothing here reports findings.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sheetsync.read.measures import Measure
from sheetsync.read.values import PLACEHOLDER, SWAPPED
from sheetsync.rules.dates import date_order
from sheetsync.rules.governance import governance_flags
from sheetsync.rules.outline import summary_rows
from sheetsync.rules.performance import (
    AMBER,
    GREEN,
    NO_DATA,
    RED,
    action_status,
    direction,
    rate_kpi,
    stored_rag,
)
from sheetsync.settings.config import Config, Tolerance
from sheetsync.settings.scales import Scoring
from sheetsync.settings.schemas import DERIVATION_NAMES, RegisterSpec

CALC = "calc:"  #: Prefix of a recomputed column.
EFFECTIVE = "effective:"  #: Prefix of the score used for comparisons: recomputed, else as typed.


@dataclass(frozen=True, slots=True)
class Context:
    """What a derivation may depend on besides the frame."""

    spec: RegisterSpec
    config: Config
    as_of: dt.date
    #: The sheet's scales and bands (its legend's, or a word scale's); None: the settings'.
    scoring: Scoring | None = None

    @property
    def scores(self) -> Scoring:
        """How this sheet's levels, scores and ratings are worked out."""
        return self.scoring if self.scoring is not None else self.config.scoring


#: A derivation gives one column (a Series, or a plain array on the frame's rows), or several
#: (a frame) that are all added with the prefix.
Derivation = Callable[[pd.DataFrame, str, Context], pd.Series | np.ndarray | pd.DataFrame | None]
DERIVATIONS: dict[str, Derivation] = {}


def derivation(name: str) -> Callable[[Derivation], Derivation]:
    """Register a derivation under the name schema files use for it."""
    assert name in DERIVATION_NAMES, f"add {name!r} to schemas.DERIVATION_NAMES"

    def register(function: Derivation) -> Derivation:
        DERIVATIONS[name] = function
        return function

    return register


def derive_frame(frame: pd.DataFrame, context: Context) -> pd.DataFrame:
    """``frame`` with a ``calc:`` column for every derived column the sheet has inputs for."""
    spec = context.spec
    derived = frame.copy()
    targets = [(c.name, c.derived) for c in spec.columns.values() if c.derived]
    targets += [(name, compute) for name, (_label, compute) in spec.derived.items()]
    for column, compute in targets:
        values = DERIVATIONS[compute](derived, column, context)
        if isinstance(values, pd.DataFrame):
            derived = _with_columns(derived, values)
            continue
        if values is not None:
            derived[CALC + column] = values
            if spec.columns.get(column) is not None and spec.columns[column].measure == "score":
                stored = derived[column] if column in derived.columns else None  # (not .get: see appetite)
                derived[EFFECTIVE + column] = _filled(values, stored, derived.index)
        elif column in derived and spec.columns[column].measure == "score":
            derived[EFFECTIVE + column] = derived[column]
    return derived


def _filled(values: pd.Series | np.ndarray, stored: pd.Series | None,
            index: pd.Index) -> pd.Series | np.ndarray:
    """``values.fillna(stored)`` (None: no stored column, all NaN): on float columns of one
    frame, on their bare arrays.

    NOTE: a plain array is given to the frame as it is: a Series made of it first cost more
    than the filling, and pandas would only take its array out again.
    """
    if isinstance(values, np.ndarray):  # (plain floats on the frame's rows)
        if stored is None:
            return values.copy()
        if stored.dtype == np.float64:
            return np.where(np.isnan(values), stored.to_numpy(), values)
        values = pd.Series(values, index=index)
    if stored is None:
        stored = pd.Series(float("nan"), index=index)
    if values.dtype == stored.dtype == np.float64 and values.index.equals(stored.index):
        recomputed = values.to_numpy()
        return np.where(np.isnan(recomputed), stored.to_numpy(), recomputed)
    return values.fillna(stored)


def _with_columns(derived: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """``derived`` with each column of ``values`` added as a ``calc:`` column.

    NOTE: new columns in one concatenation, not one insertion each (the appetite's thirteen
    flags cost a tenth of a small register's checking); a column already there is replaced
    where it stands.
    """
    names = [CALC + name for name in values.columns]
    if len(set(names)) < len(names) or any(name in derived for name in names) or \
            not values.index.equals(derived.index):
        for name in values.columns:
            derived[CALC + name] = values[name]
        return derived
    values.columns = pd.Index(names)  # NOTE: renamed in place (the derivation's own frame): set_axis copies
    return pd.concat([derived, values], axis="columns")


@derivation("likelihood_times_impact")
def likelihood_times_impact(frame: pd.DataFrame, column: str,
                            context: Context) -> pd.Series | np.ndarray | None:
    """Score = likelihood x impact (or the sheet's matrix's score), where both are whole
    numbers inside the matrix."""
    assessment = context.spec.columns[column].assessment
    likelihood, impact = f"{assessment}_likelihood", f"{assessment}_impact"
    if likelihood not in frame or impact not in frame:
        return None
    scoring = context.scores
    likelihoods, impacts = frame[likelihood], frame[impact]  # (each looked up once)
    if scoring.score_matrix is None and likelihoods.dtype == impacts.dtype == "float64":
        # NOTE: the same sums on the bare arrays: a dozen pandas operations on a register of
        # a hundred rows cost more than the arithmetic
        lv, iv = likelihoods.to_numpy(), impacts.to_numpy()
        with np.errstate(invalid="ignore"):
            inside = ((lv >= 1) & (lv <= scoring.likelihood.size) & (iv >= 1)
                      & (iv <= scoring.impact.size) & (lv % 1 == 0) & (iv % 1 == 0))
        return np.where(inside, lv * iv, np.nan)  # NOTE: on the frame's rows, given to it as it is
    in_matrix = (likelihoods.between(1, scoring.likelihood.size)
                 & impacts.between(1, scoring.impact.size)
                 & (likelihoods % 1 == 0) & (impacts % 1 == 0))
    if scoring.score_matrix is None:
        return (likelihoods * impacts).where(in_matrix)
    looked_up = [scoring.score(int(lv), int(iv)) if inside else None
                 for lv, iv, inside in zip(likelihoods, impacts, in_matrix, strict=True)]
    return pd.Series(looked_up, index=frame.index, dtype="float64")


@derivation("band_of_score")
def band_of_score(frame: pd.DataFrame, column: str, context: Context) -> pd.Series | None:
    """Rating = the name of the band the (recomputed, else typed) score falls in, or the
    rating the sheet's matrix gives its likelihood and impact."""
    scoring = context.scores
    if scoring.rating_matrix is not None:
        assessment = context.spec.columns[column].assessment
        likelihood, impact = f"{assessment}_likelihood", f"{assessment}_impact"
        if likelihood not in frame or impact not in frame:
            return None
        return pd.Series([_looked_up(scoring, lv, iv) for lv, iv in
                          zip(frame[likelihood], frame[impact], strict=True)],
                         index=frame.index, dtype=object)
    score = EFFECTIVE + column.replace("_rating", "_score")
    if score not in frame:
        # NOTE: ratings are derived after scores (schema order puts score first).
        return None
    return _banded(frame[score], scoring)


def _banded(scores: pd.Series, scoring: Scoring) -> pd.Series:
    """Each score's band name, as ``scores.map({score: name}).astype(object)`` gives it.

    NOTE: each distinct score is banded once; on plain floats each score is then given its
    name by its place among the sorted distinct scores (numpy's ``searchsorted``: a hundred
    rows through ``Series.map`` cost ten times the banding), with the names made what
    ``map`` makes them: pandas reads the names as one column (a missing name beside words
    turns NaN), and a score with no name is NaN.
    """
    if scores.dtype != np.float64:
        by_score = {s: _band_name(s, scoring) for s in scores.dropna().unique()}
        return scores.map(by_score).astype(object)
    values = scores.to_numpy()
    distinct = np.unique(values[~np.isnan(values)])  # (sorted)
    shown = _as_mapped(tuple(_band_name(s, scoring) for s in distinct))
    # NOTE: each score's name taken by its place among the sorted distinct scores (a missing
    # score sorts after them all: the last name, NaN), not looked up score by score (5 ms
    # per 50,000); by numpy, as pandas' indexer cost a short column 35 microseconds more
    names = np.array([*shown, np.nan], dtype=object)
    return pd.Series(names[np.searchsorted(distinct, values)], index=scores.index,
                     dtype=object, name=scores.name)


@functools.lru_cache(maxsize=256)
def _as_mapped(names: tuple[str | None, ...]) -> tuple[Any, ...]:
    """Band names as ``Series.map`` gives them (read as one column, then as objects); the
    same few sets of names come back for register after register."""
    return tuple(pd.Series(list(names), dtype=None if names else np.float64).astype(object))


def _band_name(score: float, scoring: Scoring) -> str | None:
    if pd.isna(score):
        return None
    band = scoring.band_for(score)
    return band.name if band else None


def _looked_up(scoring: Scoring, likelihood: float, impact: float) -> str | None:
    if pd.isna(likelihood) or pd.isna(impact) or likelihood % 1 or impact % 1:
        return None
    return scoring.looked_up_rating(int(likelihood), int(impact))


@derivation("age_in_days")
def age_in_days(frame: pd.DataFrame, column: str, context: Context) -> pd.Series | None:
    """Days from the date logged to the as-of date."""
    if "date_logged" not in frame:
        return None
    as_of = pd.Timestamp(context.as_of)
    return (as_of - frame["date_logged"]).dt.days.astype("Float64").astype(object).where(
        frame["date_logged"].notna(), None)


@derivation("issue_overdue")
def issue_overdue(frame: pd.DataFrame, column: str, context: Context) -> pd.Series | None:
    """Yes when the target date has passed and the issue is not closed; No otherwise."""
    if "target_date" not in frame:
        return None
    closed = {s.casefold() for s in context.config.vocabulary("issue_closed_status")}
    is_open = (frame["status"].map(lambda s: not (isinstance(s, str) and s.casefold() in closed))
               if "status" in frame else pd.Series(True, index=frame.index))
    if "resolution_date" in frame:
        is_open &= frame["resolution_date"].isna()
    overdue = frame["target_date"].notna() & (frame["target_date"] < pd.Timestamp(context.as_of))
    return (overdue & is_open).map({True: "Yes", False: "No"}).astype(object)


@derivation("kpi_status")
def kpi_status(frame: pd.DataFrame, column: str, context: Context) -> pd.DataFrame | None:
    """Status against target, the values compared, and the flags the KPI checks look at."""
    if "target" not in frame:
        return None
    config = context.config
    rows = []
    for index in frame.index:
        row = frame.loc[index]
        tolerance = _tolerance(row, config)
        result = rate_kpi(row.get("target"), row.get("actual"), row.get("polarity"), tolerance,
                          config)
        typed_rag = row.get("rag")
        disagrees = (result.status in (GREEN, AMBER, RED) and isinstance(typed_rag, str)
                     and stored_rag(typed_rag) != result.status)
        rows.append({
            "status": result.status, "target_value": result.target_value, "unit": result.unit,
            "polarity": result.polarity, "actual_value": result.actual_value,
            "target_unclear": result.target_unclear, "actual_unreadable": result.actual_unreadable,
            "units_differ": result.units_differ, "no_data": result.status == NO_DATA,
            "rag_disagrees": disagrees,
            "red_without_comment": result.status == RED and not isinstance(row.get("comment"), str),
        })
    return pd.DataFrame(rows, index=frame.index)


def _tolerance(row: pd.Series, config: Config) -> Tolerance:
    """The KPI's own Tolerance cell, else the config's tolerance for its name, else the default."""
    typed = row.get("tolerance")
    own = None
    if isinstance(typed, Measure) and typed.usable and typed.value is not None:
        # NOTE: 5% (typed, or 0.05 in a %-formatted cell) is relative; 2 or "2 points" absolute.
        own = Tolerance("relative" if typed.unit == "%" else "absolute", typed.value)
    name = " ".join(str(row.get("kpi") or "").casefold().split())
    return own or config.kpi_tolerances.get(name) or config.kpi_tolerance


@derivation("kpi_direction")
def kpi_direction(frame: pd.DataFrame, column: str, context: Context) -> pd.Series | None:
    """Improved / Worse / No change against the previous period's value, when the sheet has one."""
    if "previous" not in frame or CALC + "actual_value" not in frame:
        return None
    return pd.Series([
        direction(current if current is not None and not pd.isna(current) else None, previous,
                  target, polarity, context.config.kpi_no_change)
        for current, previous, target, polarity in zip(
            frame[CALC + "actual_value"], frame["previous"], frame["target"],
            frame[CALC + "polarity"], strict=True)], index=frame.index, dtype=object)


@derivation("action_status")
def action_status_code(frame: pd.DataFrame, column: str, context: Context) -> pd.DataFrame | None:
    """G / A / R / B from the status words, and whether a typed status is not one of them."""
    if "status" not in frame:
        return None
    codes = [action_status(s, context.config) for s in frame["status"]]
    unknown = [code is None and isinstance(typed, str)
               for code, typed in zip(codes, frame["status"], strict=True)]
    return pd.DataFrame({"status_code": codes, "status_unknown": unknown}, index=frame.index)


@derivation("action_overdue")
def action_overdue(frame: pd.DataFrame, column: str, context: Context) -> pd.DataFrame | None:
    """Overdue: the target date has passed and the action is not complete (B)."""
    if "target_date" not in frame:
        return None
    complete = frame.get(CALC + "status_code", pd.Series(None, index=frame.index)) == "B"
    passed = frame["target_date"].notna() & (frame["target_date"] < pd.Timestamp(context.as_of))
    # NOTE: a phase heading (see ``outline``) is late only through its tasks, which say so.
    heading = frame.get(CALC + "summary_row", pd.Series(False, index=frame.index)).astype(bool)
    overdue = (passed & ~complete & ~heading).map({True: "Yes", False: "No"}).astype(object)
    if "status" not in frame:  # a task schedule with no status: whether it is done is not known
        overdue[:] = None
    tbc = frame.get(PLACEHOLDER + "target_date", pd.Series(False, index=frame.index))
    return pd.DataFrame({"overdue": overdue,
                         "date_to_be_confirmed": tbc.astype(bool)}, index=frame.index)


@derivation("outline")
def outline_headings(frame: pd.DataFrame, column: str, context: Context) -> pd.DataFrame | None:
    """Which rows of an outline-numbered plan head the tasks below them (see ``outline``)."""
    if "ref" not in frame:
        return None
    return pd.DataFrame({"summary_row": summary_rows(frame["ref"])}, index=frame.index)


@derivation("date_order")
def action_date_order(frame: pd.DataFrame, column: str, context: Context) -> pd.DataFrame | None:
    """An action's target date before its start date, or one of them stored day-and-month
    swapped (see ``dates``)."""
    if "start_date" not in frame or "target_date" not in frame:
        return None
    return date_order(frame["start_date"], frame["target_date"], frame.get(SWAPPED + "start_date"),
                      frame.get(SWAPPED + "target_date"), "start date", "target date")


@derivation("appetite")
def appetite(frame: pd.DataFrame, column: str, context: Context) -> pd.DataFrame | None:
    """Within appetite, and the flags of the appetite and target checks (see ``governance``)."""
    residual, target = EFFECTIVE + "residual_score", EFFECTIVE + "target_score"
    # NOTE: not frame.get, which finds a missing column by catching pandas' KeyError
    return governance_flags(frame, context.config, context.as_of,
                            residual=frame[residual] if residual in frame.columns else None,
                            target=frame[target] if target in frame.columns else None,
                            scoring=context.scoring)
