"""Appetite and targets over time (RR12 to RR15): by category, by level, by the register's own
column; each disagreement a finding on its own cell, and nothing where nothing is wrong."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from helpers import keys, run_sheetsync, write_openpyxl
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.findings import Severity

S = "Risks"
HEADER = ["Ref", "Risk description", "Risk owner", "Category", "Residual likelihood",
          "Residual impact", "Residual score", "Target likelihood", "Target impact",
          "Target date", "Further actions", "Within appetite?"]
#  columns:  A     B            C          D          E  F  G   H  I  J            K        L


def row(ref: str, category: str, likelihood: int, impact: int, target: tuple[Any, Any] = (1, 2),
        date: Any = dt.date(2023, 12, 31), actions: Any = "Action plan agreed",
        within: Any = None) -> list[Any]:
    return [ref, f"Risk {ref}", "Head of Service", category, likelihood, impact,
            likelihood * impact, target[0], target[1], date, actions, within]


def check(tmp_path: Path, rows: list[list[Any]], settings: str = "",
          header: list[str] = HEADER) -> Any:
    config = None
    if settings:
        config = tmp_path / "ours.yaml"
        config.write_text(settings, encoding="utf-8")
    book = write_openpyxl(tmp_path / "in" / "risks.xlsx", {S: [header, *rows]})
    return run_sheetsync([book], tmp_path / "out", config=config, reports=False)


CATEGORIES = """
appetite:
  default: 12
  categories: {Financial: cautious, Safeguarding: averse, Reputational: Green, Commercial: 20}
