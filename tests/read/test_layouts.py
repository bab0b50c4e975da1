"""Registers laid out as officers keep them: help rows, pre-numbered empty rows, merged
reference and category cells, continuation rows, heading rows and notes under the table."""

from __future__ import annotations

from helpers import keys, run_sheetsync, write_openpyxl

HEADER = ["Ref", "Risk description", "Risk owner", "Likelihood", "Impact"]


def read(tmp_path, rows, setup=None):
    path = write_openpyxl(tmp_path / "in" / "register.xlsx", {"Risks": rows}, setup)
    run = run_sheetsync([path], tmp_path / "out")
    sheet = run.workbooks[0].sheets[0]
    return run, sheet, [r["row"] for r in sheet.records]


def test_a_help_row_under_the_header_is_not_an_entry(tmp_path) -> None:
    run, sheet, rows = read(tmp_path, [HEADER, ["HELP"] * 5, ["R1", "Budget", "CFO", 2, 3]])
    assert (sheet.header_row, rows, keys(run)) == (1, [3], [])


def test_numbered_rows_with_nothing_else_are_not_entries(tmp_path) -> None:
    run, _sheet, rows = read(tmp_path, [HEADER, ["R1", "Budget", "CFO", 2, 3],
                                        *[[n, None, None, None, None] for n in range(2, 30)]])
    assert (rows, keys(run)) == ([2], [])


def test_a_merged_reference_makes_its_rows_one_entry(tmp_path) -> None:
    def merge(wb):
        wb["Risks"].merge_cells("A2:A4")
        wb["Risks"].merge_cells("B2:B4")

    run, _sheet, rows = read(tmp_path, [HEADER, ["R1", "Budget", "CFO", 2, 3],
                                        [None, None, None, "L", None], [None, None, "CFO", None, None],
                                        ["R2", "Cyber", "CIO", 1, 1]], merge)
    assert (rows, keys(run)) == ([2, 5], [])


def test_a_merged_category_cell_applies_to_every_row_it_spans(tmp_path) -> None:
    header = ["Category", "Risk description", "Risk owner", "Likelihood", "Impact"]
    _run, _sheet, _rows = read(tmp_path, [header, ["Finance", "Budget", "CFO", 2, 3],
                                          [None, "Pensions", "CFO", 2, 2]],
                               lambda wb: wb["Risks"].merge_cells("A2:A3"))
    records = _run.workbooks[0].sheets[0].records
    assert [r["workstream"] for r in records] == ["Finance", "Finance"]


def test_text_alone_under_an_entry_continues_it_and_is_reported(tmp_path) -> None:
    run, _sheet, rows = read(tmp_path, [HEADER, ["R1", "Budget gap if the grant", "CFO", 2, 3],
                                        [None, "is not renewed in April", None, None, None],
                                        ["R2", "Cyber attack", "CIO", 1, 1]])
    assert rows == [2, 4]
    assert keys(run) == [("LY01", "Risks", "B3")]
    finding = run.findings[0]
    assert (finding.ref, finding.value, finding.severity.label) == (
        "R1", "is not renewed in April", "warning")
    assert "Put it in cell B2" in finding.message


def test_a_heading_row_in_a_numbered_register_is_not_an_entry(tmp_path) -> None:
    run, _sheet, rows = read(tmp_path, [HEADER, [None, "Finance risks", None, None, None],
                                        ["R1", "Budget", "CFO", 2, 3],
                                        [None, "People risks", None, None, None],
                                        ["R2", "Staffing", "HR", 1, 2]])
    assert (rows, keys(run)) == ([3, 5], [])


def test_notes_under_the_table_end_it(tmp_path) -> None:
    run, _sheet, rows = read(tmp_path, [HEADER, *[[f"R{n}", "Budget", "CFO", 2, 3] for n in (1, 2, 3)],
                                        [None] * 5, ["(*)", "Scores agreed at CMT"],
                                        [1, "Reference: Orange Book 2023"]])
    assert (rows, keys(run)) == ([2, 3, 4], [])


def test_a_side_table_after_a_gap_is_not_part_of_the_register(tmp_path) -> None:
    lookup = [None, None, "Impact", "Low", "High"]
    run, sheet, rows = read(tmp_path, [HEADER + lookup, ["R1", "Budget", "CFO", 2, 3]])
    assert keys(run) == []


def test_a_level_marked_with_an_x_under_its_column_is_read_and_scored(tmp_path) -> None:
    rows = [["Ref", "Risk description", "Owner", "Probability", None, None, None, None,
             "Consequences", None, None, None, None],
            [None, None, None, "VL", "L", "M", "H", "VH", "VL", "L", "M", "H", "VH"],
            ["R1", "Supplier fails", "CFO", None, None, "X", None, None, None, None, None, "x", None],
            ["R2", "Data breach", "CIO", None, "X", None, None, None, None, None, None, None, "✓"],
            ["R3", "Flood", "CEX", "X", None, "X", None, None, "X", None, None, None, None]]

    def merge(wb):
        wb["Risks"].merge_cells("D1:H1")
        wb["Risks"].merge_cells("I1:M1")

    run, sheet, rows_read = read(tmp_path, rows, merge)
    assert (sheet.header_row, rows_read) == (2, [3, 4, 5])
    assert [(r["residual_score"], r["residual_rating"]) for r in sheet.records] == [
        (12.0, "Amber"), (10.0, "Amber"), (None, None)]
    assert keys(run) == [("TY04", "Risks", "D5")]
    assert run.findings[0].value == "VL + M"
