"""Risk register rules: each planted problem on its own cell with its severity; clean cells clean."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import (
    keys,
    risk_row,
    run_sheetsync,
    write_openpyxl,
    write_xlsxwriter,
    wrong_formula_register,
)

from sheetsync.findings import Severity

S = "Risks"


def findings_for(tmp_path: Path, risk_workbook: Callable[..., Path], *rows: list[object]):
    return run_sheetsync([risk_workbook(*rows)], tmp_path / "out", reports=False)


def test_clean_register_has_no_findings(tmp_path, risk_workbook) -> None:
    run = findings_for(tmp_path, risk_workbook, risk_row("R1"), risk_row("R2", 5, 5),
                       risk_row("R3", 1, 1))
    assert keys(run) == []
    assert run.workbooks[0].status == "ok"
    assert run.workbooks[0].sheets[0].rows == 3


@pytest.mark.parametrize(("row", "expected"), [
    (risk_row("R2", score=7), [("RR05", S, "F3")]),
    (risk_row("R2", rating="Red"), [("RR06", S, "G3")]),
    (risk_row("R2", likelihood=6, score=None), [("RR03", S, "D3")]),
    (risk_row("R2", impact=0, score=None), [("RR03", S, "E3")]),
    (risk_row("R2", likelihood=2.5, score=None), [("TY04", S, "D3")]),
    (risk_row("R2", impact="high", score=None), [("TY04", S, "E3")]),
    (risk_row("R2", impact=None, score=None), [("RR04", S, "E3")]),
    (risk_row("R2", likelihood=None, score=None), [("RR04", S, "D3")]),
    (risk_row("R1"), [("RR02", S, "A3")]),
    (risk_row(None), [("RR01", S, "A3")]),
    (risk_row("R2", owner=None), [("RR09", S, "C3")]),
    (risk_row("R2", description="  "), [("RR10", S, "B3")]),
    (risk_row("R2", review="30/12/2022"), [("RR11", S, "H3")]),
    (risk_row("R2", review="31.02.22"), [("TY02", S, "H3")]),
    (risk_row("R2", score="#REF!"), [("TY03", S, "F3")]),
])
def test_each_rule_marks_its_cell(tmp_path, risk_workbook, row, expected) -> None:
    run = findings_for(tmp_path, risk_workbook, risk_row("R1"), row)
    assert keys(run) == expected


def test_severities_and_messages(tmp_path, risk_workbook) -> None:
    run = findings_for(tmp_path, risk_workbook, risk_row("R1"), risk_row("R2", score=7),
                       risk_row("R3", review="01/12/2022"))
    by_rule = {f.rule: f for f in run.findings}
    score = by_rule["RR05"]
    assert score.severity is Severity.ERROR
    assert (score.cell, score.row, score.ref, score.value, score.column) == ("F3", 3, "R2", 7, "Score")
    assert score.message == ("The residual score should be likelihood x impact = 6, "
                             "but the sheet says 7.")
    stale = by_rule["RR11"]
    assert stale.severity is Severity.WARNING
    assert stale.message.startswith("This risk was last reviewed on 01/12/2022, more than 3 months")


def test_review_exactly_at_the_staleness_limit_is_fine(tmp_path, risk_workbook) -> None:
    run = findings_for(tmp_path, risk_workbook, risk_row("R1", review="31/12/2022"),
                       risk_row("R2", review="30/12/2022"))
    assert keys(run) == [("RR11", S, "H3")]


def test_rating_words_any_case_and_aliases(tmp_path, risk_workbook) -> None:
    run = findings_for(tmp_path, risk_workbook, risk_row("R1", 5, 4, rating="red"),
                       risk_row("R2", 2, 3, rating="A"), risk_row("R3", 1, 2, rating="Low"),
                       risk_row("R4", 1, 2, rating="Purple"), risk_row("R5", 1, 2, rating="Red"))
    assert keys(run) == [("RR06", S, "G6"), ("RR20", S, "G5")]
    assert next(f for f in run.findings if f.rule == "RR20").message == (
        "The residual rating should be one of Green (G, Low), Amber (A, Medium, Moderate) or Red "
        "(R, High, Very high), but the cell holds 'Purple'.")


def test_duplicate_references_ignore_case_and_spaces(tmp_path, risk_workbook) -> None:
    run = findings_for(tmp_path, risk_workbook, risk_row("R1"), risk_row("r1 "), risk_row("R2"),
                       risk_row("R1"))
    assert keys(run) == [("RR02", S, "A3"), ("RR02", S, "A5")]


def test_three_assessments_in_a_grouped_header(tmp_path) -> None:
    """Inherent / Residual / Target merged over L, I, Score: each compared with the one before."""
    rows = [
        ["Strategic risk register"],
        [None, None, None, "Inherent risk", None, None, "Residual risk", None, None, "Target risk"],
        ["Ref", "Risk", "Owner", "L", "I", "Score", "L", "I", "Score", "L", "I", "Score"],
        ["SR1", "Budget", "CFO", 4, 4, 16, 3, 3, 9, 2, 2, 4],
        ["SR2", "Cyber", "CIO", 3, 3, 9, 4, 4, 16, 2, 2, 4],
        ["SR3", "Staff", "HR", 4, 4, 16, 2, 2, 4, 3, 3, 9],
    ]

    def merge(wb):
        ws = wb["Register"]
        for cells in ("D2:F2", "G2:I2", "J2:L2"):
            ws.merge_cells(cells)

    path = write_openpyxl(tmp_path / "in" / "strategic.xlsx", {"Register": rows}, merge)
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert keys(run) == [("RR07", "Register", "I5"), ("RR08", "Register", "L6")]
    sheet = run.workbooks[0].sheets[0]
    assert (sheet.header_row, sheet.rows) == (3, 3)
    record = sheet.records[0]
    assert (record["inherent_score"], record["inherent_rating"], record["residual_score"],
            record["residual_rating"], record["target_score"], record["target_rating"]) == (
        16, "Red", 9, "Amber", 4, "Green")


def test_residual_above_inherent_marks_the_impact_cell_without_a_score_column(tmp_path) -> None:
    rows = [["Ref", "Description", "Owner", "Gross likelihood", "Gross impact",
             "Net likelihood", "Net impact"],
            ["R1", "Flooding", "Head of Place", 2, 2, 3, 3]]
    path = write_xlsxwriter(tmp_path / "in" / "net.xlsx", {"Risks": rows})
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert keys(run) == [("RR07", "Risks", "G2")]


def test_correct_formulas_are_fine_and_uncalculated_formulas_never_mislead(tmp_path) -> None:
    """xlsxwriter stores 0 as every formula's result and asks Excel to recalculate on load."""
    rows = [RISK_ROWS_HEADER := ["Ref", "Risk", "Owner", "Likelihood", "Impact", "Score"],
            ["R1", "Budget", "CFO", 4, 4, "=D2*E2"],
            ["R2", "Cyber", "CIO", 3, 3, "=D3+E3"],
            ["R3", "Staff", "HR", 2, 2, "=PRODUCT(D4:E4)"]]
    assert RISK_ROWS_HEADER
    path = write_xlsxwriter(tmp_path / "in" / "formulas.xlsx", {"Risks": rows})
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert keys(run) == []
    assert [r["residual_score"] for r in run.workbooks[0].sheets[0].records] == [16, 9, 4]


