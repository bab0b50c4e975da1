"""One tidy record per register row: canonical columns, derived columns and provenance."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from .config import Config
from .derive import CALC, EFFECTIVE
from .schemas import RegisterSpec

RISK_FIELDS = (
    "workbook", "sheet", "row", "ref", "description", "owner", "workstream", "status",
    "inherent_likelihood", "inherent_impact", "inherent_score", "inherent_rating",
    "residual_likelihood", "residual_impact", "residual_score", "residual_rating",
    "target_likelihood", "target_impact", "target_score", "target_rating",
    "review_date", "target_date",
)
ISSUE_FIELDS = (
    "workbook", "sheet", "row", "ref", "description", "owner", "date_logged", "priority",
    "status", "target_date", "resolution_date", "age_days", "overdue",
)
FIELDS = {"risk_register": RISK_FIELDS, "issues_log": ISSUE_FIELDS}
RECORD_FILES = {"risk_register": "risks.csv", "issues_log": "issues.csv"}


def build_records(frame: pd.DataFrame, spec: RegisterSpec, config: Config, workbook: str,
                  sheet: str) -> list[dict[str, Any]]:
    """Records for every row of ``frame`` (the derived frame), with the kind's fields in order."""
    columns: dict[str, list[Any]] = {
        "workbook": [workbook] * len(frame), "sheet": [sheet] * len(frame),
        "row": [int(r) for r in frame.index]}
    vocabularies = {"priority": config.vocabulary("issue_priority"),
                    "status": config.vocabulary("issue_status")} if spec.kind == "issues_log" else {}
    for name in FIELDS[spec.kind][3:]:
        values = [_plain(v) for v in _column(frame, name, spec, config)]
        if name in vocabularies:
            values = [_canonical_word(v, vocabularies[name]) if isinstance(v, str) else v
                      for v in values]
        columns[name] = values
    names = list(columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _column(frame: pd.DataFrame, name: str, spec: RegisterSpec, config: Config) -> list[Any]:
    """One record field for every row: recomputed where sheetsync derives it, else as read."""
    blank = [None] * len(frame)
    column = spec.columns.get(name)
    if column is not None and column.measure == "score":
        return frame[EFFECTIVE + name].tolist() if EFFECTIVE + name in frame else blank
    if column is not None and column.measure == "rating":
        computed = frame[CALC + name].tolist() if CALC + name in frame else blank
        typed = frame[name].tolist() if name in frame else blank
        return [c if not _missing(c) else _band_word(t, config) for c, t in zip(computed, typed,
                                                                                  strict=True)]
    if CALC + name in frame:
        return frame[CALC + name].tolist()
    return frame[name].tolist() if name in frame else blank


def _band_word(typed: Any, config: Config) -> Any:
    band = config.band_named(typed) if isinstance(typed, str) else None
    return band.name if band else typed


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def _canonical_word(text: str, words: tuple[str, ...]) -> str:
    """``low`` -> ``Low`` when the vocabulary has it; other text unchanged."""
    wanted = " ".join(text.split()).casefold()
    return next((w for w in words if w.casefold() == wanted), text)


def _plain(value: Any) -> Any:
    if value is None:
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
