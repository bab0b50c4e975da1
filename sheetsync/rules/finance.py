"""Financial tables: budget lines and tables of money with a total row, column or share row.

Found by shape, not by a fixed header: a row labelled "Total" under a block of amounts, or a
header with a budget column beside spent / remaining columns. Every typed total, share and
remaining amount is compared with the recomputed one by a pandera check (one per rule), and a
difference beyond rounding is a finding on that cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pandera.pandas as pa
from openpyxl.utils import get_column_letter

from sheetsync.findings import Finding
from sheetsync.read.grid import SheetGrid
from sheetsync.read.measures import format_measure, money_scale, read_money
from sheetsync.rules.validate import failing_rows
from sheetsync.settings.finance_spec import FinanceSpec
from sheetsync.settings.schemas import normalise

SCAN_ROWS = 200  #: Financial tables are short; a longer sheet is not one.


@dataclass(slots=True)
class FinanceTable:
    """A financial table found on a sheet, with its findings and tidy records."""

    sheet: str
    header_row: int
    rows: int
    findings: list[Finding] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)


def find_financial_table(sheet: SheetGrid, spec: FinanceSpec, workbook: str) -> FinanceTable | None:
    """The financial table on ``sheet`` checked, or None when the sheet holds none."""
    if sheet.max_row > SCAN_ROWS:
        return None
    shape = _shape(sheet.rows, spec)
    if shape is None:
        return None
    return _check(sheet.title, sheet.rows, shape, spec, workbook)


@dataclass(slots=True)
class _Shape:
    header_row: int  #: 1-based
    label_col: int  #: 0-based
    money_cols: list[int]
    data_rows: list[int]  #: 1-based
    total_row: int | None
    share_row: int | None
    total_col: int | None
    roles: dict[str, int]  #: budget / spent / committed / remaining -> column


def _label(row: list[Any], upto: int = 4) -> tuple[int, str] | None:
    for col, value in enumerate(row[:upto]):
        if isinstance(value, str) and value.strip():
            return col, normalise(value) or value.strip()
    return None


def _shape(grid: list[list[Any]], spec: FinanceSpec) -> _Shape | None:
    total_row = next((n for n, row in enumerate(grid, start=1)
                      if (label := _label(row)) and label[1] in spec.total_words), None)
    header_row = _header_row(grid, spec, total_row)
    if header_row is None:
        return None
    header = grid[header_row - 1]
    label_col = next((c for c, v in enumerate(header) if isinstance(v, str) and v.strip()), 0)
    roles = {role: col for col, value in enumerate(header) if isinstance(value, str)
             and (role := spec.role(value)) and role != "line"}
    end = total_row - 1 if total_row else len(grid)
    data_rows = [n for n in range(header_row + 1, end + 1)
                 if any(v is not None and str(v).strip() for v in grid[n - 1])]
    if total_row is None:
        # NOTE: without a total row a table is financial only by its budget columns.
        data_rows = [n for n in data_rows if (row_label := _label(grid[n - 1])) is None or
                     row_label[1] not in spec.share_words]
    money_cols = [c for c in range(label_col + 1, len(header))
                  if any(read_money(grid[n - 1][c] if c < len(grid[n - 1]) else None).value
                         is not None for n in data_rows + ([total_row] if total_row else []))]
    if len(money_cols) < 1 or not data_rows:
        return None
    if total_row is None and not ("budget" in roles and ({"spent", "remaining"} & set(roles))):
        return None
    share_row = None
    if total_row and total_row < len(grid):
        label = _label(grid[total_row])
        if label and (label[1] in spec.share_words or str(grid[total_row][label[0]]).strip() == "%"):
            share_row = total_row + 1
    total_col = next((c for c in money_cols if isinstance(header[c], str)
                      and normalise(header[c]).split()[:1] == ["total"]), None)
    return _Shape(header_row, label_col, money_cols, data_rows, total_row, share_row, total_col,
                  roles)


def _header_row(grid: list[list[Any]], spec: FinanceSpec, total_row: int | None) -> int | None:
    """The row of column headings: above the total row's block, or one naming budget columns."""
    for n, row in enumerate(grid, start=1):
        roles = {spec.role(v) for v in row if isinstance(v, str) and v.strip()}
        if "budget" in roles and roles & {"spent", "remaining"}:
            return n
    if total_row is None:
        return None
    for n in range(total_row - 1, 0, -1):
        row = grid[n - 1]
        texts = [v for v in row[1:] if isinstance(v, str) and v.strip()
                 and read_money(v).value is None]
        if len(texts) >= 2:
            return n
    return None


