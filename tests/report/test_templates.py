"""Templates: generated from the schemas and config, read back with zero findings, and their
formulas agree with sheetsync when LibreOffice recalculates them."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import keys, run_sheetsync, soffice

from sheetsync.cli import cli
from sheetsync.report.templates import KINDS

ROOT = Path(__file__).resolve().parents[2]
SHEETS = {"risk_register": "Risk register", "issues_log": "Issues log", "kpi_sheet": "KPI sheet",
          "action_plan": "Action plan"}
FOUR_BY_FOUR = ("risk_matrix:\n  likelihood: [Low, Medium, High, Very high]\n"
                "  impact: [Minor, Moderate, Serious, Critical]\n"
                "score_bands:\n  - {name: Low, from: 1, colour: '#00B050'}\n"
                "  - {name: Medium, from: 4, colour: '#FFFF00'}\n"
                "  - {name: High, from: 8, colour: '#FFC000'}\n"
                "  - {name: Very high, from: 12, colour: '#FF0000'}\n")

# Rows an officer might type: {column header: value}
FILLED = {
    "risk_register": [
        {"Reference": "R1", "Description": "Budget gap", "Risk owner": "CFO",
         "Inherent likelihood": 4, "Inherent impact": 4, "Residual likelihood": 3,
         "Residual impact": 4, "Target likelihood": 2, "Target impact": 2,
         "Review date": dt.datetime(2023, 3, 1), "Controls": "Savings plan agreed"},
        {"Reference": "R2", "Description": "Cyber attack", "Risk owner": "CIO",
         "Inherent likelihood": 3, "Inherent impact": 2, "Residual likelihood": 1,
         "Residual impact": 2},
        {"Reference": "R3", "Description": "Flood", "Risk owner": "Head of Place",
         "Inherent likelihood": 1, "Inherent impact": 1, "Residual likelihood": 1,
         "Residual impact": 1},
    ],
    "issues_log": [
        {"Reference": "I1", "Date logged": dt.datetime(2023, 2, 1), "Issue": "Supplier late",
         "Priority": "High", "Status": "Open", "Target date": dt.datetime(2023, 4, 30),
         "Owner": "Procurement lead"},
    ],
    "kpi_sheet": [
        {"KPI": "Council tax collected", "Target": (0.97, "0.0%"), "Actual": (0.95, "0.0%"),
         "Commentary": "Recovery plan"},
        {"KPI": "Invoices paid on time", "Target": (0.95, "0.0%"), "Actual": (0.80, "0.0%"),
         "Commentary": "Staffing"},
        {"KPI": "Days to process claims", "Target": 20, "Actual": 20,
         "Polarity": "Lower is better"},
        {"KPI": "Complaints", "Target": 10, "Actual": 10.4, "Polarity": "Lower is better"},
    ],
    "action_plan": [
        {"Ref": "A1", "Action": "Review budgets", "Lead": "Finance manager",
         "Target date": dt.datetime(2023, 6, 30),
         "Status": "Green"},
        {"Ref": "A2", "Action": "Restructure", "Lead": "Chief executive",
         "Target date": dt.datetime(2023, 1, 31), "Status": "Blue"},
    ],
}


def generate(tmp_path: Path, kind: str, config: Path | None = None) -> Path:
    out = tmp_path / f"{kind}.xlsx"
    args = ["template", kind, str(out)] + (["--config", str(config)] if config else [])
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def fill(template: Path, kind: str, destination: Path) -> Path:
    wb = openpyxl.load_workbook(template)
    ws = wb[SHEETS[kind]]
    headers = {cell.value: cell.column for cell in ws[5] if cell.value}
    for offset, row in enumerate(FILLED[kind]):
        for header, value in row.items():
            cell = ws.cell(row=6 + offset, column=headers[header])
            if isinstance(value, tuple):
                cell.value, cell.number_format = value
            else:
                cell.value = value
    destination.parent.mkdir(parents=True, exist_ok=True)
    wb.save(destination)
    return destination


@pytest.mark.parametrize("kind", KINDS)
def test_shipped_templates_are_what_the_command_generates(tmp_path, kind) -> None:
    shipped = ROOT / "workbook_templates" / f"{kind}.xlsx"
    assert generate(tmp_path, kind).read_bytes() == shipped.read_bytes(), (
        f"regenerate with: sheetsync template {kind} workbook_templates/{kind}.xlsx")


@pytest.mark.parametrize("kind", KINDS)
def test_a_blank_template_is_a_register_with_no_rows_and_no_findings(tmp_path, kind) -> None:
    run = run_sheetsync([generate(tmp_path, kind)], tmp_path / "out")
    assert keys(run) == []
    assert [(s.kind, s.header_row, s.rows) for s in run.workbooks[0].sheets] == [(kind, 5, 0)]


@pytest.mark.parametrize("kind", KINDS)
def test_a_filled_template_validates_with_zero_findings(tmp_path, kind) -> None:
    filled = fill(generate(tmp_path, kind), kind, tmp_path / "in" / f"{kind}.xlsx")
    run = run_sheetsync([filled], tmp_path / "out")
    assert keys(run) == []
    assert run.workbooks[0].sheets[0].rows == len(FILLED[kind])


def test_template_carries_drop_downs_dates_formulas_and_guidance(tmp_path) -> None:
    wb = openpyxl.load_workbook(generate(tmp_path, "risk_register"))
    ws = wb["Risk register"]
    assert [c.value for c in ws[5]][:9] == [
        "Reference", "Description", "Risk owner", "Workstream", "Controls", "Inherent likelihood",
        "Inherent impact", "Inherent score", "Inherent rating"]
    assert ws["H6"].value == '=IF(AND(ISNUMBER(F6),ISNUMBER(G6)),F6*G6,"")'
    assert ws["I6"].value == '=IF(H6="","",IF(H6<15,IF(H6<5,"Green","Amber"),"Red"))'
    validations = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    assert validations["F6:F55"].formula1 == '"1,2,3,4,5"'
    assert "1 Rare" in validations["F6:F55"].prompt
    assert validations["R6:R55"].type == "date"
    assert ws.freeze_panes == "B6" and list(ws.tables) == ["RiskRegister"]
    guidance = [c.value for row in wb["Guidance"].iter_rows() for c in row if c.value]
    assert "Amber" in guidance and "5 to 14" in guidance and "5 Catastrophic" in guidance
    issues = openpyxl.load_workbook(generate(tmp_path, "issues_log"))["Issues log"]
    lists = [v.formula1 for v in issues.data_validations.dataValidation if v.type == "list"]
    assert '"Critical,High,Medium,Low"' in lists


def test_an_organisations_own_matrix_and_bands_go_into_its_template(tmp_path) -> None:
    config = tmp_path / "ours.yaml"
    config.write_text(FOUR_BY_FOUR, encoding="utf-8")
    wb = openpyxl.load_workbook(generate(tmp_path, "risk_register", config))
    ws = wb["Risk register"]
    assert ws["I6"].value == ('=IF(H6="","",IF(H6<12,IF(H6<8,IF(H6<4,"Low","Medium"),"High"),'
                              '"Very high"))')
    validations = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    assert validations["F6:F55"].formula1 == '"1,2,3,4"'
    guidance = [c.value for row in wb["Guidance"].iter_rows() for c in row if c.value]
    assert "Very high" in guidance and "12 to 16" in guidance


LO_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def recalculated_rows(workbook: Path, tmp_path: Path) -> list[list[str]]:
    """The first sheet as LibreOffice shows it after recalculating every formula on load."""
    profile = tmp_path / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(LO_PROFILE, encoding="utf-8")
    completed = subprocess.run(
        [soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "csv",
         "--outdir", str(tmp_path / "csv"), str(workbook)], capture_output=True, text=True,
        timeout=180, check=False)
    assert completed.returncode == 0, completed.stderr
    text = (tmp_path / "csv" / f"{workbook.stem}.csv").read_text(encoding="utf-8")
    return list(csv.reader(text.splitlines()))


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed; CI installs "
                    "libreoffice-calc-nogui")
@pytest.mark.parametrize("custom", [False, True], ids=["default-5x5", "custom-4x4"])
def test_libreoffice_computes_the_same_scores_and_ratings(tmp_path, custom) -> None:
    config = None
    if custom:
        config = tmp_path / "ours.yaml"
        config.write_text(FOUR_BY_FOUR, encoding="utf-8")
    filled = fill(generate(tmp_path, "risk_register", config), "risk_register",
                  tmp_path / "in" / "register.xlsx")
    run = run_sheetsync([filled], tmp_path / "out", config=config)
    assert keys(run) == []
    rows = recalculated_rows(filled, tmp_path)
    header = rows[4]
    for record, shown in zip(run.workbooks[0].sheets[0].records, rows[5:], strict=False):
        for assessment in ("inherent", "residual", "target"):
            label = assessment.capitalize()
            score = shown[header.index(f"{label} score")]
            rating = shown[header.index(f"{label} rating")]
            expected_score = record[f"{assessment}_score"]
            assert score == ("" if expected_score is None else str(expected_score)), (assessment, record)
            assert rating == (record[f"{assessment}_rating"] or ""), (assessment, record)


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed; CI installs "
                    "libreoffice-calc-nogui")
def test_libreoffice_computes_the_same_kpi_statuses(tmp_path) -> None:
    filled = fill(generate(tmp_path, "kpi_sheet"), "kpi_sheet", tmp_path / "in" / "kpis.xlsx")
    run = run_sheetsync([filled], tmp_path / "out")
    rows = recalculated_rows(filled, tmp_path)
    rag = rows[4].index("RAG")
    statuses = [r["status"] for r in run.workbooks[0].sheets[0].records]
    assert statuses == ["Amber", "Red", "Green", "Amber"]
    assert [row[rag] for row in rows[5:9]] == statuses


def test_unknown_kind_exits_2(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["template", "budget", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2