"""


def test_appetite_by_category_level_band_and_score(tmp_path) -> None:
    run = check(tmp_path, [
        row("R1", "Financial", 4, 4, target=(3, 4)),      # 16 > cautious (12); target 12 fine
        row("R2", "Safeguarding", 2, 3, target=(1, 4)),   # 6 > averse (4); target 4 fine
        row("R3", "Reputational", 1, 5, target=(1, 4)),   # 5 > Green's top (4); target fine
        row("R4", "Commercial", 4, 5, target=(2, 5)),     # 20 within 20
        row("R5", "Other", 3, 4, target=(2, 4)),          # 12 within the default 12
        row("R6", "financial ", 4, 4, target=(4, 4)),     # any case; target 16 above 12
    ], CATEGORIES)
    records = {r["ref"]: r for r in run.records("risk_register")}
    assert {ref: (r["appetite"], r["within_appetite"]) for ref, r in records.items()} == {
        "R1": (12, "No"), "R2": (4, "No"), "R3": (4, "No"), "R4": (20, "Yes"),
        "R5": (12, "Yes"), "R6": (12, "No")}
    assert keys(run) == [("RR13", S, "I7")]
    finding = run.findings[0]
    assert finding.severity == Severity.WARNING and finding.ref == "R6"
    assert finding.message.startswith(
        "The target score (16) is above the appetite for this risk: a residual score of at most "
        "12 (cautious), as set for financial risks.")


def test_above_appetite_with_no_treatment_or_no_target(tmp_path) -> None:
    run = check(tmp_path, [
        row("R1", "Financial", 4, 4, actions=None),            # no further action: K2
        row("R2", "Financial", 4, 4, target=(None, None)),     # no target: I3
        row("R3", "Financial", 4, 4, actions=" ", target=(None, None)),  # both: I4 and K4
        row("R4", "Financial", 2, 2, actions=None, target=(None, None)),  # within: nothing
    ], CATEGORIES)
    assert keys(run) == [("RR12", S, "I3"), ("RR12", S, "I4"), ("RR12", S, "K2"),
                         ("RR12", S, "K4")]
    assert all(f.severity == Severity.WARNING for f in run.findings)
    by_cell = {f.cell: f.message for f in run.findings}
    assert "No treatment is recorded" in by_cell["K2"]
    assert "No target score is recorded" in by_cell["I3"]
    assert by_cell["K2"].startswith("The residual score (16) is above the appetite")


def test_a_register_without_treatment_or_target_columns_is_not_asked_for_them(tmp_path) -> None:
    header = HEADER[:7]
    run = check(tmp_path, [row("R1", "Financial", 5, 5)[:7]], CATEGORIES, header=header)
    assert keys(run) == []
    assert run.records("risk_register")[0]["within_appetite"] == "No"


def test_stored_within_appetite_is_checked_on_its_own_cell(tmp_path) -> None:
    run = check(tmp_path, [
        row("R1", "Financial", 4, 4, within="Yes"),      # wrong: 16 > 12
        row("R2", "Financial", 2, 2, within="No"),       # wrong: 4 <= 12
        row("R3", "Financial", 4, 4, within="Outside"),  # right
        row("R4", "Financial", 2, 3, within="y"),        # right
        row("R5", "Financial", 2, 3, within="see note"),  # not a yes / no: nothing said
    ], CATEGORIES)
    assert keys(run) == [("RR14", S, "L2"), ("RR14", S, "L3")]
    first = run.findings[0]
    assert first.severity == Severity.ERROR and first.value == "Yes"
    assert first.message == ("The sheet says Yes, but its residual score of 16 is above its "
                             "appetite of at most 12 (cautious). It should say No.")


def test_a_risk_appetite_column_gives_the_risks_own_appetite(tmp_path) -> None:
    header = [*HEADER[:11], "Risk appetite"]
    run = check(tmp_path, [
        row("R1", "Financial", 4, 4, within="Open"),     # its own: open (16) - within
        row("R2", "Financial", 3, 3, within=6),          # its own: 6 - above; target 2 fine
        row("R3", "Financial", 3, 3, within="No"),       # a yes / no, and wrong: 9 <= 12
        row("R4", "Financial", 4, 4, within=None),       # its category's: 12
    ], CATEGORIES, header=header)
    records = {r["ref"]: (r["appetite"], r["within_appetite"])
               for r in run.records("risk_register")}
    assert records == {"R1": (16, "Yes"), "R2": (6, "No"), "R3": (12, "Yes"), "R4": (12, "No")}
    assert keys(run) == [("RR14", S, "L4")]


def test_the_default_appetite_is_below_the_top_band(tmp_path) -> None:
    run = check(tmp_path, [row("R1", "Any", 3, 5, target=(3, 5)), row("R2", "Any", 3, 4)])
    records = {r["ref"]: (r["appetite"], r["within_appetite"])
               for r in run.records("risk_register")}
    assert records == {"R1": (14, "No"), "R2": (14, "Yes")}
    assert keys(run) == [("RR13", S, "I2")]
    assert "at most 14 (the top of the Amber band), the default appetite" in run.findings[0].message


@pytest.mark.parametrize(("date", "target", "status", "expected"), [
    (dt.date(2023, 1, 31), (1, 2), None, [("RR15", S, "J2")]),   # passed, 6 > 2
    (dt.date(2023, 3, 31), (1, 2), None, []),                    # due today: not passed
    (dt.date(2023, 1, 31), (2, 3), None, []),                    # passed, but target reached
    (dt.date(2023, 1, 31), (1, 2), "Closed", []),                # a closed risk
    (None, (1, 2), None, []),
])
def test_target_date_passed_with_residual_still_above_target(tmp_path, date, target, status,
                                                             expected) -> None:
    header = [*HEADER, "Status"]
    run = check(tmp_path, [[*row("R1", "Any", 2, 3, target=target, date=date), status]],
                header=header)
    assert keys(run) == expected
    if expected:
        finding = run.findings[0]
        assert finding.severity == Severity.WARNING
        assert finding.message == ("The target date 31/01/2023 has passed, but the residual "
                                   "score (6) is still above the target score (2). Update the "
                                   "scores, or set a new target date.")


def test_exempt_by_column_or_by_reference(tmp_path) -> None:
    header = [*HEADER, "Part B"]
    rows = [[*row("R1", "Any", 1, 2), "Yes"], [*row("R2", "Any", 1, 2), "No"],
            [*row("R3", "Any", 1, 2), None], [*row("R4", "Any", 1, 2), "Part A"],
            [*row("R5", "Any", 1, 2), "Para 3"]]
    run = check(tmp_path, rows, "exempt:\n  references: [r3]\n", header=header)
    assert {r["ref"]: r["exempt"] for r in run.records("risk_register")} == {
        "R1": "Yes", "R2": None, "R3": "Yes", "R4": None, "R5": "Yes"}
    assert keys(run) == []


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True) | st.none() | st.integers(-9, 99)
                | st.booleans() | st.text(max_size=3), max_size=30))
def test_scores_are_read_as_numbers_the_same_from_a_float_column_or_any_other(values) -> None:
    """A column of plain floats is read by its NaN alone; any other column value by value."""
    import numpy as np
    import pandas as pd

    from sheetsync.rules.governance import _number, _numbers

    column = pd.Series(values, dtype=object)
    assert _numbers(column) == [_number(v) for v in values]
    floats = [float(v) for v in values if isinstance(v, float)]
    as_floats = pd.Series(floats, dtype=np.float64)
    assert _numbers(as_floats) == [_number(v) for v in floats]
    assert [type(v) for v in _numbers(as_floats)] == [type(_number(v)) for v in floats]
