"""RAID logs: one sheet with a Type column, or one sheet per letter; each row checked as its kind."""

from __future__ import annotations

import csv
import datetime as dt

from helpers import keys, run_sheetsync, write_openpyxl

HEADER = ["ID", "Type", "Description", "Impact", "Probability", "Owner", "Status", "Mitigation",
          "Date Raised"]


def raid_rows() -> list[list[object]]:
    return [HEADER,
            [1, "Risk", "Delay in stakeholder approval", "High", "Medium", "PM", "Open",
             "Escalate early", dt.datetime(2022, 3, 1)],
            [2, "Issue", "Resource shortage", "Medium", "High", "Team Lead", "In Progress",
             "Reallocate", dt.datetime(2022, 3, 2)],
            [3, "assumption", "Vendor availability", "Low", "Low", None, "Confirmed", None,
             dt.datetime(2022, 3, 3)],
            [4, "D", "External API delivery", "High", "Medium", "Tech Team", "Pending", None,
             dt.datetime(2099, 1, 1)],
            [5, "Risk", "Budget cut", "hgh", "Low", None, "Open", None, dt.datetime(2022, 3, 5)]]


def test_one_sheet_with_a_type_column_is_a_raid_log_checked_by_type(tmp_path) -> None:
    path = write_openpyxl(tmp_path / "in" / "raid.xlsx", {"Raid Log": raid_rows()})
    run = run_sheetsync([path], tmp_path / "out")
    (sheet,) = run.workbooks[0].sheets
    assert (sheet.kind, sheet.header_row, sheet.rows) == ("raid_log", 1, 5)
    assert keys(run) == [
        ("RD01", "Raid Log", "F4"),  # the assumption has no owner
        ("RD03", "Raid Log", "I5"),  # the dependency raised in 2099
        ("RD05", "Raid Log", "E3"),  # a probability for an issue
        ("RR09", "Raid Log", "F6"),  # the risk has no owner: a risk register's check
        ("TY04", "Raid Log", "D6"),  # 'hgh' is no level of the risk's scale
    ]
    probability = next(f for f in run.findings if f.rule == "RD05")
    assert probability.value == "High" and probability.severity.label == "warning"
    assert "whose type is Issue" in probability.message
    # The risks are scored and rated, and go with the other risks; the issue with the issues.
    (risk, _unscored) = run.records("risk_register")
    assert (risk["row"], risk["residual_likelihood"], risk["residual_impact"]) == (2, 2, 3)
    assert risk["residual_score"] == 6 and risk["residual_rating"]
    assert [(r["row"], r["status"]) for r in run.records("issues_log")] == [(3, "In progress")]
    assert [(r["row"], r["type"], r["status"]) for r in run.records("raid_log")] == [
        (4, "assumption", "Confirmed"), (5, "D", "Pending")]
    with (tmp_path / "out" / "records" / "risks.csv").open(encoding="utf-8-sig") as handle:
        assert [(r["sheet"], r["row"]) for r in csv.DictReader(handle)] == [("Raid Log", "2"),
                                                                              ("Raid Log", "6")]
    with (tmp_path / "out" / "records" / "raid.csv").open(encoding="utf-8-sig") as handle:
        assert [r["description"] for r in csv.DictReader(handle)] == [
            "Vendor availability", "External API delivery"]


def test_status_words_of_assumptions_and_dependencies_are_not_findings(tmp_path) -> None:
    """'Confirmed', 'Pending', 'Planned' are a RAID log's statuses, not an action plan's."""
    rows = [["ID", "Type", "Description", "Owner", "Status"],
            ["A1", "Assumption", "Funding agreed", "CFO", "Confirmed"],
            ["D1", "Dependency", "New system live", "CIO", "Planned"],
            ["D2", "Dependency", "Staff trained", "HR", "Pending"]]
    path = write_openpyxl(tmp_path / "in" / "raid.xlsx", {"RAID": rows})
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert [(s.kind, s.rows) for s in run.workbooks[0].sheets] == [("raid_log", 3)]
    assert keys(run) == []


def test_one_sheet_per_letter(tmp_path) -> None:
    """Risks stay a risk register and Issues an issues log; Assumptions and Dependencies are
    RAID log sheets, checked for owner, status and dates only (no AP01 on 'Planned')."""
    sheets = {
        "Risks": [["ID", "Risk Description", "Impact (High/Med/Low)", "Likelihood (High/Med/Low)",
                   "Mitigation Strategy", "Owner"],
                  ["R1", "Model slow under load", "High", "Medium", "Caching", "Dev team"]],
        "Assumptions": [["ID", "Assumption Description", "Validation Method", "Owner"],
                        ["A1", "Data stays clean", "Scripts", "Data team"],
                        ["A2", "Users want favourites", "Track use", None]],
        "Issues": [["ID", "Issue Description", "Impact (High/Med/Low)",
                    "Status (Open/In Progress/Closed)", "Owner"],
                   ["I1", "CORS errors", "Medium", "Open", "Dev team"],
                   ["I2", "No backups", "High", "In progeress", "DevOps"]],
        "Dependencies": [["ID", "Dependency Description", "Why It's Needed", "Status ", "Owner"],
                         ["D1", "Hosting platform", "Deploy", "Planned", "DevOps"],
                         ["D2", "API endpoints", "Bridge", None, "Dev team"]],
    }
    path = write_openpyxl(tmp_path / "in" / "raid.xlsx", sheets)
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert [(s.name, s.kind, s.rows) for s in run.workbooks[0].sheets] == [
        ("Risks", "risk_register", 1), ("Assumptions", "raid_log", 2), ("Issues", "issues_log", 2),
        ("Dependencies", "raid_log", 2)]
    assert keys(run) == [("IL06", "Issues", "D3"), ("RD01", "Assumptions", "D3"),
                         ("RD02", "Dependencies", "D3")]
    assert [r["description"] for r in run.records("raid_log")] == [
        "Data stays clean", "Users want favourites", "Hosting platform", "API endpoints"]


def test_a_type_column_of_other_words_is_not_a_raid_log(tmp_path) -> None:
    """A register's "Type" (Financial, Operational) says nothing of RAID."""
    rows = [["Ref", "Type", "Description", "Owner", "Status"],
            ["X1", "Financial", "Budget", "CFO", "Open"],
            ["X2", "Operational", "Staffing", "HR", "Open"]]
    path = write_openpyxl(tmp_path / "in" / "log.xlsx", {"Log": rows})
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert run.workbooks[0].status == "skipped"
