"""Financial tables: totals, shares and remaining budgets recomputed, cell by cell."""

from __future__ import annotations

import csv

import pytest
from helpers import keys, run_sheetsync, write_openpyxl, write_xlsxwriter

SAVINGS = [
    ["Table 1: Shared 2019/20 savings per authority"], [],
    ["19/20 Savings", "Havering", "Newham", "Bexley", "Total"],
    ["oneSource Reduction in oneSource support", -100000, -150000, None, -250000],
    ["oneSource Investment in ICT and automations", -100000, -212000, None, -312000],
    ["oneSource General Efficiency", -125000, -125000, None, -250000],
    ["Sale of oneSource services", -64000, None, None, -64000],
    ["Enforcement Income", -67000, None, None, -67000],
    ["TOTAL", -456000, -487000, None, -943000],
    ["%", "48%", "52%", "0%", None],
]


def check(tmp_path, sheets, writer=write_openpyxl):
    path = writer(tmp_path / "in" / "finance.xlsx", sheets)
    return run_sheetsync([path], tmp_path / "out")


def test_clean_savings_table(tmp_path) -> None:
    run = check(tmp_path, {"Savings": SAVINGS}, write_xlsxwriter)
    assert keys(run) == []
    (sheet,) = run.workbooks[0].sheets
    assert (sheet.kind, sheet.header_row, sheet.rows) == ("financial_table", 3, 5)


@pytest.mark.parametrize(("row", "col", "typed", "expected"), [
    (8, 4, -76000, [("FN01", "Savings", "E8")]),       # a row total
    (9, 1, -465000, [("FN01", "Savings", "B9")]),      # a column total
    (10, 1, "58%", [("FN03", "Savings", "B10")]),      # a share
    (5, 2, "lots", [("FN04", "Savings", "C5")]),       # an amount that cannot be read
])
def test_each_wrong_figure_is_one_finding(tmp_path, row, col, typed, expected) -> None:
    rows = [list(r) for r in SAVINGS]
    rows[row - 1][col] = typed
    run = check(tmp_path, {"Savings": rows})
    assert keys(run) == expected


def test_messages_show_figures_as_the_column_does(tmp_path) -> None:
    rows = [list(r) for r in SAVINGS]
    rows[7][4] = -76000
    run = check(tmp_path, {"Savings": rows})
    (finding,) = run.findings
    assert (finding.ref, finding.column, finding.value, finding.severity.label) == (
        "Enforcement Income", "Total", -76000, "error")
    assert finding.message == ("The total should be -67,000 (the sum of the amounts it totals), "
                               "but the sheet says -76000.")


def test_budget_lines_in_thousands(tmp_path) -> None:
    budget = [["Budget update"],
              ["Line", "Budget £'000", "Spent £'000", "Committed £'000", "Remaining £'000"],
              ["Year one programme", 247, 173, 50, 24], ["Legal costs", 10, 0, 0, 11],
              ["Total", 257, 173, 50, 34]]
    run = check(tmp_path, {"Budget": budget})
    assert keys(run) == [("FN02", "Budget", "E4")]
    assert run.findings[0].message == ("Remaining should be budget - spent - committed = 10, but "
                                       "the sheet says 11.")
    with (tmp_path / "out" / "records" / "finance.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0] == {"workbook": "finance.xlsx", "sheet": "Budget", "row": "3", "cell": "B3",
                       "line": "Year one programme", "column": "Budget £'000", "amount": "247000.0"}


def test_money_written_as_text(tmp_path) -> None:
    table = [["Line", "Budget", "Spent", "Remaining"],
             ["Consultancy", "£1.2m", "£0.5m", "£700,000"],
             ["Training", "£50k", "(£10k)", "£60k"],
             ["Venue", "£1,200", "£1,200", "-"]]
    run = check(tmp_path, {"Budget": table})
    assert keys(run) == []
    amounts = [r["amount"] for r in run.workbooks[0].sheets[0].records]
    assert amounts == [1.2e6, 5e5, 7e5, 5e4, -1e4, 6e4, 1200.0, 1200.0, None]


def test_a_sheet_of_prose_is_not_a_financial_table(tmp_path) -> None:
    run = check(tmp_path, {"Notes": [["Minutes"], ["Total attendance was good"], ["Item", "Owner"]]})
    assert run.workbooks[0].status == "skipped"


def test_formula_totals_are_excels_own_and_left_alone(tmp_path) -> None:
    table = [["Line", "Budget", "Spent", "Remaining"], ["Staff", 100, 60, 40], ["Venue", 50, 20, 33],
             ["Total", "=SUM(B2:B3)", "=AVERAGE(C2:C3)", "=SUM(D2:D3)"]]
    run = check(tmp_path, {"Budget": table})
    assert keys(run) == [("FN02", "Budget", "D3")]
