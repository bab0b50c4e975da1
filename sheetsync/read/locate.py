"""Find the header row of a register wherever it sits, and what each column means.

Officers put title rows above the header, leave blank rows, merge title cells, and use two-row
headers where a merged group cell ("Inherent risk") sits over repeated Likelihood / Impact /
Score columns. Column order is free and headers vary ("Revised Impact", "Risk Owner", "No.").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from sheetsync.read.content import SAMPLE_ROWS, settle_by_content
from sheetsync.read.grid import SheetGrid
from sheetsync.read.header_cells import groups_above, main_block, marked_grids, with_labels_above
from sheetsync.read.vocabulary import Vocabulary, vocabulary_of
from sheetsync.settings.schemas import RegisterSpec, normalise

SCAN_ROWS = 40  #: How far down a sheet a header row is looked for.


@dataclass(frozen=True, slots=True)
class ColumnRef:
    """Where a canonical column sits in the sheet."""

    name: str  #: Canonical name from the schema (``residual_impact``).
    index: int  #: 1-based column number.
    header: str  #: Header as the sheet shows it ("Residual risk: Impact").
    header_cell: str  #: A1 address of the header cell.
    #: A level marked with an X under one of several columns (VL L M H VH under a merged
    #: "Probability"): each column and the level word heading it.
    marks: tuple[tuple[int, str], ...] = ()

    @property
    def letter(self) -> str:
        return get_column_letter(self.index)


@dataclass(slots=True)
class Layout:
    """A register found on a sheet: its kind, header rows and column map."""

    spec: RegisterSpec
    header_row: int  #: The header row directly above the data.
    first_header_row: int  #: The group row of a two-row header, else ``header_row``.
    columns: dict[str, ColumnRef]
    duplicates: list[ColumnRef] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    last_column: int = 1  #: Rightmost header column of the table.
    #: What was read and decided, in plain words, for ``inspect`` and exceptions.json.
    notes: list[str] = field(default_factory=list)
    score: float = 0  #: How well the header fits the kind (best fit wins).
    reason: str = ""  #: Why the sheet was taken for this kind, in plain words.

    @property
    def kind(self) -> str:
        return self.spec.kind

    def cell(self, column: str, row: int) -> str | None:
        ref = self.columns.get(column)
        return f"{ref.letter}{row}" if ref else None


def locate_register(sheet: SheetGrid, specs: dict[str, RegisterSpec]) -> Layout | None:
    """The best-matching register on ``sheet``, or None when no header row is recognised."""
    candidates = _candidates(sheet, specs, strict=True)
    if not candidates:
        return None
    # NOTE: best fit over every kind and row, not the first kind over a threshold; on a tie
    # the higher row (a title row above a header never fits better than the header).
    layout = max(candidates, key=lambda c: (c.score, c.header_row - c.first_header_row,
                                            -c.header_row))
    runners = sorted({c.kind for c in candidates if c.kind != layout.kind})
    if runners:
        layout.reason += f"; fits better than {', '.join(k.replace('_', ' ') for k in runners)}"
    layout.metadata = _title_block(sheet.rows[: layout.first_header_row - 1])
    settle_by_content(layout, sheet.rows[layout.header_row:layout.header_row + SAMPLE_ROWS])
    return layout


def nearest_header(sheet: SheetGrid, specs: dict[str, RegisterSpec]) -> Layout | None:
    """For a sheet ``locate_register`` skips: the row that comes nearest to a header, with the
    columns it does name, although too few or without the kind's own (likelihood and impact
    for risks); None when no row names a single known column. For ``inspect``: it tells an
    analyst which header names to add to the settings."""
    candidates = _candidates(sheet, specs, strict=False)
    if not candidates:
        return None
    return max(candidates, key=lambda c: (c.score, len(c.columns), -c.header_row))


def _candidates(sheet: SheetGrid, specs: dict[str, RegisterSpec], strict: bool) -> list[Layout]:
    """Every (kind, row) whose header fits; with ``strict`` False, also those short of the
    kind's threshold (at least one known column)."""
    rows = sheet.rows[:SCAN_ROWS]
    if not rows:
        return []
    merged_top_left = _merged_cells(sheet, len(rows))
    # NOTE: a row with too few labels of its own, and no merged cell to lend it one, cannot
    # be a header row: most rows are skipped without looking up a single word.
    merged_rows = {row for row, _col in merged_top_left}
    labels = [sum(1 for v in row if isinstance(v, str)) for row in rows]
    texts = _texts(rows, merged_top_left)
    # NOTE: a merged range whose top-left cell is in the row above can head a grid of marks
    grid_heads = Counter(row for (row, col), source in merged_top_left.items()
                         if (row, col) == source)
    shown: dict[int, tuple[list[str], list[str]]] = {}  # the same for every kind
    candidates = []
    for spec in specs.values():
        vocabulary = vocabulary_of(spec)
        fewest = spec.min_columns if strict else 1
        for row_number in range(1, len(rows) + 1):
            if labels[row_number - 1] < fewest and row_number not in merged_rows:
                continue
            if row_number not in shown:
                above = with_labels_above(texts, merged_top_left, row_number)
                shown[row_number] = (above, [normalise(label) for label in above if label])
            above, words = shown[row_number]
            # NOTE: each known column is a label that can mean one (under some group) or a grid
            # of marks; a row with fewer such cells than the kind needs is no header of it
            # (most data rows, skipped without working out a layout)
            known = vocabulary.count_known(words)
            if known + grid_heads[row_number - 1] < fewest:
                continue
            layout = _layout_for_row(texts, merged_top_left, row_number, spec, vocabulary,
                                     strict, above)
            if layout is not None:
                candidates.append(layout)
    return candidates


