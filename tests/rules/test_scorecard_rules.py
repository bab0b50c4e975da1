"""Periods-as-rows scorecards: KP08 (a column that adds up on every other row does not on one),
direction of travel by the settings, and '<10% variance' read as a target."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import SHARED, keys, run_sheetsync, write_openpyxl, write_xlsxwriter

from sheetsync.findings import Severity

HEADER = ["Date", "Open", "New", "Assigned", "Not Assigned"]
WEEKS = [dt.date(2019, 9, 23) + dt.timedelta(days=7 * i) for i in range(4)]


def team(figures: list[tuple[int, int, int, int]]) -> list[list[object]]:
    return [HEADER, *([week, *row] for week, row in zip(WEEKS, figures, strict=True))]


GOOD = [(7, 3, 5, 2), (13, 8, 7, 6), (9, 4, 5, 4), (8, 1, 6, 2)]


def test_row_off_a_sum_seen_on_sister_sheets_is_kp08_on_each_of_its_cells(tmp_path) -> None:
    off = [(19, 4, 5, 2), (21, 4, 11, 10), (16, 1, 10, 6), (12, 3, 7, 5)]
    path = write_openpyxl(tmp_path / "in" / "scorecard.xlsx",
                          {"Summary": [], "Accounts": team(GOOD), "Purchasing": team(off)})
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert [(s.name, s.kind, s.header_row, s.rows) for s in run.workbooks[0].sheets] == [
        ("Accounts", "kpi_sheet", 1, 4), ("Purchasing", "kpi_sheet", 1, 4)]
    assert keys(run) == [("KP08", "Purchasing", "B2"), ("KP08", "Purchasing", "D2"),
                         ("KP08", "Purchasing", "E2")]
    finding = run.findings[0]
    assert (finding.severity, finding.row, finding.ref, finding.value) == \
        (Severity.WARNING, 2, "23/09/2019", 19)
    assert finding.message == (
        "Open (B2) is 19, but Assigned (D2) 5 + Not Assigned (E2) 2 make 7; on the 7 other rows "
        "of this sheet and Accounts, Open = Assigned + Not Assigned. Check which of these "
        "figures is wrong.")


def test_one_sheet_with_five_rows_adding_up_is_enough(tmp_path) -> None:
    rows = team(GOOD) + [[dt.date(2019, 10, 21), 10, 2, 6, 3], [dt.date(2019, 10, 28), 5, 1, 3, 2]]
    path = write_xlsxwriter(tmp_path / "in" / "scorecard.xlsx", {"Team": rows})
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert keys(run) == [("KP08", "Team", "B6"), ("KP08", "Team", "D6"), ("KP08", "Team", "E6")]
    assert "Open (B6) is 10, but Assigned (D6) 6 + Not Assigned (E6) 3 make 9" in run.findings[0].message


def test_too_little_evidence_or_too_many_rows_off_is_no_finding(tmp_path) -> None:
    three_agree = [(19, 4, 5, 2), *GOOD[1:]]          # only three rows show the relation
    three_off = [(19, 4, 5, 2), (20, 4, 5, 2), (21, 4, 5, 2), *GOOD, *GOOD]
    many = [[dt.date(2019, 1, 7) + dt.timedelta(days=7 * i), *r] for i, r in enumerate(three_off)]
    path = write_openpyxl(tmp_path / "in" / "scorecard.xlsx", {
        "Thin": team(three_agree), "Loose": [["Date", "Total", "A", "B", "C"], *many]})
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert [s.kind for s in run.workbooks[0].sheets] == ["kpi_sheet", "kpi_sheet"]
    assert keys(run) == []


def test_rows_with_a_single_non_zero_part_do_not_count_as_evidence(tmp_path) -> None:
    # Assigned is 0 every week: Open = Not Assigned says nothing about a sum of two columns.
    rows = team([(7, 3, 0, 7), (13, 8, 0, 13), (9, 4, 0, 9), (8, 1, 3, 2)])
    path = write_openpyxl(tmp_path / "in" / "scorecard.xlsx", {"Queue": rows})
    assert keys(run_sheetsync([path], tmp_path / "out", reports=False)) == []


def test_direction_uses_the_no_change_threshold(tmp_path) -> None:
    rows = [["Month", "Calls", "Complaints"], ["Apr-23", 100, 10], ["May-23", 104, 10],
            ["Jun-23", 105, 12]]
    path = write_openpyxl(tmp_path / "in" / "scorecard.xlsx", {"Calls": rows})
    config = tmp_path / "organisation.yaml"
    config.write_text("kpi:\n  no_change_threshold: 1%\n", encoding="utf-8")
    run = run_sheetsync([path], tmp_path / "out", config=config, reports=False)
    records = run.workbooks[0].sheets[0].records
    assert [(r["kpi"], r["row"], r["actual_value"], r["direction"], r["polarity"])
            for r in records] == [("Calls", 4, 105, "No change", "higher"),
                                  ("Complaints", 4, 12, "Improved", "higher")]
    assert records[0]["comment"] == "latest period Jun-23 (B4)"


def test_scorecard_records_go_to_kpis_csv(tmp_path) -> None:
    path = write_openpyxl(tmp_path / "in" / "scorecard.xlsx", {"Team": team(GOOD)})
    run_sheetsync([path], tmp_path / "out")
    lines = (tmp_path / "out" / "records" / "kpis.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5 and lines[1].startswith("scorecard.xlsx,Team,5,Open,")


def test_a_target_with_words_after_its_unit_is_read(tmp_path) -> None:
    rows = [["KPI", "Target", "Actual", "Status", "Comments"],
            ["Budget Control", "<10% variance", "8% variance", "Green", "Within range"],
            ["Savings", "10% reduction", "8%", None, "Data only"]]
    path = write_openpyxl(tmp_path / "in" / "kpis.xlsx", {"KPI Tracking": rows})
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    records = run.workbooks[0].sheets[0].records
    assert [(r["target_value"], r["unit"], r["polarity"], r["actual_value"], r["status"])
            for r in records[:1]] == [(0.1, "%", "lower", 0.08, "Green")]
    # "10% reduction" is relative to something the sheet does not give: data only, as before
    assert keys(run) == [("KP02", "KPI Tracking", "B3")]


REAL_WORLD = SHARED / "corpus" / "real-world"
needs_real_world = pytest.mark.skipif(not REAL_WORLD.is_dir(),
                                      reason=f"the real-world corpus is not here ({REAL_WORLD})")


@needs_real_world
def test_real_weekly_helpdesk_scorecard(tmp_path) -> None:
    run = run_sheetsync([REAL_WORLD / "kpi_scorecard_helpdesk_weekly.xlsx"], tmp_path / "out",
                        as_of=dt.date(2019, 10, 21), reports=False)
    assert [(s.name, s.kind, s.header_row, s.rows) for s in run.workbooks[0].sheets] == [
        (name, "kpi_sheet", 1, 4) for name in ("Accounts", "Purchasing", "Reactive", "Helpdesk",
                                               "Phones")]
    # Assigned 5 + Not Assigned 2 is not Open 19 (copied from Accounts); every other row adds up
    assert keys(run) == [("KP08", "Purchasing", "B2"), ("KP08", "Purchasing", "G2"),
                         ("KP08", "Purchasing", "H2")]


@needs_real_world
def test_real_kpi_tracking_reads_a_worded_variance_target(tmp_path) -> None:
    run = run_sheetsync([REAL_WORLD / "kpi_dashboard_rag_milestones.xlsx"], tmp_path / "out",
                        as_of=dt.date(2026, 4, 20), reports=False)
    cells = {f.cell for f in run.findings if f.sheet == "KPI Tracking"}
    assert not cells & {"B3", "C3", "D3"}