def _check(sheet: str, grid: list[list[Any]], shape: _Shape, spec: FinanceSpec,
           workbook: str) -> FinanceTable:
    header = grid[shape.header_row - 1]
    scales = {c: money_scale(str(header[c] or "")) for c in shape.money_cols}
    table = FinanceTable(sheet=sheet, header_row=shape.header_row, rows=len(shape.data_rows))
    comparisons: list[dict[str, Any]] = []

    unreadable: set[tuple[int, int]] = set()

    def amount(row: int, col: int) -> float | None:
        value = grid[row - 1][col] if col < len(grid[row - 1]) else None
        if _is_formula(value):
            unreadable.add((row, col))  # NOTE: Excel works it out; unknown here, not wrong
            return None
        money = read_money(value, scales[col])
        if money.problem:
            comparisons.append(_comparison("money_readable", row, col, value, None, 0))
            unreadable.add((row, col))
        return money.value

    def total(cells: list[tuple[int, int]]) -> float | None:
        """The sum of ``cells`` (recomputed figures where there are), or None if one is unread."""
        if unreadable.intersection(cells):
            return None
        return sum(recomputed.get(cell, amounts[cell] or 0.0) for cell in cells)

    amounts = {(r, c): amount(r, c) for r in shape.data_rows for c in shape.money_cols}
    summed_cols = [c for c in shape.money_cols if c != shape.total_col]
    #: Recomputed figures (row totals, remaining amounts): column totals add these, not the
    #: typed ones, so one wrong figure is one finding.
    recomputed: dict[tuple[int, int], float] = {}
    for row in shape.data_rows:
        line = grid[row - 1][shape.label_col] if shape.label_col < len(grid[row - 1]) else None
        for col in shape.money_cols:
            table.records.append({"workbook": workbook, "sheet": sheet, "row": row,
                                  "cell": f"{get_column_letter(col + 1)}{row}",
                                  "line": line, "column": str(header[col] or "").strip(),
                                  "amount": amounts[(row, col)]})
        if shape.total_col is not None:
            row_total = total([(row, c) for c in summed_cols])
            if row_total is None:
                unreadable.add((row, shape.total_col))
            else:
                recomputed[(row, shape.total_col)] = row_total
            comparisons.append(_comparison("total_matches", row, shape.total_col,
                                           grid[row - 1][shape.total_col], row_total,
                                           _tolerance(spec, scales[shape.total_col]),
                                           amounts[(row, shape.total_col)]))
        if "budget" in shape.roles and "remaining" in shape.roles:
            get = {role: amounts.get((row, col)) for role, col in shape.roles.items()}
            budget = get.get("budget")
            if budget is not None and not unreadable.intersection(
                    (row, col) for col in shape.roles.values()):
                expected = budget - (get.get("spent") or 0.0) - (get.get("committed") or 0.0)
                col = shape.roles["remaining"]
                recomputed[(row, col)] = expected
                comparisons.append(_comparison("remaining_matches", row, col, grid[row - 1][col],
                                               expected, _tolerance(spec, scales[col]),
                                               get.get("remaining")))
    totals = {col: total([(r, col) for r in shape.data_rows]) for col in shape.money_cols}
    if shape.total_row is not None:
        for col in shape.money_cols:
            typed = grid[shape.total_row - 1][col] if col < len(grid[shape.total_row - 1]) else None
            comparisons.append(_comparison("total_matches", shape.total_row, col, typed, totals[col],
                                           _tolerance(spec, scales[col]),
                                           read_money(typed, scales[col]).value))
    if shape.share_row is not None and shape.total_row is not None:
        parts = [totals[c] for c in summed_cols]
        grand = None if None in parts else sum(p or 0.0 for p in parts)
        for col in summed_cols:
            typed = grid[shape.share_row - 1][col] if col < len(grid[shape.share_row - 1]) else None
            share = _share(typed)
            if share is None or not grand or totals[col] is None:
                continue
            comparisons.append(_comparison("share_matches", shape.share_row, col, typed,
                                           (totals[col] or 0.0) / grand,
                                           spec.tolerance_points / 100, share, unit="%"))
    table.findings = _findings(comparisons, spec, sheet, workbook, header, grid, shape)
    return table