def _merged_cells(sheet: SheetGrid, max_row: int) -> dict[tuple[int, int], tuple[int, int]]:
    """Every cell inside a merged range (in the scanned rows) -> its top-left cell."""
    cells = {}
    for min_row, min_col, max_row_merged, max_col in sheet.merged:
        if min_row > max_row:
            continue
        for row in range(min_row, min(max_row_merged, max_row) + 1):
            for col in range(min_col, max_col + 1):
                cells[(row, col)] = (min_row, min_col)
    return cells


def _text_at(rows: list[list[Any]], merged: dict[tuple[int, int], tuple[int, int]],
             row: int, col: int) -> str:
    source = merged.get((row, col), (row, col))
    r, c = source
    if r < 1 or r > len(rows) or c > len(rows[r - 1]):
        return ""
    return label_of(rows[r - 1][c - 1])


def _texts(rows: list[list[Any]], merged: dict[tuple[int, int], tuple[int, int]]) -> list[list[str]]:
    """The label shown in every scanned cell (a merged range's in each of its cells), worked
    out once: every register kind looks at the same candidate header rows.

    NOTE: each cell's own label, then a merged range's label copied into its other cells:
    ``_text_at`` for every cell of every scanned row was a tenth of locating a small sheet.
    """
    width = max(len(row) for row in rows)
    # NOTE: label_of written out: a call per cell was half the cost
    texts = [[str(value).strip() if value is not None and not isinstance(value, (int, float))
              else "" for value in row] + [""] * (width - len(row)) for row in rows]
    inside = [(row, col, _text_at(rows, merged, row, col)) for row, col in merged
              if row <= len(rows) and col <= width]
    for row, col, text in inside:
        texts[row - 1][col - 1] = text
    return texts


def label_of(value: Any) -> str:
    """A cell's value as a header label: its text, stripped; "" for a blank or a number."""
    return str(value).strip() if value is not None and not isinstance(value, (int, float)) else ""


def layout_at(sheet: SheetGrid, spec: RegisterSpec, row_number: int) -> Layout | None:
    """The columns ``spec`` knows in the header at ``row_number``, whether or not they would
    be recognised as that kind (a RAID log's risk rows are read with the risk register's)."""
    rows = sheet.rows[:max(SCAN_ROWS, row_number)]
    merged = _merged_cells(sheet, len(rows))
    return _layout_for_row(_texts(rows, merged), merged, row_number, spec, vocabulary_of(spec),
                           strict=False)


