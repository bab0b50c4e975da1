"""Outline-numbered plans (a WBS): a row numbered ``2`` followed by ``2.1``, ``2.2``... is the
heading of those tasks, not a task of its own.

Project trackers often number phases ``1, 2, 3`` and their tasks ``1.1, 1.2``; the phase row
carries the phase's dates but no status or lead of its own (its tasks have them). Such a row is
checked for what it holds, but not asked for a status or lead, nor reported overdue.
"""

from __future__ import annotations

import re

import pandas as pd

_OUTLINE = re.compile(r"^\d+(\.\d+)*$")


def summary_rows(refs: pd.Series) -> pd.Series:
    """True for each row whose outline number (``2``, ``2.1``) heads the next row's (``2.1``,
    ``2.1.1``); False elsewhere, and everywhere on a sheet not numbered so."""
    keys = [_outline_number(ref) for ref in refs]
    heads = [key is not None and following is not None and following.startswith(key + ".")
             for key, following in zip(keys, [*keys[1:], None][:len(keys)], strict=True)]
    return pd.Series(heads, index=refs.index, dtype=bool)


def _outline_number(ref: object) -> str | None:
    """``2``, ``2.1``: the outline number a reference cell holds, or None. A number stored as
    1.1000000000000001 (how Excel keeps 1.1) is 1.1."""
    if isinstance(ref, (int, float)) and not isinstance(ref, bool):
        ref = f"{ref:.10g}" if ref == ref else ""
    if not isinstance(ref, str):
        return None
    text = ref.strip()
    if re.fullmatch(r"\d+\.\d{11,}", text):  # (a float read as text, digits and all)
        text = f"{float(text):.10g}"
    return text if _OUTLINE.match(text) else None
