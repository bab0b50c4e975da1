"""Action trackers as found: start and end dates in order (and real dates Excel stored with day and
month swapped), a lead for every action, outline-numbered phases, and statuses written as words."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import SHARED, keys, run_sheetsync, write_openpyxl

from sheetsync.rules.outline import summary_rows

S = "Tracker"
HEADER = ["Sno", "Task", "Owner", "Start Date", "End Date", "Status"]
AS_OF = dt.date(2023, 3, 31)
REAL_WORLD = SHARED / "corpus" / "real-world"


def us_style(wb) -> None:
    """Real dates shown as Excel shows them to someone who typed them month first."""
    for row in wb[S].iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "mm-dd-yy"


def test_an_end_before_its_start_is_an_error_on_the_end(tmp_path) -> None:
    path = write_openpyxl(tmp_path / "in" / "plan.xlsx", {S: [
        HEADER,
        ["T1", "Document requirements", "Ann", "19/09/2023", "18/09/2023", "G"],
        ["T2", "Develop scripts", "Bob", dt.datetime(2023, 9, 1), dt.datetime(2023, 9, 30), "G"],
        ["T3", "Release", "Bob", dt.datetime(2023, 10, 2), "01/10/2023", "G"],
        ["T4", "Sign off", "Ann", "02/10/2023", None, "G"],  # no end: nothing to compare
    ]})
    run = run_sheetsync([path], tmp_path / "out", as_of=AS_OF)
    assert keys(run) == [("AP07", S, "E2"), ("AP07", S, "E4")]
    first = run.findings[0]
    assert first.severity.label == "error"
    assert first.value == "18/09/2023"
    assert first.message == ("The End Date (18/09/2023) is before the start date (19/09/2023). "
                             "Correct whichever of the two is wrong.")


def test_a_swapped_real_start_is_a_warning_on_the_start(tmp_path) -> None:
    """Typed 06-12-2023 meaning 12 June, stored by Excel as 6 December: the sheet's text dates
    are month first, and swapping puts the row in order."""
    path = write_openpyxl(tmp_path / "in" / "plan.xlsx", {S: [
        HEADER,
        ["2", "CLIN1", "Ann", dt.datetime(2023, 12, 6), "06-16-2023", "In progress"],
        ["3", "CLIN2", "Ann", dt.datetime(2023, 3, 7), "07-14-2023", "Done"],  # in order: quiet
        ["4", "Award", "Bob", "07-31-2023", dt.datetime(2023, 1, 8), "Completed"],
        ["5", "Report", "Bob", "09-19-2023", "09-18-2023", "Done"],  # text both: no swap
        ["6", "Checklist", "Bob", dt.datetime(2023, 12, 9), "09-08-2023", "Done"],  # no swap fits
    ]}, setup=us_style)
    run = run_sheetsync([path], tmp_path / "out", as_of=AS_OF)
    found = {(f.rule, f.cell): f for f in run.findings}
    assert sorted(k for k in found if k[0] != "TY05") == [
        ("AP07", "E5"), ("AP07", "E6"), ("AP08", "D2"), ("AP08", "E4")]
    assert sorted(c for r, c in found if r == "TY05") == ["D4", "D5", "E2", "E3", "E5"]
    start = found[("AP08", "D2")]
    assert start.severity.label == "warning"
    assert start.message == (
        "06/12/2023 is stored as 6 December 2023; if it was typed month first it means 12 June "
        "2023, which fits the target date 16/06/2023. If so, retype it day first (day/month/year).")
    assert found[("AP08", "E4")].message == (
        "08/01/2023 is stored as 8 January 2023; if it was typed month first it means 1 August "
        "2023, which fits the start date 31/07/2023. If so, retype it day first (day/month/year).")
    # A month-first text date keeps its warning and still has its date checked (AP07 on E5).
    assert found[("AP07", "E5")].message.startswith("The End Date (18/09/2023) is before the "
                                                    "start date (19/09/2023).")
    assert found[("TY05", "E5")].severity.label == "warning"


def test_day_first_sheets_have_no_swap_suspects(tmp_path) -> None:
    """The same stored dates on a sheet typed day first: an end before its start is an error."""
    path = write_openpyxl(tmp_path / "in" / "plan.xlsx", {S: [
        HEADER,
        ["T1", "CLIN1", "Ann", dt.datetime(2023, 12, 6), "16/06/2023", "G"],
        ["T2", "CLIN2", "Ann", dt.datetime(2023, 12, 6), dt.datetime(2023, 6, 16), "G"],
        ["T3", "Award", "Bob", "31/07/2023", "25/08/2023", "G"],
    ]})
    run = run_sheetsync([path], tmp_path / "out", as_of=AS_OF)
    assert keys(run) == [("AP07", S, "E2"), ("AP07", S, "E3")]


@pytest.mark.parametrize("header", ["Start date", "Start", "Date started", "Planned start"])
def test_start_date_headers(tmp_path, header) -> None:
    path = write_openpyxl(tmp_path / "in" / "plan.xlsx", {S: [
        ["Ref", "Action", "Lead", header, "Target date", "Status"],
        ["A1", "Review budgets", "Ann", "02/05/2023", "01/05/2023", "G"]]})
    run = run_sheetsync([path], tmp_path / "out", as_of=AS_OF)
    assert keys(run) == [("AP07", S, "E2")]


def test_every_action_needs_a_lead_but_a_phase_heading_needs_none(tmp_path) -> None:
    path = write_openpyxl(tmp_path / "in" / "plan.xlsx", {S: [
        HEADER,
        [1, "Discovery phase", None, "01/02/2023", "28/02/2023", None],
        [1.1, "Collect requirements", "Ann", "01/02/2023", "10/02/2023", "Completed"],
        [1.2000000000000002, "Document requirements", None, "11/02/2023", "28/02/2023", "Done"],
        [2, "Build phase", None, "01/03/2023", "31/03/2023", None],
        [2.1, "Write scripts", "Bob", "01/03/2023", "20/03/2023", "In progress"],
        [3, "Close project", None, "01/03/2023", "30/03/2023", None],  # a task: no children
    ]})
    run = run_sheetsync([path], tmp_path / "out", as_of=AS_OF)
    assert keys(run) == [("AP02", S, "E6"), ("AP02", S, "E7"), ("AP05", S, "F7"),
                         ("AP06", S, "C4"), ("AP06", S, "C7")]
    lead = next(f for f in run.findings if f.cell == "C4")
    assert lead.severity.label == "error"
    assert lead.message == "This action has no lead. Name the officer responsible for it."


def test_outline_headings() -> None:
    import pandas as pd

    refs = pd.Series([1, 1.1, "1.2", "2", "2.1", "2.1.1", "2.2", 3, None, "R4", 4.0, 4.1000000000000001])
    assert summary_rows(refs).tolist() == [True, False, False, True, True, False, False, False,
                                           False, False, True, False]
    assert summary_rows(pd.Series([], dtype=object)).tolist() == []  # a plan with no rows yet


GREEN = ["In progress", "Ongoing", "Started", "Not started", "Planning", "Planned", "Pending",
         "Proposed", "To do", "Idea", "In-Progress", "not_started", "ON TRACK"]
AMBER = ["On hold", "Delayed", "At risk"]
RED = ["Blocked", "Behind", "Off track", "Overdue"]
BLUE = ["Completed", "Done", "Closed", "Finished"]


def test_status_words_map_to_g_a_r_b(tmp_path) -> None:
    words = GREEN + AMBER + RED + BLUE
    rows = [[f"A{n}", "Task", "Ann", None, "30/06/2023", word] for n, word in enumerate(words, 1)]
    path = write_openpyxl(tmp_path / "in" / "plan.xlsx", {S: [HEADER, *rows]})
    run = run_sheetsync([path], tmp_path / "out", as_of=AS_OF)
    assert keys(run) == []
    statuses = [r["status"] for r in run.workbooks[0].sheets[0].records]
    assert statuses == ["G"] * len(GREEN) + ["A"] * len(AMBER) + ["R"] * len(RED) + ["B"] * len(BLUE)


def test_a_not_started_action_is_late_only_once_overdue(tmp_path) -> None:
    path = write_openpyxl(tmp_path / "in" / "plan.xlsx", {S: [
        HEADER,
        ["A1", "Task", "Ann", None, "30/06/2023", "Not started"],
        ["A2", "Task", "Ann", None, "28/02/2023", "Pending"],
        ["A3", "Task", "Ann", None, "28/02/2023", "Done"]]})
    run = run_sheetsync([path], tmp_path / "out", as_of=AS_OF)
    assert keys(run) == [("AP02", S, "E3")]


def test_an_unknown_status_lists_the_words_by_status(tmp_path) -> None:
    path = write_openpyxl(tmp_path / "in" / "plan.xlsx", {S: [
        HEADER, ["A1", "Task", "Ann", None, "30/06/2023", "?"]]})
    run = run_sheetsync([path], tmp_path / "out", as_of=AS_OF)
    assert keys(run) == [("AP01", S, "F2")]
    finding = run.findings[0]
    assert finding.severity.label == "error"
    assert finding.message == (
        "The status '?' is not one the action plan uses. Use one of G (Green, On track, In "
        "progress, Ongoing, Started, Not started, Planning, Planned, Pending, Proposed, To do, "
        "Idea); A (Amber, On hold, Delayed, At risk); R (Red, Behind schedule, Blocked, Behind, "
        "Off track, Overdue); B (Blue, Complete, Completed, Done, Closed, Finished).")


def _real_world(tmp_path, name: str):
    path = REAL_WORLD / name
    if not path.is_file():
        pytest.skip(f"the real-world corpus is not here ({path})")
    return run_sheetsync([path], tmp_path / "out", as_of=dt.date(2026, 11, 30), reports=False)


def test_real_world_mixed_dates_tracker(tmp_path) -> None:
    run = _real_world(tmp_path, "project_status_tracker_mixed_dates.xlsx")
    cells: dict[str, list[str]] = {}
    for finding in run.findings:
        cells.setdefault(finding.rule, []).append(str(finding.cell))
    assert cells["AP08"] == ["C6", "C7", "C8", "C13", "C14", "C15", "C62", "C63", "C64", "C93",
                             "C100", "C107", "D126", "C132", "C134", "D139", "D140", "D141"]
    assert cells["AP07"] == ["D144", "D145", "D151", "D152"]
    assert cells["AP02"] == ["D153"]  # In-Progress, due 15/12/2023: the phase headings are not
    assert set(cells) == {"TY05", "TY02", "AP02", "AP07", "AP08"}  # no AP05 on phase headings


def test_real_world_trackers_statuses_and_owners(tmp_path) -> None:
    run = _real_world(tmp_path, "kpi_dashboard_rag_milestones.xlsx")
    assert [f.cell for f in run.findings if f.sheet == "Milestone Tracker" and f.rule == "AP01"] == []
    run = _real_world(tmp_path, "action_tracker_project_2016.xlsx")
    assert [f.cell for f in run.findings if f.rule == "AP06"] == [f"E{r}" for r in range(18, 35)]
    assert [f.cell for f in run.findings if f.rule == "AP01"] == []
