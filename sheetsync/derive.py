"""Recompute derived columns: risk scores and ratings, issue ages and overdue flags.

Derivations run before validation so the checks can compare what the sheet says with what it
should say. Each adds a ``calc:<column>`` column; nothing here reports findings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from .config import Config
from .schemas import RegisterSpec

CALC = "calc:"  #: Prefix of a recomputed column.
EFFECTIVE = "effective:"  #: Prefix of the score used for comparisons: recomputed, else as typed.


@dataclass(frozen=True, slots=True)
class Context:
    """What a derivation may depend on besides the frame."""

    spec: RegisterSpec
    config: Config
    as_of: dt.date


Derivation = Callable[[pd.DataFrame, str, Context], pd.Series | None]
DERIVATIONS: dict[str, Derivation] = {}


def derivation(name: str) -> Callable[[Derivation], Derivation]:
    """Register a derivation under the name schema files use for it."""

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
        if values is not None:
            derived[CALC + column] = values
            if spec.columns.get(column) is not None and spec.columns[column].measure == "score":
                stored = derived[column] if column in derived else pd.Series(float("nan"),
                                                                              index=derived.index)
                derived[EFFECTIVE + column] = values.fillna(stored)
        elif column in derived and spec.columns[column].measure == "score":
            derived[EFFECTIVE + column] = derived[column]
    return derived


@derivation("likelihood_times_impact")
def likelihood_times_impact(frame: pd.DataFrame, column: str, context: Context) -> pd.Series | None:
    """Score = likelihood x impact, where both are whole numbers inside the matrix."""
    assessment = context.spec.columns[column].assessment
    likelihood, impact = f"{assessment}_likelihood", f"{assessment}_impact"
    if likelihood not in frame or impact not in frame:
        return None
    in_matrix = (frame[likelihood].between(1, len(context.config.likelihood_labels))
                 & frame[impact].between(1, len(context.config.impact_labels)))
    return (frame[likelihood] * frame[impact]).where(in_matrix)


@derivation("band_of_score")
def band_of_score(frame: pd.DataFrame, column: str, context: Context) -> pd.Series | None:
    """Rating = the name of the configured band the (recomputed, else typed) score falls in."""
    score = EFFECTIVE + column.replace("_rating", "_score")
    if score not in frame:
        # NOTE: ratings are derived after scores (schema order puts score first).
        return None
    return frame[score].map(lambda s: _band_name(s, context.config)).astype(object)


def _band_name(score: float, config: Config) -> str | None:
    if pd.isna(score):
        return None
    band = config.band_for(score)
    return band.name if band else None


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
