"""Where a header's labels sit: in the rows above (a group cell, or a label over nothing),
merged across a grid of level columns marked with an X, or beside a second table to the right.
"""

from __future__ import annotations

from sheetsync.read.vocabulary import Vocabulary
from sheetsync.settings.schemas import normalise


def marked_grids(texts: list[list[str]], merged: dict[tuple[int, int], tuple[int, int]],
                  row_number: int, vocabulary: Vocabulary
                  ) -> list[tuple[int, str, str, tuple[tuple[int, str], ...]]]:
    """Likelihood or impact given as a mark under one of several level columns: a group cell
    merged over three to six columns names the measure ("Probability", "Consequences") and
    each column under it is headed with a short level word (VL, L, M, H, VH).
    (first column, measure, header, ((column, level word), ...)) for each."""
    if row_number < 2:
        return []
    above, labels = texts[row_number - 2], texts[row_number - 1]
    grids = []
    for (row, col), source in merged.items():
        if (row, col) != source or row != row_number - 1:
            continue
        span = [c for (r, c), s in merged.items() if s == source and r == row]
        first, last = min(span), max(span)
        name = vocabulary.measures.get(normalise(above[col - 1]))
        words = labels[first - 1:last]
        if name not in ("likelihood", "impact") or not 3 <= len(words) <= 6 or \
                not all(w and len(w.split()) <= 2 for w in words) or len(set(words)) != len(words):
            continue
        grids.append((first, name, above[col - 1],
                      tuple((c, labels[c - 1]) for c in range(first, last + 1))))
    return grids


def with_labels_above(texts: list[list[str]], merged: dict[tuple[int, int], tuple[int, int]],
                       row_number: int) -> list[str]:
    """The header row's labels, a blank cell taking the label of the cell above it: a two-row
    header whose "Ref", "Owner" sit in the upper row, unmerged, over nothing (a group cell
    merged across columns lends no label)."""
    labels = list(texts[row_number - 1])
    if row_number < 2:
        return labels
    above = texts[row_number - 2]
    if not merged:  # NOTE: no merged cell can span columns: each blank takes the label above
        return [(label or above[col]) if col < len(above) else label
                for col, label in enumerate(labels)]
    for col, label in enumerate(labels, start=1):
        source = merged.get((row_number - 1, col))
        spans_columns = source is not None and any(
            merged.get((source[0], c)) == source for c in (col - 1, col + 1))
        if not label and col <= len(above) and above[col - 1] and not spans_columns:
            labels[col - 1] = above[col - 1]
    return labels


def main_block(labels: list[str], known: list[int]) -> tuple[int, int]:
    """The first and last column of the table the header belongs to: a lookup or key to its
    right, two or more empty columns away, is another table."""
    blocks: list[tuple[int, int]] = []
    start = gap = 0
    for col, label in enumerate(labels, start=1):
        if label:
            if not start or gap >= 2:
                if start:
                    blocks.append((start, col - gap - 1))
                start = col
            gap = 0
        elif start:
            gap += 1
    if start:
        blocks.append((start, len(labels) - gap))
    return max(blocks, key=lambda b: sum(1 for c in known if b[0] <= c <= b[1]))


def groups_above(texts: list[list[str]], merged: dict[tuple[int, int], tuple[int, int]],
                  row_number: int, col: int) -> list[str]:
    """The group cells over a header cell, nearest first: one or two rows of a two- or
    three-row header ("INHERENT RISK" merged over Likelihood | Impact | Risk)."""
    groups: list[str] = []
    # NOTE: a header merged down over the rows above ("Ref") has no group above it.
    if merged.get((row_number, col), (row_number, col))[0] != row_number:
        return groups
    for above in (row_number - 1, row_number - 2):
        if above >= 1 and texts[above - 1][col - 1]:
            groups.append(texts[above - 1][col - 1])
    return groups
