"""Sheet kinds by best fit: what a sheet's columns say it is, not the first kind over a threshold."""

from __future__ import annotations

import datetime as dt

from helpers import keys, run_sheetsync, write_openpyxl


def kinds(run) -> list[tuple[str, str, int, int]]:
    return [(s.name, s.kind, s.header_row, s.rows) for wb in run.workbooks for s in wb.sheets]


def test_a_project_dashboard_is_not_an_action_plan(tmp_path) -> None:
    """Status and Progress % but no action or task: not an action plan (no AP findings on
    'Green'); its budget columns make it a financial table."""
    rows = [["Project Name", "Status", "Progress %", "Budget", "Actual Spend", "Variance",
             "Risk Level", "Owner"],
            ["CRM Upgrade", "Green", 0.85, 50000, 46000, 4000, "Low", "Divya"],
            ["Reporting", "Amber", 0.65, 30000, 28000, 2000, "Medium", "Divya"],
            ["Process", "Red", 0.4, 20000, 21000, -1000, "High", "Divya"]]
    path = write_openpyxl(tmp_path / "in" / "dash.xlsx", {"Dashboard Overview": rows})
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert kinds(run) == [("Dashboard Overview", "financial_table", 1, 3)]
    assert keys(run) == []


def test_a_risk_log_with_jira_columns_is_a_risk_register_and_its_export_is_not(tmp_path) -> None:
    """Severity, Raised and Resolved look like an issues log's, but an issue has no likelihood."""
    log = [[None, None, None, "Responsibles", None, "Status", None, None, "Risk Assessment"],
           ["Key", "Jira", "Summary", "Reporter", "Owner", "Status", "Problem", "Resolution",
            "Impact", "Likelihood", "Severity", "Severity Index", "Raised", "Resolved"],
           ["RISK-1", "Link", "Supplier fails", "Ann", "Bob", "Mitigate", 0, None, 2, 3, "Low",
            6, dt.datetime(2022, 2, 5), None]]
    export = [["issueKey", "issueID", "issueType", "Reporter", "Assignee", "Summary", "Status",
               "Resolution", "Priority", "Created", "Resolved", "field::impact",
               "field::likelihood"],
              ["RISK-1", 10000, "Risk", "Ann", "Bob", "Supplier fails", "Mitigate", None,
               "Unspecified", dt.datetime(2022, 2, 5), None, "Minor", "Possible"]]
    path = write_openpyxl(tmp_path / "in" / "jira.xlsx", {"RiskLog": log, "Export": export})
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert kinds(run) == [("RiskLog", "risk_register", 2, 1)]
    (risk,) = run.records("risk_register")
    assert (risk["ref"], risk["owner"], risk["residual_impact"], risk["residual_likelihood"]) == (
        "RISK-1", "Bob", 2, 3)


def test_an_issues_sheet_named_by_its_headers_is_an_issues_log(tmp_path) -> None:
    """No priority or dates, and an Impact column: "Issue Description" says what it is."""
    rows = [["ID", "Issue Description", "Impact (High/Med/Low)", "Status", "Owner"],
            ["I1", "CORS errors", "Medium", "Open", "Dev team"],
            ["I2", "No backups", "High", "Closed", "DevOps"]]
    path = write_openpyxl(tmp_path / "in" / "issues.xlsx", {"Issues": rows})
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert kinds(run) == [("Issues", "issues_log", 1, 2)]
    assert keys(run) == []


def test_a_milestone_list_is_an_action_plan(tmp_path) -> None:
    """Milestone | Due Date | Status | Owner: milestones are tracked like actions."""
    rows = [["Milestone", "Due Date", "Status", "Owner"],
            ["Planning complete", dt.datetime(2023, 1, 10), "Complete", "Divya"],
            ["Final sign-off", dt.datetime(2023, 6, 1), "Green", "Divya"]]
    path = write_openpyxl(tmp_path / "in" / "milestones.xlsx", {"Milestone Tracker": rows})
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert kinds(run) == [("Milestone Tracker", "action_plan", 1, 2)]
    assert keys(run) == []


def test_a_task_schedule_is_an_action_plan_and_not_overdue_without_a_status(tmp_path) -> None:
    """Task Name | Duration | Start | End: an action plan; with no status column nobody can say
    a past task is not done, so none is overdue."""
    rows = [["Task Name", "Task Mode ", "Duration", "Start Date ", "End Date", "Predecessor "],
            ["Project Brief", "Done", 2, dt.datetime(2015, 3, 22), dt.datetime(2015, 3, 24), None],
            ["PID Initiation", "Done", 4, dt.datetime(2015, 3, 26), dt.datetime(2015, 3, 30),
             "Project Brief"]]
    path = write_openpyxl(tmp_path / "in" / "schedule.xlsx", {"Sheet1": rows})
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert kinds(run) == [("Sheet1", "action_plan", 1, 2)]
    assert keys(run) == [("HD01", "Sheet1", "A1")]  # no status column to track progress
    assert [r["overdue"] for r in run.records("action_plan")] == [None, None]
