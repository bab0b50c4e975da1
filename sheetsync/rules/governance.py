"""Risk appetite and targets over time: whether each risk is within appetite, and the flags the
governance checks of ``risk_register.yaml`` (RR12 to RR15) look at.

Built on the residual and target scores as ``derive`` computes them (recomputed, else as
typed); how scores are worked out is not this module's business. ``derive`` registers
``governance_flags`` as the ``appetite`` derivation, so every flag is a ``calc:`` column and
each check marks its own cell through the generic ``flag`` check.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from sheetsync.settings.config import Config
from sheetsync.settings.governance import fold, stated_within

#: Columns a target counts as recorded by, when any is filled in.
_TARGET_COLUMNS = ("target_score", "target_likelihood", "target_impact")


def governance_flags(frame: pd.DataFrame, config: Config, as_of: dt.date,
                     residual: pd.Series | None, target: pd.Series | None) -> pd.DataFrame:
    """One row per risk: whether it is exempt, its appetite, whether it is within it, and the
    checks' flags.

    ``residual`` and ``target`` are the effective residual and target scores (None when the
    sheet has no such assessment). Nothing is flagged where a score or an appetite is unknown.
    """
    appetite, exempt = config.governance.appetite, config.governance.exempt
    blank = pd.Series(None, index=frame.index, dtype=object)
    if residual is None:
        residual = pd.Series(float("nan"), index=frame.index)
    flagged = frame.get("exempt", blank)
    refs = frame.get("ref", blank)
    category = frame.get("workstream", blank)
    own = frame.get("appetite", blank)
    stated = frame.get("within_appetite", blank)
    targets = target if target is not None else pd.Series(float("nan"), index=frame.index)
    target_recorded = _any_filled(frame, [c for c in _TARGET_COLUMNS if c in frame])
    actions = frame.get("actions", None)
    closed = {fold(w) for w in config.vocabulary("risk_closed_status")}
    status = frame.get("status", blank)
    dates = frame.get("target_date", None)
    as_of_stamp = pd.Timestamp(as_of)
    rows = []
    for index in frame.index:
        score = _number(residual.at[index])
        aim = _number(targets.at[index])
        ceiling = appetite.ceiling(category.at[index], own.at[index])
        if ceiling is None and stated_within(stated.at[index]) is None:
            ceiling = appetite.read(stated.at[index])  # a level typed in "Within appetite?"
        above = score is not None and ceiling is not None and score > ceiling
        within = None if score is None or ceiling is None else ("No" if above else "Yes")
        is_open = fold(status.at[index]) not in closed
        date = dates.at[index] if dates is not None else None
        rows.append({
            "exempt": "Yes" if exempt.is_exempt(flagged.at[index], refs.at[index]) else None,
            "appetite": ceiling,
            "appetite_residual": score,
            "appetite_target": aim,
            "within_appetite": within,
            "appetite_text": None if ceiling is None else _text(
                appetite.describe(ceiling), category.at[index],
                appetite.read(own.at[index]) is not None,
                fold(category.at[index]) in appetite.by_category),
            "appetite_verdict": None if ceiling is None or score is None else _verdict(
                score, above, appetite.describe(ceiling)),
            "untreated": above and actions is not None and _blank(actions.at[index]),
            "no_target": above and target_recorded is not None and not target_recorded[index],
            "target_above_appetite": (aim is not None and ceiling is not None and aim > ceiling),
            "appetite_disagrees": _disagrees(stated.at[index], within),
            "appetite_column_disagrees": _disagrees(own.at[index], within),
            "target_missed": (is_open and score is not None and aim is not None and score > aim
                              and isinstance(date, pd.Timestamp) and not pd.isna(date)
                              and date < as_of_stamp),
        })
    return pd.DataFrame(rows, index=frame.index)


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return None if pd.isna(value) else float(value)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or (
        isinstance(value, str) and not value.strip())


def _any_filled(frame: pd.DataFrame, columns: list[str]) -> dict[Any, bool] | None:
    if not columns:
        return None
    return {index: any(not _blank(frame.at[index, c]) for c in columns) for index in frame.index}


def _text(limit: str, category: Any, is_own: bool, by_category: bool) -> str:
    """``a residual score of at most 12 (cautious), as set for Financial risks``."""
    if is_own:
        return f"{limit}, as its own appetite cell says"
    if by_category:
        return f"{limit}, as set for {' '.join(str(category).split())} risks"
    return f"{limit}, the default appetite"


def _verdict(score: float, above: bool, limit: str) -> str:
    shown = int(score) if float(score).is_integer() else score
    where = "above" if above else "within"
    limit = limit.replace("a residual score of ", "")
    return f"its residual score of {shown} is {where} its appetite of {limit}"


def _disagrees(stated: Any, within: str | None) -> bool:
    said = stated_within(stated)
    return said is not None and within is not None and said != (within == "Yes")