def _tolerance(spec: FinanceSpec, scale: float) -> float:
    """Rounding allowed: the configured pounds, or half a unit of a scaled (£'000) column."""
    return max(spec.tolerance_pounds, scale / 2)


def _share(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if value <= 1.5 else float(value) / 100
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+(\.\d+)?\s*%\s*", value):
        return float(value.strip().rstrip("%")) / 100
    return None


def _is_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")


def _comparison(check: str, row: int, col: int, typed: Any, expected: float | None,
                tolerance: float, value: float | None = None, unit: str = "£") -> dict[str, Any]:
    """One typed figure against its recomputed value; a formula is not typed, so it is left be."""
    if _is_formula(typed):
        expected = value = None
    return {"check": check, "row": row, "col": col, "typed": typed, "expected": expected,
            "value": value, "tolerance": tolerance, "unit": unit}


def _findings(comparisons: list[dict[str, Any]], spec: FinanceSpec, sheet: str, workbook: str,
              header: list[Any], grid: list[list[Any]], shape: _Shape) -> list[Finding]:
    """One pandera check per rule over the comparisons; each failure a finding on its cell."""
    if not comparisons:
        return []
    frame = pd.DataFrame(comparisons)
    checks = [pa.Check(_agrees(name), name=name, ignore_na=False) for name in spec.rules]
    schema = pa.DataFrameSchema(checks=checks, name="financial_table")
    failed = set(failing_rows(schema, frame))
    if not failed:
        return []
    findings = []
    for check, index in sorted(failed, key=lambda pair: (frame.at[pair[1], "row"],
                                                         frame.at[pair[1], "col"])):
        item = frame.loc[index]
        assert isinstance(item, pd.Series)  # NOTE: one row: the frame's index is unique
        rule = spec.rules[check]
        col, row = int(item["col"]), int(item["row"])
        line = grid[row - 1][shape.label_col] if shape.label_col < len(grid[row - 1]) else None
        typed = grid[row - 1][col] if col < len(grid[row - 1]) else None
        expected = _in_column_units(item["expected"], item["unit"], money_scale(str(header[col] or "")))
        message = spec.messages[check].format(value=" ".join(str(typed).split()), expected=expected)
        findings.append(Finding(
            workbook=workbook, sheet=sheet, cell=f"{get_column_letter(col + 1)}{row}", row=row,
            column=str(header[col] or "").strip() or None,
            ref=str(line).strip() if line is not None else None, value=typed,
            rule=rule.code, severity=rule.severity, message=message))
    return findings


def _in_column_units(value: Any, unit: str, scale: float) -> str:
    """An expected figure as the column shows its figures: 35 in a £'000 column, 48% for shares."""
    if value is None or pd.isna(value):
        return ""
    if unit == "%":
        return format_measure(float(value), "%")
    number = float(value) / scale
    return f"{number:,.0f}" if abs(number - round(number)) < 1e-9 else f"{number:,.2f}"


def _agrees(check: str) -> Any:
    def agrees(frame: pd.DataFrame) -> pd.Series:
        mine = frame["check"] == check
        if check == "money_readable":
            return ~mine
        close = (frame["value"].astype(float) - frame["expected"].astype(float)).abs() \
            <= frame["tolerance"].astype(float) + 1e-9
        return ~mine | close | frame["expected"].isna() | frame["value"].isna()

    return agrees