def _layout_for_row(texts: list[list[str]], merged: dict[tuple[int, int], tuple[int, int]],
                    row_number: int, spec: RegisterSpec, vocabulary: Vocabulary,
                    strict: bool = True, labels: list[str] | None = None) -> Layout | None:
    """The layout ``spec`` reads in the header at ``row_number`` (``labels``: its labels with
    those above, when already worked out)."""
    if labels is None:
        labels = with_labels_above(texts, merged, row_number)
    width = len(labels)
    found: list[tuple[int, str, str | None, str]] = []  # (col, header, assessment, name)
    used_group = labels != texts[row_number - 1]
    group_rows = 1 if used_group else 0
    grids = marked_grids(texts, merged, row_number, vocabulary)
    in_grid = {col for _first, _name, _header, marks in grids for col, _word in marks}
    for col in range(1, width + 1):
        label = labels[col - 1]
        source = merged.get((row_number, col), (row_number, col))
        if not label or col in in_grid or (source[0] == row_number and source[1] != col):
            continue  # NOTE: a header merged across columns names one column, its first
        groups = groups_above(texts, merged, row_number, col)
        meaning = None
        for group in groups or [""]:
            meaning = vocabulary.meaning(normalise(label), normalise(group))
            if meaning is not None and (meaning[0] is None or not group
                                        or vocabulary.assessment_in(normalise(group))):
                break
        if meaning is None:
            continue
        assessment, name = meaning
        header = label
        group = next((g for g in groups if vocabulary.assessment_in(normalise(g))), "")
        if group and assessment and vocabulary.assessment_in(normalise(label)) is None:
            header, used_group = f"{group}: {label}", True
            group_rows = max(group_rows, 1 + groups.index(group))
        found.append((col, " ".join(header.split()), assessment, name))
    found += [(first, header, None, name) for first, name, header, _marks in grids]
    found.sort()
    if not found:
        return None
    block = main_block(labels, [col for col, *_ in found])
    found = [f for f in found if block[0] <= f[0] <= block[1]]
    resolved = _resolve_assessments(found, spec)
    columns: dict[str, ColumnRef] = {}
    duplicates = []
    marked = {first: marks for first, _name, _header, marks in grids}
    for col, header, name in resolved:
        ref = ColumnRef(name=name, index=col, header=header,
                        header_cell=f"{get_column_letter(col)}{row_number}",
                        marks=marked.get(col, ()))
        if name in columns and _named_as_itself(spec, name, header) and \
                not _named_as_itself(spec, name, columns[name].header):
            duplicates.append(columns[name])  # NOTE: "Status" is the status, beside a "RAG"
            columns[name] = ref
        elif name in columns:
            duplicates.append(ref)
        else:
            columns[name] = ref
    # NOTE: ``nearest_header`` and ``layout_at`` (not strict) take the row as it is
    if not columns or strict and not _recognised(spec, columns, labels[block[0] - 1:block[1]]):
        return None
    last = max(col for col in range(block[0], block[1] + 1) if labels[col - 1])
    first_row = row_number - group_rows if used_group else row_number
    # NOTE: a header of two or three rows names its kind in any of them
    named = [" ".join(texts[r - 1][c - 1] for r in range(first_row, row_number + 1)
                      if c <= len(texts[r - 1])) for c in range(block[0], block[1] + 1)]
    score, reason = _fit(spec, vocabulary, columns, named)
    return Layout(spec=spec, header_row=row_number, first_header_row=first_row,
                  columns=columns, duplicates=duplicates, last_column=last, score=score,
                  reason=reason)


def _named_as_itself(spec: RegisterSpec, name: str, header: str) -> bool:
    """A header that is the column's own name ("Status"), not one of its other names ("RAG")."""
    column = spec.columns[name]
    return normalise(header) in (normalise(column.label), normalise(name.replace("_", " ")))


def has_own_column(spec: RegisterSpec, columns: dict[str, ColumnRef]) -> bool:
    """True when ``columns`` hold one the kind needs (likelihood or impact for a risk): the
    same test the locator makes, so ``inspect``'s near-miss names what it really lacks."""
    return not spec.needs_one_of or bool(_distinctive(spec, columns))


