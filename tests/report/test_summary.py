"""The quarterly summary workbook: counts against a hand count, direction of travel against the
previous summary, every sheet present, and LibreOffice prints it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import soffice, write_openpyxl

from sheetsync.cli import cli
from sheetsync.report.quarters import parse_quarter, quarter_of

ROOT = Path(__file__).resolve().parents[2]
RISK_HEADER = ["Ref", "Risk", "Owner", "Workstream", "Inherent likelihood", "Inherent impact",
               "Residual likelihood", "Residual impact"]


def registers(folder: Path, residual_r2: int = 4) -> Path:
    write_openpyxl(folder / "Adults" / "risks.xlsx", {"Risks": [
        RISK_HEADER,
        ["R1", "Budget gap", "CFO", "Finance", 5, 5, 4, 4],            # residual 16 Red
        ["R2", "Cyber attack", "CIO", "ICT", 5, 4, residual_r2, 5],     # 20 Red (or less)
        ["R3", "Recruitment", "HR lead", "People", 3, 3, 2, 2],         # 4 Green
        ["R4", "Flooding", "Head of Place", "Place", 4, 4, 3, 3],       # 9 Amber
    ]})
    write_openpyxl(folder / "Children" / "risks.xlsx", {"Risks": [
        RISK_HEADER, ["C1", "Placements", "DCS", "Care", 5, 5, 5, 3]]})  # 15 Red
    write_openpyxl(folder / "Performance" / "pack.xlsx", {
        "KPIs": [["Service", "KPI", "Target", "Actual", "Commentary"],
                 ["Finance", "Council Tax collected", "97%", "90%", None],
                 ["Finance", "Invoices paid in 30 days", "95%", "96%", None],
                 ["ICT", "System availability", "99.5%", None, None],
                 ["HR", "Sickness days", "<8 days", "8 days", None]],
        "Actions": [["Ref", "Action", "Workstream", "Lead", "Target date", "Status"],
                    ["A1", "Budget review", "Finance", "CFO", "30/06/2023", "G"],
                    ["A2", "Oracle Cloud", "Finance", "CFO", "31/12/2022", "A"],
                    ["A3", "Restructure ICT", "ICT", "CIO", "31/01/2023", "Complete"],
                    ["A4", "New strategy", "ICT", "CIO", "30/09/2023", "Purple"]],
        "Issues": [["Ref", "Date logged", "Issue", "Priority", "Status", "Target date"],
                   ["I1", "01/03/2023", "Supplier late", "High", "Open", "15/03/2023"],
                   ["I2", "01/12/2022", "Data gaps", "Low", "Open", "30/06/2023"],
                   ["I3", "01/10/2022", "Old issue", "Medium", "Closed", "01/11/2022"],
                   ["I4", "15/11/2022", "Contract dispute", "High", "Open", None]]})
    return folder


def summarise(tmp_path: Path, inputs: Path, name: str, *extra: str):
    out = tmp_path / name
    result = CliRunner().invoke(cli, ["summary", str(inputs), "--out", str(out), "--as-of",
                                      "2023-03-31", *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out, result


def test_every_sheet_and_the_counts_match_a_hand_count(tmp_path) -> None:
    out, result = summarise(tmp_path, registers(tmp_path / "in"), "summary.xlsx", "--quarter",
                            "Q4 2022-23")
    assert result.stdout.strip() == f"Q4 2022/23: 3 workbooks, 5 registers read; summary written to {out}"
    wb = openpyxl.load_workbook(out, data_only=True)
    assert wb.sheetnames == ["Overview", "Heat map", "Escalations", "Performance", "Actions",
                             "Issues", "Exceptions", "Risk data", "KPI data", "Action data",
                             "Issue data", "Finance data"]
    overview = wb["Overview"]
    assert overview["A2"].value == "Q4 2022/23 (January to March 2023)"
    assert overview["A4"].value == "Workbooks read: 3; registers read: 5"
    # Risks by residual rating (Red first): R1 16, R2 20, C1 15 Red; R4 9 Amber; R3 4 Green.
    assert [(overview[f"A{r}"].value, overview[f"B{r}"].value) for r in (8, 9, 10)] == [
        ("Red", 3), ("Amber", 1), ("Green", 1)]
    assert overview["B8"].value == 3 and "COUNTIF" in openpyxl.load_workbook(out)["Overview"]["B8"].value
    heat = wb["Heat map"]
    # Residual matrix: likelihood 5 at the top (row 5) down to 1 (row 9); impact 1..5 in B..F.
    cells = {(6 - (r - 4), c): heat.cell(row=r, column=c + 1).value
             for r in range(5, 10) for c in range(1, 6)}
    assert {k: v for k, v in cells.items() if v} == {(4, 4): 1, (4, 5): 1, (2, 2): 1, (3, 3): 1,
                                                       (5, 3): 1}
    top = [row for row in heat.iter_rows(min_row=1, values_only=True)
           if row[0] in ("R1", "R2", "C1")]
    assert [(r[0], r[4], r[5]) for r in top] == [("R2", 20, "Red"), ("R1", 16, "Red"),
                                                 ("C1", 15, "Red")]
    assert top[0][7] == "Adults/risks.xlsx / Risks / row 3"


def test_performance_actions_and_issues(tmp_path) -> None:
    out, _result = summarise(tmp_path, registers(tmp_path / "in"), "summary.xlsx")
    wb = openpyxl.load_workbook(out, data_only=True)
    performance = [r for r in wb["Performance"].iter_rows(min_row=4, values_only=True) if r[2]]
    assert [(r[2], r[5]) for r in performance[:4]] == [
        ("Council Tax collected", "Red"), ("Invoices paid in 30 days", "Green"),
        ("Sickness days", "Green"), ("System availability", "No data")]
    actions = {row[0]: row[1:] for row in wb["Actions"].iter_rows(min_row=4, max_row=6,
                                                                 values_only=True)}
    # By hand: Finance G, A (2 rated); ICT B (1 rated) and Purple (unrated).
    assert actions["Finance"] == (1, 0.5, 1, 0.5, 0, 0, 0, 0, 0, 2)
    assert actions["ICT"] == (0, 0, 0, 0, 0, 0, 1, 1, 1, 2)
    assert actions["All"] == (1, 0.333, 1, 0.333, 0, 0, 1, 0.333, 1, 4)
    assert (wb["Actions"]["C4"].number_format, wb["Actions"]["B4"].border.left.style) == ("0%", "thin")
    overdue = [r for r in wb["Actions"].iter_rows(values_only=True) if r[0] == "A2"]
    assert len(overdue) == 1
    issues = wb["Issues"]
    assert [(r[0].value, r[1].value) for r in issues["A4:B7"]] == [
        ("Critical", 0), ("High", 2), ("Medium", 0), ("Low", 1)]
    ages = {r[0]: r[1] for r in issues.iter_rows(values_only=True) if r[0] in (
        "0-30 days", "31-90 days", "Over 90 days")}
    assert ages == {"0-30 days": 1, "31-90 days": 0, "Over 90 days": 2}


def test_direction_of_travel_against_the_previous_summary(tmp_path) -> None:
    previous, _ = summarise(tmp_path, registers(tmp_path / "q3"), "q3.xlsx", "--quarter",
                            "Q3 2022/23")
    current_inputs = registers(tmp_path / "q4", residual_r2=2)
    (current_inputs / "Children" / "risks.xlsx").unlink()
    write_openpyxl(current_inputs / "Adults" / "extra.xlsx", {"Risks": [
        RISK_HEADER, ["N1", "New risk", "CEO", "Corporate", 5, 5, 5, 5]]})
    out, _ = summarise(tmp_path, current_inputs, "q4.xlsx", "--previous", str(previous))
    wb = openpyxl.load_workbook(out, data_only=True)
    data = {(r[0], r[3]): r for r in wb["Risk data"].iter_rows(min_row=2, values_only=True)}
    header = [c.value for c in wb["Risk data"][1]]
    direction = header.index("direction_vs_previous")
    assert {key[1]: row[direction] for key, row in data.items()} == {
        "R1": "Same", "R2": "Down", "R3": "Same", "R4": "Same", "N1": "New"}
    heat = wb["Heat map"]
    texts = [c.value for row in heat.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Closed since the previous quarter" in texts and "C1" in texts
    assert heat.cell(row=4, column=9).value == "Previous quarter"


def test_quarter_labels() -> None:
    assert parse_quarter("Q3 2022/23").label == "Q3 2022/23"
    assert parse_quarter("Q3 2022/2023") == parse_quarter("q3 2022-23")
    import datetime as dt

    assert quarter_of(dt.date(2023, 4, 1)).label == "Q1 2023/24"
    assert quarter_of(dt.date(2023, 3, 31)).label == "Q4 2022/23"
    with pytest.raises(ValueError, match="financial year runs"):
        parse_quarter("Q1 2022/24")


def test_a_bad_quarter_exits_2(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["summary", str(registers(tmp_path / "in")), "--out",
                                      str(tmp_path / "s.xlsx"), "--quarter", "third quarter"])
    assert result.exit_code == 2
    assert "is not a quarter such as 'Q3 2022/23'" in result.stderr


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed; CI installs "
                    "libreoffice-calc-nogui")
def test_libreoffice_prints_the_summary_and_the_first_page_is_kept(tmp_path) -> None:
    out, _ = summarise(tmp_path, registers(tmp_path / "in"), "summary.xlsx")
    completed = subprocess.run(
        [soffice(), f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
        capture_output=True, text=True, timeout=180, check=False)
    pdf = tmp_path / "summary.pdf"
    assert completed.returncode == 0 and pdf.read_bytes().startswith(b"%PDF"), completed.stderr
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed, so no page picture is kept")
    artefacts = ROOT / "test-artefacts"
    artefacts.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                    str(artefacts / "summary-page")], check=True, timeout=60)
    assert any(artefacts.glob("summary-page*.png"))
