"""Action-plan trackers: statuses, overdue and TBC dates, and rollups against a hand count."""

from __future__ import annotations

import csv
import datetime as dt

import openpyxl
from helpers import keys, run_sheetsync, write_openpyxl

HEADER = ["IP Ref", "Partner", "Delivery Objectives", "Outcome", "Workstream", "Lead",
          "Target Date", "Status", "Progress Comments", "Next Steps"]
S = "Improvement Plan"
AS_OF = dt.date(2019, 7, 31)


def action(ref, group="Finance", due="30/09/2019", status="G", text="Review budgets"):
    return [ref, "ALL", text, "Better control", group, "Director", due, status, "Under way", None]


ROWS = [
    action("IP1"), action("IP2", status="Green"), action("IP3", status="on track"),
    action("IP4", status="A", due="31/03/2019"), action("IP5", status="Completed", due="01/01/2019"),
    action("IP6", group="ICT", status="R"), action("IP7", group="ICT", status="Behind schedule"),
    action("IP8", group="ICT", status="B"), action("IP9", group="ICT", status="Purple"),
    action("IP10", group="ICT", status=None), action("IP11", group="ICT", due="TBC"),
    action("IP12", group="ICT", text=None),
]


def test_findings_on_their_cells(tmp_path) -> None:
    path = write_openpyxl(tmp_path / "in" / "plan.xlsx", {S: [["Quarter 1: April to June 2019"], [],
                                                              HEADER, *ROWS]})
    run = run_sheetsync([path], tmp_path / "out", as_of=AS_OF)
    assert keys(run) == [("AP01", S, "H12"), ("AP02", S, "G7"), ("AP03", S, "G14"),
                         ("AP04", S, "C15"), ("AP05", S, "H13")]
    by_rule = {f.rule: f for f in run.findings}
    assert by_rule["AP01"].message.startswith("The status 'Purple' is not one the action plan uses.")
    assert by_rule["AP02"].severity.label == "warning"
    assert by_rule["AP02"].message == ("This action was due by 31/03/2019 and is not complete on "
                                       "31/07/2019. Complete it, or agree and record a new date.")


def test_rollups_equal_a_hand_count(tmp_path) -> None:
    path = write_openpyxl(tmp_path / "in" / "plan.xlsx", {S: [HEADER, *ROWS]})
    run = run_sheetsync([path], tmp_path / "out", as_of=AS_OF)
    with (tmp_path / "out" / "records" / "rollups.csv").open(encoding="utf-8-sig") as handle:
        table = {(r["group"], r["status"]): (int(r["count"]), r["percent"])
                 for r in csv.DictReader(handle)}
    # By hand: Finance has G, G, G, A, B (5 rated); ICT has R, R, B, G, G (5 rated: IP11's date
    # is TBC, IP12 has no text) and 2 unrated (Purple, blank).
    assert table[("Finance", "G")] == (3, "60.0")
    assert table[("Finance", "A")] == (1, "20.0")
    assert table[("Finance", "B")] == (1, "20.0")
    assert table[("Finance", "unrated")] == (0, "")
    assert table[("ICT", "R")] == (2, "40.0")
    assert table[("ICT", "G")] == (2, "40.0")
    assert table[("ICT", "B")] == (1, "20.0")
    assert table[("ICT", "unrated")] == (2, "")
    assert table[("All", "G")] == (5, "50.0")
    assert table[("All", "R")] == (2, "20.0")
    assert sum(table[("All", s)][0] for s in ("G", "A", "R", "B", "unrated")) == len(ROWS)
    summary = openpyxl.load_workbook(run.workbooks[0].annotated)["Summary"]
    assert [c.value for c in summary[1]] == ["Sheet", "Workstream", "Status", "Actions", "% of rated"]
    assert [c.value for c in summary[2]] == [S, "Finance", "G (Green)", 3, 60.0]


def test_actions_records(tmp_path) -> None:
    path = write_openpyxl(tmp_path / "in" / "plan.xlsx", {S: [HEADER, *ROWS[:5]]})
    run = run_sheetsync([path], tmp_path / "out", as_of=AS_OF)
    records = run.workbooks[0].sheets[0].records
    assert [(r["ref"], r["group"], r["status"], r["target_date"], r["overdue"]) for r in records] == [
        ("IP1", "Finance", "G", "2019-09-30", "No"), ("IP2", "Finance", "G", "2019-09-30", "No"),
        ("IP3", "Finance", "G", "2019-09-30", "No"), ("IP4", "Finance", "A", "2019-03-31", "Yes"),
        ("IP5", "Finance", "B", "2019-01-01", "No")]


def test_rerun_on_annotated_copy_keeps_one_summary(tmp_path) -> None:
    path = write_openpyxl(tmp_path / "in" / "plan.xlsx", {S: [HEADER, *ROWS]})
    first = run_sheetsync([path], tmp_path / "out", as_of=AS_OF)
    second = run_sheetsync([first.workbooks[0].annotated], tmp_path / "again", as_of=AS_OF)
    assert keys(second) == keys(first)
    assert openpyxl.load_workbook(second.workbooks[0].annotated).sheetnames == [
        S, "Summary", "Exceptions", "_sheetsync"]