def test_a_wrong_formula_with_a_cached_result_is_caught(tmp_path) -> None:
    path = wrong_formula_register(tmp_path / "in")
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert keys(run) == [("RR05", "Risks", "F3")]
    assert run.findings[0].value == 6


def test_custom_matrix_and_bands_from_config(tmp_path, risk_workbook) -> None:
    config = tmp_path / "ours.yaml"
    config.write_text(
        "risk_matrix:\n  likelihood: [Low, Medium, High, Very high]\n"
        "  impact: [Minor, Moderate, Serious, Critical]\n"
        "score_bands:\n  - {name: Low, from: 1, colour: '#00B050'}\n"
        "  - {name: Medium, from: 6, colour: '#FFC000'}\n"
        "  - {name: High, from: 12, colour: '#FF0000'}\n"
        "review_staleness_months: 6\n", encoding="utf-8")
    path = risk_workbook(risk_row("R1", 4, 4, rating="High"), risk_row("R2", 5, 2, score=10, rating=None),
                         risk_row("R3", 2, 3, rating="Medium", review="01/11/2022"),
                         risk_row("R4", 2, 2, rating="Medium"))
    run = run_sheetsync([path], tmp_path / "out", config=config, reports=False)
    assert keys(run) == [("RR03", S, "D3"), ("RR06", S, "G5")]
