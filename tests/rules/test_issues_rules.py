"""Issues log rules and derived columns (age, overdue), cell by cell."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import keys, run_sheetsync, write_openpyxl, write_xlsxwriter

HEADER = ["Issue ID", "Date raised", "Issue", "Priority", "Status", "Owner", "Target date",
          "Date resolved"]
S = "Issues"


def issue(ref="I1", logged="01/02/2023", text="Contractor delay", priority="High", status="Open",
          owner="PM", target="30/04/2023", resolved=None):
    return [ref, logged, text, priority, status, owner, target, resolved]


def check(tmp_path, *rows, header=HEADER):
    path = write_openpyxl(tmp_path / "in" / "issues.xlsx", {S: [header, *rows]})
    return run_sheetsync([path], tmp_path / "out", reports=False)


def test_clean_log_and_derived_columns(tmp_path) -> None:
    run = check(tmp_path, issue("I1"), issue("I2", logged="01/12/2022", priority="low",
                                               status="closed", target="01/01/2023",
                                               resolved="02/01/2023"))
    assert keys(run) == []
    records = run.workbooks[0].sheets[0].records
    assert [(r["ref"], r["priority"], r["status"], r["age_days"], r["overdue"]) for r in records] == [
        ("I1", "High", "Open", 58, "No"), ("I2", "Low", "Closed", 120, "No")]


@pytest.mark.parametrize(("row", "expected"), [
    (issue(None), [("IL01", S, "A3")]),
    (issue("I1"), [("IL02", S, "A3")]),
    (issue("I2", text=None), [("IL03", S, "C3")]),
    (issue("I2", logged="01/04/2023"), [("IL04", S, "B3")]),
    (issue("I2", logged="30/02/2023"), [("TY02", S, "B3")]),
    (issue("I2", logged=None), [("IL09", S, "B3")]),
    (issue("I2", priority="Urgent"), [("IL05", S, "D3")]),
    (issue("I2", status="Parked"), [("IL06", S, "E3")]),
    (issue("I2", target="01/01/2023"), [("IL07", S, "G3"), ("IL08", S, "G3")]),
    (issue("I2", resolved="15/01/2023", status="Resolved"), [("IL07", S, "H3")]),
    (issue("I2", target="30/03/2023"), [("IL08", S, "G3")]),
])
def test_each_rule_marks_its_cell(tmp_path, row, expected) -> None:
    assert keys(check(tmp_path, issue("I1"), row)) == expected


def test_overdue_boundary_and_closed_issues(tmp_path) -> None:
    run = check(tmp_path, issue("I1", target="31/03/2023"), issue("I2", target="30/03/2023"),
                issue("I3", target="01/03/2023", status="Closed"),
                issue("I4", target="01/03/2023", resolved="02/03/2023"))
    assert keys(run) == [("IL08", S, "G3")]
    overdue = next(f for f in run.findings if f.rule == "IL08")
    assert overdue.severity.label == "warning"
    assert overdue.ref == "I2"
    assert overdue.message == ("This issue was due by 30/03/2023 and is still open on 31/03/2023. "
                               "Resolve it, or agree and record a new target date.")


def test_priority_vocabulary_from_config(tmp_path) -> None:
    config = tmp_path / "ours.yaml"
    config.write_text("vocabularies:\n  issue_priority: [Immediate, Soon, Later]\n", encoding="utf-8")
    path = write_xlsxwriter(tmp_path / "in" / "log.xlsx", {S: [HEADER, issue("I1", priority="soon"),
                                                               issue("I2", priority="High")]})
    run = run_sheetsync([path], tmp_path / "out", config=config, reports=False)
    assert keys(run) == [("IL05", S, "D3")]
    assert run.findings[0].message == "The priority High is not one of Immediate, Soon, Later."


def test_real_date_cells_and_serials(tmp_path) -> None:
    path = write_xlsxwriter(tmp_path / "in" / "dates.xlsx", {S: [
        HEADER, issue("I1", logged=dt.date(2023, 2, 1)), issue("I2", logged=44958)]})
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert keys(run) == []
    assert [r["date_logged"] for r in run.workbooks[0].sheets[0].records] == ["2023-02-01",
                                                                              "2023-02-01"]
