"""Risk appetite and targets over time: whether each risk is within appetite, and the flags the
governance checks of ``risk_register.yaml`` (RR12 to RR15) look at.

Built on the residual and target scores as ``derive`` computes them (recomputed, else as
typed); how scores are worked out is not this module's business. ``derive`` registers
``governance_flags`` as the ``appetite`` derivation, so every flag is a ``calc:`` column and
each check marks its own cell through the generic ``flag`` check.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import numpy as np
import pandas as pd

from sheetsync.read.values import blank_values, is_blank_cell
from sheetsync.settings.config import Config
from sheetsync.settings.governance import fold, stated_within
from sheetsync.settings.scales import Scoring

#: Columns a target counts as recorded by, when any is filled in.
_TARGET_COLUMNS = ("target_score", "target_likelihood", "target_impact")


def governance_flags(frame: pd.DataFrame, config: Config, as_of: dt.date,
                     residual: pd.Series | None, target: pd.Series | None,
                     scoring: Scoring | None = None) -> pd.DataFrame:
    """One row per risk: whether it is exempt, its appetite, whether it is within it, and the
    checks' flags.

    ``residual`` and ``target`` are the effective residual and target scores (None when the
    sheet has no such assessment). Nothing is flagged where a score or an appetite is unknown.
    ``scoring`` is the sheet's own (a word scale, a legend; None: the settings'): an appetite
    set on the settings' scale is read on it (``on_scale``).
    """
    if not len(frame):
        return pd.DataFrame([], index=frame.index)
    appetite, exempt = config.governance.appetite, config.governance.exempt
    nothing: list[Any] = [None] * len(frame)

    def column(name: str) -> list[Any]:
        return frame[name].tolist() if name in frame else nothing

    # NOTE: plain lists, one pass: a row at a time through pandas cost seconds on 50,000 rows.
    scores = _numbers(residual) if residual is not None else nothing
    aims = _numbers(target) if target is not None else nothing
    recorded = _any_filled([column(c) for c in _TARGET_COLUMNS if c in frame])
    # NOTE: treatment is the further actions, or, on a sheet with no such column, its controls
    # ("Mitigation Strategy"): a risk beyond appetite with neither recorded is untreated
    treatment = next((c for c in ("actions", "controls") if c in frame), None)
    actions = column(treatment) if treatment else None
    closed = {fold(w) for w in config.vocabulary("risk_closed_status")}
    as_of_stamp = pd.Timestamp(as_of)

    # NOTE: one string per distinct message, not one per row (memory on a large register).
    @functools.cache
    def text(ceiling: int, category: Any, is_own: bool) -> str:
        return _text(appetite.describe(ceiling), category, is_own,
                     fold(category) in appetite.by_category)

    @functools.cache
    def appetite_of(category: Any, own: Any, stated: Any) -> int | None:
        ceiling = appetite.ceiling(category, own)
        if ceiling is None and stated_within(stated) is None:
            ceiling = appetite.read(stated)  # a level typed in "Within appetite?"
        return ceiling if ceiling is None or scoring is None else on_scale(
            ceiling, config.scoring, scoring)

    @functools.cache
    def is_closed(status: Any) -> bool:
        return fold(status) in closed

    @functools.cache
    def verdict(score: float, ceiling: int) -> str:
        return _verdict(score, score > ceiling, appetite.describe(ceiling))

    # NOTE: column by column, each flag a list made in one pass: a dict per row, turned into
    # columns afterwards, cost twice as much on a register of a hundred rows
    categories, owns, stated = column("workstream"), column("appetite"), column("within_appetite")
    ceilings = [appetite_of(category, own, said)
                for category, own, said in zip(categories, owns, stated, strict=True)]
    above = [score is not None and ceiling is not None and score > ceiling
             for score, ceiling in zip(scores, ceilings, strict=True)]
    within = [None if score is None or ceiling is None else ("No" if is_above else "Yes")
              for score, ceiling, is_above in zip(scores, ceilings, above, strict=True)]
    flagged = column("exempt")
    # NOTE: the treatment's blank values found among its distinct ones: a call per row at
    # risk cost 5 ms per 25,000
    blanks = blank_values(actions) if actions is not None else set()
    nothing_flagged = [False] * len(frame)
    # NOTE: a sheet with no appetite column (most) has no row with its own: not asked for
    # each row, nor are its yes / no cells (5-10 ms per 50,000 rows each)
    owned = [appetite.read(own) is not None for own in owns] if "appetite" in frame \
        else nothing_flagged
    flags: dict[str, list[Any] | np.ndarray] = {
        # NOTE: no row is exempt when the sheet has no such column and no reference is listed
        # (the settings' default): not asked for every row
        "exempt": nothing if "exempt" not in frame and not exempt.references else [
            "Yes" if exempt.is_exempt(flag, ref) else None
            for flag, ref in zip(flagged, column("ref"), strict=True)],
        "appetite": ceilings,
        "appetite_residual": scores,
        "appetite_target": aims,
        "within_appetite": within,
        "appetite_text": [None if ceiling is None else text(ceiling, category, is_own)
                          for ceiling, category, is_own in zip(ceilings, categories, owned,
                                                               strict=True)],
        "appetite_verdict": [None if ceiling is None or score is None else verdict(score, ceiling)
                             for score, ceiling in zip(scores, ceilings, strict=True)],
        "untreated": _flags([is_above and actions is not None and action in blanks
                             for is_above, action in zip(above, actions or nothing, strict=True)]),
        "no_target": _flags([is_above and recorded is not None and not has_target
                             for is_above, has_target in zip(above, recorded or nothing,
                                                             strict=True)]),
        "target_above_appetite": _flags([aim is not None and ceiling is not None and aim > ceiling
                                         for aim, ceiling in zip(aims, ceilings, strict=True)]),
        "appetite_disagrees": _flags([_disagrees(said, is_within)
                                      for said, is_within in zip(stated, within, strict=True)]
                                     if "within_appetite" in frame else nothing_flagged),
        "appetite_column_disagrees": _flags([_disagrees(own, is_within)
                                             for own, is_within in zip(owns, within, strict=True)]
                                            if "appetite" in frame else nothing_flagged),
        "target_missed": _flags([
            score is not None and aim is not None and not is_closed(status) and score > aim
            and isinstance(date, pd.Timestamp) and not pd.isna(date) and date < as_of_stamp
            for score, aim, status, date in zip(scores, aims, column("status"),
                                                column("target_date"), strict=True)]),
    }
    return pd.DataFrame(flags, index=frame.index)


def on_scale(ceiling: int, settings: Scoring, sheet: Scoring) -> int:
    """An appetite set on the settings' scale (12, or the top of a band) on a sheet's own scale:
    the top of the sheet's band of the same name (or word), else of the band as far from the
    top; a score that is no band's top, in proportion to the sheet's highest score."""
    tops = [(band, later.start - 1) for band, later in zip(settings.bands, settings.bands[1:],
                                                          strict=False)]
    tops.append((settings.bands[-1], int(settings.max_score)))
    for position, (band, top) in enumerate(tops):
        if top != ceiling:
            continue
        mine = sheet.band_named(band.name)
        if mine is None:
            from_top = len(tops) - position
            mine = sheet.bands[-from_top] if from_top <= len(sheet.bands) else None
        if mine is not None:
            later = [b.start for b in sheet.bands if b.start > mine.start]
            return min(later) - 1 if later else int(sheet.max_score)
    return max(1, round(ceiling * sheet.max_score / settings.max_score))


def _flags(values: list[bool]) -> np.ndarray:
    """A yes / no flag for each row (always a bool: pandas would find the same dtype, in more time)."""
    return np.array(values, dtype=bool)


def _numbers(column: pd.Series) -> list[float | None]:
    """Each score as a plain number, None where there is none.

    NOTE: a column of plain floats (as ``derive`` makes a score) needs only its NaN turned
    to None: ``_number`` called for each of 50,000 rows cost more than the flags it feeds."""
    values = column.tolist()
    if column.dtype == np.float64:
        return [None if v != v else v for v in values]
    return [_number(v) for v in values]


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return None if value != value else float(value)  # (NaN)


def _any_filled(columns: list[list[Any]]) -> list[bool] | None:
    """Per row, whether any of ``columns`` is filled in (None: the sheet has none of them)."""
    if not columns:
        return None
    return [any(not is_blank_cell(v) for v in values) for values in zip(*columns, strict=True)]


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
    if stated is None:
        return False
    said = stated_within(stated)
    return said is not None and within is not None and said != (within == "Yes")
