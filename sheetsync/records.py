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
    fields = FIELDS[spec.kind]
    records = []
    vocabularies = {"priority": config.vocabulary("issue_priority"),
                    "status": config.vocabulary("issue_status")} if spec.kind == "issues_log" else {}
    for row in frame.index:
        record: dict[str, Any] = {"workbook": workbook, "sheet": sheet, "row": int(row)}
        for name in fields[3:]:
            record[name] = _plain(_value(frame, row, name, spec, config))
            if name in vocabularies and isinstance(record[name], str):
                record[name] = _canonical_word(record[name], vocabularies[name])
        records.append(record)
    return records


def _value(frame: pd.DataFrame, row: int, name: str, spec: RegisterSpec, config: Config) -> Any:
    column = spec.columns.get(name)
    if column is not None and column.measure == "score":
        return frame.at[row, EFFECTIVE + name] if EFFECTIVE + name in frame else None
    if column is not None and column.measure == "rating":
        computed = frame.at[row, CALC + name] if CALC + name in frame else None
        if computed is not None and not pd.isna(computed):
            return computed
        typed = frame.at[row, name] if name in frame else None
        band = config.band_named(str(typed)) if isinstance(typed, str) else None
        return band.name if band else typed
    if CALC + name in frame:
        return frame.at[row, CALC + name]
    return frame.at[row, name] if name in frame else None


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
