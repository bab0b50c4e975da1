"""Dates as officers leave them: text only readable month first is read, with a warning on its cell
that names the date; impossible years are not dates; day first stays the rule for the rest."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import SHARED, keys, run_sheetsync, write_openpyxl, write_xlsxwriter

from sheetsync.read.coerce import month_first

S = "Plan"
HEADER = ["Ref", "Action", "Lead", "Target date", "Status"]
AS_OF = dt.date(2023, 3, 31)
MIXED = SHARED / "corpus" / "real-world" / "project_status_tracker_mixed_dates.xlsx"


def test_a_month_first_date_is_a_warning_naming_the_date_and_is_used(tmp_path) -> None:
    path = write_openpyxl(tmp_path / "in" / "plan.xlsx", {S: [
        HEADER,
        ["A1", "Review budgets", "Finance manager", "07-14-2023", "G"],
        ["A2", "Restructure", "Chief executive", "03/04/2023", "G"],  # either way: day first
        ["A3", "Close accounts", "Finance manager", "12/25/2022", "G"],
    ]})
    run = run_sheetsync([path], tmp_path / "out", as_of=AS_OF)
    assert keys(run) == [("AP02", S, "D4"), ("TY05", S, "D2"), ("TY05", S, "D4")]
    warning = next(f for f in run.findings if f.cell == "D2")
    assert warning.severity.label == "warning"
    assert warning.value == "07-14-2023"
    assert warning.message == (
        "Target date: '07-14-2023' can only be a date written month first (14 July 2023); write "
        "it day first, 14/07/2023, or as a real date. It is read as 14 July 2023.")
    # The dates are used: A3's is 25 December 2022, so it is overdue on 31 March 2023.
    records = run.workbooks[0].sheets[0].records
    assert [r["target_date"] for r in records] == ["2023-07-14", "2023-04-03", "2022-12-25"]
    overdue = next(f for f in run.findings if f.rule == "AP02")
    assert overdue.severity.label == "warning"
    assert overdue.message.startswith("This action was due by 25/12/2022 and is not complete")


def test_an_impossible_year_is_not_a_date(tmp_path) -> None:
    path = write_xlsxwriter(tmp_path / "in" / "plan.xlsx", {S: [
        HEADER,
        ["A1", "Review budgets", "Finance manager", "09-15-1013", "G"],
        ["A2", "Restructure", "Chief executive", "15/09/1013", "G"],
    ]})
    run = run_sheetsync([path], tmp_path / "out", as_of=AS_OF)
    assert keys(run) == [("TY02", S, "D2"), ("TY02", S, "D3")]
    first = run.findings[0]
    assert first.severity.label == "error"
    assert first.message == ("Target date: the year 1013 in '09-15-1013' looks mistyped, so it is "
                             "not used as a date. Enter a date, day first (such as 16/01/2023).")
    assert [r["target_date"] for r in run.workbooks[0].sheets[0].records] == [None, None]


def test_a_sheet_is_month_first_only_when_its_text_says_so() -> None:
    real = dt.datetime(2023, 6, 12)
    assert month_first([["07-14-2023", real, "06-12-2023"], ["08-21-2023"]])
    assert not month_first([["14-07-2023", real], ["21/08/2023"]])
    assert not month_first([[real, dt.datetime(2023, 12, 6)]])  # real dates alone: no evidence
    assert not month_first([["07-14-2023", "14-07-2023"]])  # as many each way: no evidence
    assert month_first([["07-14-2023", "08-21-2023", "14-07-2023"]])


def test_the_real_world_tracker_reads_every_month_first_date(tmp_path) -> None:
    """224 text dates typed month first: 222 read with a warning, the two with year 1013 not."""
    if not MIXED.is_file():
        pytest.skip(f"the real-world corpus is not here ({MIXED})")
    run = run_sheetsync([MIXED], tmp_path / "out", as_of=dt.date(2026, 11, 30), reports=False)
    by_rule: dict[str, list[str]] = {}
    for finding in run.findings:
        by_rule.setdefault(finding.rule, []).append(str(finding.cell))
    assert len(by_rule["TY05"]) == 222
    assert set(by_rule["TY05"]) <= {f"{c}{r}" for c in "CD" for r in range(3, 154)}
    assert by_rule["TY02"] == ["D148", "D149"]
