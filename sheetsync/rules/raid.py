"""RAID logs: each row's type, and whether a likelihood applies to it.

The rows of a RAID log's risks and issues are checked by their own kinds (``read.raid`` splits
them off); what is left here is what only a RAID log can say: the type of each entry, and a
likelihood recorded for an entry it does not apply to (an issue has already happened).
"""

from __future__ import annotations

import pandas as pd

from sheetsync.read.raid import row_type
from sheetsync.read.values import is_blank_cell, is_missing
from sheetsync.rules.derive import Context, derivation


@derivation("raid_type")
def raid_type(frame: pd.DataFrame, column: str, ctx: Context) -> pd.DataFrame | None:
    """``raid_type`` (the type's name) and ``likelihood_not_applicable`` for each row."""
    if "type" not in frame:
        return None
    types = [row_type(v, ctx.spec) for v in frame["type"]]
    likelihood = frame["likelihood"] if "likelihood" in frame else pd.Series(None, index=frame.index)
    flags = [t is not None and not t.likelihood
             and not (is_missing(v) or is_blank_cell(v))
             for t, v in zip(types, likelihood, strict=True)]
    return pd.DataFrame({"raid_type": [t.name if t else None for t in types],
                         "likelihood_not_applicable": flags}, index=frame.index)
