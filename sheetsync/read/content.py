"""What the cells under a header hold settles what a header means where its words do not:
a "Risk Level" of whole numbers is a score, one of two "Impact" columns holds descriptions."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sheetsync.read.locate import ColumnRef, Layout

SAMPLE_ROWS = 30  #: Rows under the header looked at to tell a score from a rating.


def settle_by_content(layout: Layout, below: list[list[Any]]) -> None:
    """What the cells under a header hold settles what a measure column is: of two likelihood
    (or impact) columns the one holding levels rather than descriptions; a "Risk Level" of
    whole numbers is the score, a "Score" of words the rating; a rating of fractions (a
    probability times an impact) is neither, and is left out."""
    def sample(ref: ColumnRef) -> list[Any]:
        # NOTE: formula cells show their formula here: they say nothing of what a column holds
        return [row[ref.index - 1] for row in below if ref.index <= len(row)
                and row[ref.index - 1] is not None and str(row[ref.index - 1]).strip()
                and not str(row[ref.index - 1]).startswith("=")]

    for duplicate in list(layout.duplicates):
        kept = layout.columns[duplicate.name]
        if layout.spec.columns[duplicate.name].measure not in ("likelihood", "impact"):
            continue
        kept_wordy, duplicate_wordy = _wordy(sample(kept)), _wordy(sample(duplicate))
        if kept_wordy == duplicate_wordy:
            continue
        # NOTE: descriptions under an "Impact"-like header ("Consequences") are not a second
        # impact: the column of levels is read, and the other is no duplicate to report
        described = kept if kept_wordy else duplicate
        layout.columns[duplicate.name] = duplicate if kept_wordy else kept
        layout.duplicates.remove(duplicate)
        layout.notes.append(f"{described.letter} '{described.header}' holds descriptions, not "
                            "levels: not read as a scale")
    for name, ref in list(layout.columns.items()):
        column = layout.spec.columns[name]
        if column.measure not in ("score", "rating"):
            continue
        values = sample(ref)
        numbers = [_number(v) for v in values]
        numeric = [n for n in numbers if n is not None]
        if not values or len(numeric) * 5 < len(values) * 4:
            if column.measure == "score" and values and not numeric:
                _rename(layout, name, f"{column.assessment}_rating", "holds rating words")
            continue
        if column.measure == "rating" and all(n == int(n) for n in numeric):
            _rename(layout, name, f"{column.assessment}_score", "holds whole numbers: the score")
        elif column.measure == "rating" or not all(n == int(n) for n in numeric):
            del layout.columns[name]
            layout.notes.append(f"{ref.letter} '{ref.header}' holds fractions, not a score from "
                                "the matrix or a rating: not checked")


def _rename(layout: Layout, old: str, new: str, why: str) -> None:
    if new in layout.columns or new not in layout.spec.columns:
        return
    ref = layout.columns.pop(old)
    layout.columns[new] = dataclasses.replace(ref, name=new)
    layout.notes.append(f"{ref.letter} '{ref.header}' {why}: read as {new.replace('_', ' ')}")


def _wordy(values: list[Any]) -> bool:
    """Mostly descriptions (four words or more), not levels."""
    long = sum(1 for v in values if isinstance(v, str) and len(v.split()) >= 4)
    return bool(values) and long * 2 >= len(values)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None