def _recognised(spec: RegisterSpec, columns: dict[str, ColumnRef], labels: list[str]) -> bool:
    """Enough known columns, all the kind's must-haves, one of its own columns (or a header
    naming the kind where it allows that), and no header that rules the kind out."""
    if len(columns) < spec.min_columns or any(n not in columns for n in spec.needs_all_of):
        return False
    if not has_own_column(spec, columns):
        return False
    return not (spec.ruled_out_by and any(
        _has_words(normalise(label), spec.ruled_out_by) for label in labels if label))


def _distinctive(spec: RegisterSpec, columns: dict[str, ColumnRef]) -> list[str]:
    """The kind's own columns in the header: those of ``needs_one_of``, and those of
    ``named_by`` whose header names the kind ("Issue Description", "Assumption ID")."""
    return [name for name, ref in columns.items()
            if name in spec.needs_one_of or spec.columns[name].measure in spec.needs_one_of
            or name in spec.named_by and _has_words(normalise(ref.header), spec.kind_words)]


def _has_words(text: str, words: tuple[str, ...]) -> bool:
    padded = f" {text} "
    return any(f" {word} " in padded for word in words if word)


def _fit(spec: RegisterSpec, vocabulary: Vocabulary, columns: dict[str, ColumnRef],
         labels: list[str]) -> tuple[float, str]:
    """How well a header fits a kind: each known column counts, the kind's own columns
    (likelihood and impact for risks; priority and dates for issues) three times, and each
    header naming the kind ("Risk ID", "Action / Decision") once more."""
    distinctive = _distinctive(spec, columns)
    worded = sum(1 for label in labels if label and any(
        word in normalise(label).split() for word in spec.kind_words))
    score = len(columns) + 2 * len(distinctive) + worded
    own = ", ".join(name.replace("_", " ") for name in distinctive) or "none"
    reason = (f"{spec.title.lower()}: {len(columns)} known columns, its own: {own}; "
              f"{worded} header{'' if worded == 1 else 's'} naming the kind")
    return score, reason


def _resolve_assessments(found: list[tuple[int, str, str | None, str]],
                         spec: RegisterSpec) -> list[tuple[int, str, str]]:
    """Give plain "Likelihood" / "Impact" columns the assessment the sheet leaves for them.

    With no assessment words in the header they are the schema's single assessment. Beside
    "Revised ..." or "Residual Risk" columns they belong, left to right, to the assessment
    named last before them (a group label over the first of its columns only), else to the
    first assessment still lacking that measure (the seed registers head inherent scores
    "Impact", "Likelihood", "Initial Risk Score"). A likelihood or impact met again starts the
    next assessment; a second score or rating in one assessment is a duplicate.
    """
    order = list(spec.assessments)
    explicit = {(a, name) for _, _, a, name in found if a is not None}
    present = [a for a in order if any(a == e[0] for e in explicit)]
    taken = set(explicit)
    current: str | None = None
    resolved = []
    for col, header, assessment, name in found:
        if assessment is not None:
            current = assessment
        elif name in spec.measures:
            if not explicit:
                assessment = spec.single_assessment or order[0]
            elif current is not None and ((current, name) not in taken
                                           or name not in ("likelihood", "impact")):
                assessment = current
            else:
                after = order[order.index(current) + 1:] if current else present + order
                lacking = [a for a in after if (a, name) not in taken]
                assessment = current = lacking[0] if lacking else order[0]
            taken.add((assessment, name))
        resolved.append((col, header, f"{assessment}_{name}" if assessment else name))
    return resolved


def _title_block(rows: list[list[Any]]) -> dict[str, str]:
    """"Project Name: X", "Version Date: 16.01.23" and the like, from the rows above the header."""
    facts: dict[str, str] = {}
    for row in rows:
        cells = [str(v).strip() for v in row if v is not None and str(v).strip()]
        index = 0
        while index < len(cells):
            text = cells[index]
            key, colon, value = text.partition(":")
            if colon and key.strip() and len(key) <= 40:
                if not value.strip() and index + 1 < len(cells):
                    value = cells[index + 1]
                    index += 1
                facts[" ".join(key.split())] = " ".join(value.split())
            elif "title" not in facts and len(cells) == 1:
                facts["title"] = " ".join(text.split())
            index += 1
    return facts
