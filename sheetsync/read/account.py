"""What sheetsync took each sheet for, in plain words: the account ``inspect`` prints and
``exceptions.json`` keeps beside each sheet.

A read sheet's account says its kind and why, its header rows, what each column was taken to
mean, the duplicates ignored, the scale and bands its likelihood and impact were read on and
where they came from, what was left out, and which rows are the entries. A skipped sheet's says
which row came nearest to a header and what it lacked, so that an analyst can add the missing
header name to the settings (``header_synonyms``) and run again.

Accounts are plain dicts of JSON values: they travel in the results and the weekly history.
"""

from __future__ import annotations

from typing import Any

from sheetsync.read.grid import SheetGrid
from sheetsync.read.locate import ColumnRef, Layout, has_own_column, nearest_header
from sheetsync.read.rows import RawSheet
from sheetsync.settings.schemas import RegisterSpec

NOT_RECOGNISED = "no header row sheetsync recognises"
_MOST_SHOWN = 8  #: Unrecognised headers listed for a near miss.
_LONGEST = 40  #: Characters of a header shown in a near miss's list.


def meaning(name: str) -> str:
    """A canonical column name in plain words: ``residual_impact`` -> "residual impact"."""
    return name.replace("_", " ")


def register_account(raw: RawSheet) -> dict[str, Any]:
    """The account of a register read from a sheet (after its scales were settled)."""
    layout = raw.layout
    entries = [int(row) for row in raw.raw.index.tolist()]  # (pandas hands its values out one by one slowly)
    notes = list(layout.notes)
    if raw.continuations:
        rows = sorted({row for _column, row, _entry, _text in raw.continuations})
        notes.append(f"{_rows(rows)}: text continuing the entry above, not entries of their own")
    scoring = raw.scoring
    if scoring is not None:
        notes.extend(scoring.notes)
    notes = list(dict.fromkeys(notes))  # NOTE: a legend's notes are the sheet's too: once each
    used = {ref.name: ref for ref in layout.columns.values()}
    return {
        "reason": layout.reason,
        "header_rows": [layout.first_header_row, layout.header_row],
        "columns": [_column(ref) for ref in sorted(layout.columns.values(), key=lambda r: r.index)],
        "duplicates": [{**_column(ref), "used": used[ref.name].letter if ref.name in used else None}
                       for ref in layout.duplicates],
        "scale": scoring.describe() if scoring is not None else None,
        "scale_source": scoring.source if scoring is not None else None,
        "notes": notes,
        "entry_rows": [entries[0], entries[-1]] if entries else None,
    }


FINANCIAL_REASON = ("financial table: found by its shape (amount columns with a Total row, or "
                    "budget beside spent or remaining)")
SCORECARD_REASON = ("KPI sheet: a scorecard found by its shape (periods down the first column, "
                    "indicators across, figures under them)")


def table_account(header_row: int, data_rows: list[int], reason: str = FINANCIAL_REASON,
                  notes: list[str] | None = None) -> dict[str, Any]:
    """The account of a table found by its shape rather than by header names."""
    return {
        "reason": reason,
        "header_rows": [header_row, header_row],
        "columns": [],
        "duplicates": [],
        "scale": None,
        "scale_source": None,
        "notes": list(notes or []),
        "entry_rows": [min(data_rows), max(data_rows)] if data_rows else None,
    }


def skipped_account(sheet: SheetGrid, specs: dict[str, RegisterSpec]) -> dict[str, Any]:
    """A sheet that holds no register sheetsync recognises, with the row that came nearest."""
    near = nearest_header(sheet, specs)
    return {"name": sheet.title, "reason": NOT_RECOGNISED,
            "nearest": _near_miss(sheet, near) if near is not None else None}


def _near_miss(sheet: SheetGrid, layout: Layout) -> dict[str, Any]:
    """The nearest header row: what it names, which meanings it lacks, what to do about it."""
    spec = layout.spec
    found = sorted(layout.columns.values(), key=lambda r: r.index)
    known = {ref.index for ref in (*found, *layout.duplicates)}
    cells = sheet.rows[layout.header_row - 1] if layout.header_row <= len(sheet.rows) else []
    unrecognised = [_short(value) for col, value in enumerate(cells[:layout.last_column], 1)
                    if isinstance(value, str) and value.strip() and not value.startswith("=")
                    and col not in known][:_MOST_SHOWN]
    missing = [] if has_own_column(spec, layout.columns) else [meaning(n) for n in spec.needs_one_of]
    lacks = []
    if missing:
        lacks.append(f"no {_either(missing)}")
    if len(found) < spec.min_columns:
        lacks.append(f"only {len(found)} known column{'' if len(found) == 1 else 's'} "
                     f"({_a(_title(spec))} needs {spec.min_columns})")
    has = ", ".join(f"'{ref.header}' ({meaning(ref.name)})" for ref in found)
    advice = (f"row {layout.header_row} has {has} but {' and '.join(lacks) or 'no more'}: to read "
              f"it as {_a(_title(spec))}, add its header names under header_synonyms: "
              f"{spec.kind}: in your settings")
    if unrecognised:
        advice += f" (not recognised on that row: {', '.join(repr(u) for u in unrecognised)})"
    return {"row": layout.header_row, "kind": spec.kind, "columns": [_column(ref) for ref in found],
            "missing": missing, "columns_needed": spec.min_columns, "unrecognised": unrecognised,
            "advice": advice}


def _column(ref: ColumnRef) -> dict[str, Any]:
    return {"column": ref.letter, "cell": ref.header_cell, "header": ref.header,
            "name": ref.name, "meaning": meaning(ref.name)}


def _title(spec: RegisterSpec) -> str:
    return spec.title if spec.title[:2].isupper() else spec.title.lower()


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _short(header: str) -> str:
    text = " ".join(header.split())
    return text if len(text) <= _LONGEST else text[:_LONGEST - 3] + "..."


def _either(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _rows(rows: list[int]) -> str:
    shown = ", ".join(map(str, rows[:10])) + ("..." if len(rows) > 10 else "")
    return f"row{'s' if len(rows) > 1 else ''} {shown}"
