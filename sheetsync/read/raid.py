"""RAID logs: which sheets are one, and their rows split by type for the kinds that check them.

A RAID log is one sheet with a Type column (Risk / Assumption / Issue / Dependency, or the
letters), or one sheet per letter. A sheet whose Type column holds those words is a RAID log
whatever its other columns look like (its risks have a likelihood and an impact, so on its
headers alone it would pass for a risk register); a Type column holding other words (a risk
register's "Type": Financial, Operational) does not make one. The rows of each type with a
kind of its own (risks, issues) are read again with that kind's header names and checked as
that kind; the rest (and the issues, for what only a RAID log can say of them) with
``schemas/raid_log.yaml``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from sheetsync.findings import Finding, in_sheet_order
from sheetsync.read.grid import SheetGrid
from sheetsync.read.locate import Layout, label_of, layout_at, locate_register
from sheetsync.read.rows import RawSheet, read_register
from sheetsync.read.vocabulary import vocabulary_of
from sheetsync.settings.schemas import RegisterSpec, RowType, normalise

KIND = "raid_log"
#: The share of a Type column's entries that must be RAID words, and how many kinds of entry.
_TYPED_SHARE = 0.8
_MIN_TYPES = 2
_SAMPLE_ROWS = 500
#: Key of a RAID log's record saying which kind's fields it has (risk_register, issues_log...).
RECORD_KIND = "kind"


def row_type(value: object, spec: RegisterSpec) -> RowType | None:
    """The row type a Type cell names ("Risk", "issues", "D"), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    word = normalise(value)
    return next((t for t in spec.row_types.values() if word in t.words), None)


def settle_raid(sheet: SheetGrid, layout: Layout | None,
                specs: dict[str, RegisterSpec]) -> Layout | None:
    """``layout``, or the sheet's RAID log layout when its Type column says it is one; a RAID
    log layout whose Type column holds other words gives way to the next best kind."""
    spec = specs.get(KIND)
    if layout is None or spec is None:
        return layout
    if layout.kind == KIND:
        if "type" not in layout.columns or _raid_types(sheet, layout, spec):
            return layout
        return locate_register(sheet, {k: s for k, s in specs.items() if k != KIND})
    if not _may_head_type(sheet, layout.header_row, spec):
        return layout
    raid = layout_at(sheet, spec, layout.header_row)
    if raid is None or "type" not in raid.columns:
        return layout
    types = _raid_types(sheet, raid, spec)
    if not types:
        return layout
    ref = raid.columns["type"]
    raid.first_header_row, raid.metadata = layout.first_header_row, layout.metadata
    raid.reason = (f"raid log: its {ref.letter} '{ref.header}' column holds {', '.join(types)}; "
                   f"{layout.kind.replace('_', ' ')} on its headers alone")
    return raid


def _may_head_type(sheet: SheetGrid, header_row: int, spec: RegisterSpec) -> bool:
    """Whether any cell down to the header row has a label that can name a Type column (the
    labels a header is read from are those cells'): when none has, ``layout_at`` would find
    no Type column, and the header is not read again as a RAID log's.

    NOTE: a register that is no RAID log (most) was read twice for the sake of this question.
    """
    vocabulary = vocabulary_of(spec)
    labels = {label_of(value) for row in sheet.rows[:header_row] for value in row} - {""}
    return any(vocabulary.meaning(normalise(label), "") == (None, "type") for label in labels)


def _raid_types(sheet: SheetGrid, layout: Layout, spec: RegisterSpec) -> list[str]:
    """The RAID types in the Type column, most common first, when nearly all its entries are
    RAID words and there are at least two types; else none."""
    index = layout.columns["type"].index - 1
    values = [row[index] for row in sheet.rows[layout.header_row:layout.header_row + _SAMPLE_ROWS]
              if index < len(row) and isinstance(row[index], str) and row[index].strip()]
    counts = Counter(t.name for v in values if (t := row_type(v, spec)) is not None)
    if len(counts) < _MIN_TYPES or sum(counts.values()) < _TYPED_SHARE * len(values):
        return []
    return [name for name, _count in counts.most_common()]


def raid_parts(sheet: SheetGrid, raw: RawSheet, specs: dict[str, RegisterSpec]) -> list[RawSheet]:
    """A RAID log read as the kinds that check it: one part per kind its row types name (its
    risks read with the risk register's header names...), then the RAID log's own part with
    every row but the risks. A sheet with no Type column is one part."""
    spec = raw.layout.spec
    if "type" not in raw.raw:
        return [raw]
    kinds = pd.Series([getattr(row_type(v, spec), "kind", None) for v in raw.raw["type"]],
                      index=raw.raw.index)
    parts = []
    for kind in dict.fromkeys(k for k in kinds if k is not None and k in specs):
        layout = layout_at(sheet, specs[kind], raw.layout.header_row)
        if layout is None:
            kinds[kinds == kind] = None  # (no column of that kind: the RAID log's checks)
            continue
        layout.first_header_row, layout.metadata = raw.layout.first_header_row, raw.layout.metadata
        part = read_register(sheet, layout)
        parts.append(_subset(part, kinds.index[kinds == kind]))
    own = kinds.index[kinds != "risk_register"]
    return [*parts, _subset(raw, own)]


def _subset(raw: RawSheet, rows: pd.Index) -> RawSheet:
    """``raw`` with only ``rows`` (and what it knows of them)."""
    keep = set(int(r) for r in rows)
    return replace(
        raw, raw=raw.raw.loc[[r for r in raw.raw.index if int(r) in keep]],
        formulas={k: v for k, v in raw.formulas.items() if k[1] in keep},
        formats={k: v for k, v in raw.formats.items() if k[1] in keep},
        uncalculated={k for k in raw.uncalculated if k[1] in keep},
        continuations=[c for c in raw.continuations if c[2] in keep])


def merge_parts(parts: list[tuple[RawSheet, list[Finding], Sequence[dict[str, Any]]]]
                ) -> tuple[list[Finding], list[dict[str, object]]]:
    """One RAID log's findings and records from its parts (the RAID log's own part last):
    one finding per cell (a part's own kind has said it), each row's record once, each record
    marked with the kind whose fields it has."""
    findings: list[Finding] = []
    records: list[dict[str, object]] = []
    taken: set[int] = set()
    marked: set[str | None] = set()
    for raw, part_findings, part_records in parts:
        kind = raw.layout.kind
        findings += [f for f in part_findings if kind != KIND or f.cell not in marked]
        records += [{**r, RECORD_KIND: kind} for r in part_records
                    if kind != KIND or r["row"] not in taken]
        if kind != KIND:
            marked.update(f.cell for f in part_findings)
            taken.update(int(r) for r in raw.raw.index)
    findings.sort(key=in_sheet_order)
    return findings, records
