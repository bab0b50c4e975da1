"""The summary's risk governance: escalation candidates across a service and a corporate
register, the four-quarter trend from the run history, and exempt risks whose details appear
nowhere in the summary package (nor their rows in --public data sheets)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import write_openpyxl

from sheetsync.cli import cli

HEADER = ["Ref", "Risk title", "Risk owner", "Category", "Residual likelihood",
          "Residual impact", "Residual score", "Causes", "Existing controls", "Further actions",
          "Part B"]
SECRET = "Disposal of the Town Hall site to a named bidder"
SECRET_CAUSE = "Negotiations with Bidder Holdings Ltd"
SECRET_CONTROL = "Legal advice from Counsel on Schedule 12A"
SECRET_OWNER = "Ms Confidential Officer"


def service(folder: Path, r2: tuple[int, int] = (4, 5), r3: tuple[int, int] = (2, 2)) -> Path:
    return write_openpyxl(folder / "Adults" / "service risks.xlsx", {"Risks": [
        HEADER,
        ["R1", "Budget gap", "CFO", "Financial", 4, 4, 16, "Demand", "Budget monitoring",
         "Savings plan", None],                                        # escalated (title)
        ["R2", "Cyber attack", "CIO", "Technology", *r2, r2[0] * r2[1], "Phishing", "Firewall",
         "Training", "No"],                                            # candidate (20)
        ["R3", "Recruitment", "HR lead", "People", *r3, r3[0] * r3[1], None, None, None, None],
        ["R4", SECRET, SECRET_OWNER, "Property", 5, 3, 15, SECRET_CAUSE, SECRET_CONTROL,
         "Sale", "Yes"],                                               # exempt candidate
        ["R5", "Flooding", "Head of Place", "Place", 3, 3, 8, None, None, None, None],
    ]})  # R5's stored score is wrong (3 x 3 = 9): RR05


def corporate(folder: Path) -> Path:
    return write_openpyxl(folder / "Corporate risk register.xlsx", {"Risks": [
        HEADER, ["CR1", "budget  gap", "Chief Executive", "Financial", 4, 5, 20, None, None,
                 "Recovery plan", None]]})


def summarise(out: Path, *args: str) -> Path:
    result = CliRunner().invoke(cli, ["summary", *args, "--out", str(out), "--as-of",
                                      "2023-03-31"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def table(ws: Any, title: str) -> list[tuple[Any, ...]]:
    """The rows of the table under the subtitle ``title`` (up to the first empty row)."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(n for n, row in enumerate(rows) if row[0] == title) + 2
    found = []
    for row in rows[start:]:
        if row[0] is None:
            break
        found.append(tuple(row))
    return found


def test_escalation_candidates_across_a_service_and_a_corporate_register(tmp_path) -> None:
    folder = tmp_path / "in"
    service(folder)
    corporate(folder)
    wb = openpyxl.load_workbook(summarise(tmp_path / "summary.xlsx", str(folder)))
    rows = table(wb["Escalations"], "Escalations")
    assert [(r[0], r[4], r[6], r[7]) for r in rows] == [
        ("R2", 20, "Candidate", None),
        ("R4", 15, "Candidate", None),
        ("R1", 16, "Escalated",
         "CR1 in Corporate risk register.xlsx / Risks / row 2"),
    ]
    assert rows[0][8] == "Adults/service risks.xlsx / Risks / row 3" and rows[0][2] == "CIO"
    # Beyond appetite (the default: the Red band is beyond it), highest score first.
    beyond = table(wb["Escalations"], "Beyond appetite (residual score above the risk's appetite)")
    assert [(r[0], r[4], r[6]) for r in beyond] == [("R2", 20, 14), ("CR1", 20, 14),
                                                    ("R1", 16, 14), ("R4", 15, 14)]


def test_matching_by_reference_only_is_configurable(tmp_path) -> None:
    folder = tmp_path / "in"
    service(folder)
    corporate(folder)
    config = tmp_path / "ours.yaml"
    config.write_text("escalation: {from_score: 20, match_on: [ref], corporate: ['*corp*']}\n",
                      encoding="utf-8")
    wb = openpyxl.load_workbook(summarise(tmp_path / "summary.xlsx", str(folder), "--config",
                                          str(config)))
    assert [(r[0], r[6]) for r in table(wb["Escalations"], "Escalations")] == [("R2", "Candidate")]


def package_text(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return "\n".join(package.read(name).decode("utf-8", "replace")
                         for name in package.namelist())


@pytest.mark.parametrize("public", [False, True])
def test_an_exempt_risks_details_appear_nowhere_in_the_summary(tmp_path, public) -> None:
    folder = tmp_path / "in"
    service(folder)
    corporate(folder)
    out = summarise(tmp_path / "summary.xlsx", str(folder), *(["--public"] if public else []))
    text = package_text(out)
    for secret in (SECRET, SECRET_CAUSE, SECRET_CONTROL, SECRET_OWNER, "Town Hall", "Bidder"):
        assert secret not in text
    assert "Cyber attack" in text and "Firewall" in text  # (the search does see other risks)
    wb = openpyxl.load_workbook(out, data_only=True)
    # Counted in every table and heat map: 3 Red in the service register, 1 corporate.
    overview = wb["Overview"]
    assert [(overview[f"A{r}"].value, overview[f"B{r}"].value) for r in (8, 9, 10)] == [
        ("Red", 4), ("Amber", 1), ("Green", 1)]
    heat = wb["Heat map"]
    assert heat["D5"].value == 1  # likelihood 5 x impact 3: the exempt R4
    data = {r[3]: r for r in wb["Risk data"].iter_rows(min_row=2, values_only=True)}
    escalations = {r[0]: r for r in table(wb["Escalations"], "Escalations")}
    assert escalations["R4"][1:3] == ("Exempt information", "Exempt information")
    if public:
        assert sorted(data) == ["CR1", "R1", "R2", "R3", "R5"]
        formulas = openpyxl.load_workbook(out)
        assert formulas["Overview"]["B8"].value.endswith("+1")
        assert formulas["Heat map"]["D5"].value.endswith("+1")
    else:
        header = [c.value for c in wb["Risk data"][1]]
        row = dict(zip(header, data["R4"], strict=True))
        assert {k: row[k] for k in ("description", "owner", "causes", "controls", "exempt",
                                    "residual_score")} == {
            "description": "Exempt information", "owner": "Exempt information",
            "causes": "Exempt information", "controls": "Exempt information", "exempt": "Yes",
            "residual_score": 15}
    exceptions = [r for r in wb["Exceptions"].iter_rows(min_row=4, values_only=True) if r[0]]
    assert [(r[3], r[4], r[6]) for r in exceptions if r[3] == "R5"] == [
        ("R5", "RR05", "The residual score should be likelihood x impact = 9, but the sheet "
                       "says 8.")]


def test_an_exempt_risks_findings_keep_their_cell_and_rule_but_not_their_text(tmp_path) -> None:
    folder = tmp_path / "in"
    service(folder)
    path = folder / "Adults" / "service risks.xlsx"
    wb = openpyxl.load_workbook(path)
    wb["Risks"]["G5"] = SECRET  # a score cell holding the secret text: TY01 with it as value
    wb.save(path)
    out = summarise(tmp_path / "summary.xlsx", str(folder))
    assert SECRET not in package_text(out)
    rows = [r for r in openpyxl.load_workbook(out)["Exceptions"].iter_rows(values_only=True)
            if r[3] == "R4"]
    assert [(r[2], r[4], r[6]) for r in rows] == [("G5", "TY01", "Exempt information")]


QUARTERS = [("2022-06-30", (4, 5), (2, 2)), ("2022-09-30", (4, 5), (3, 3)),
            ("2022-12-31", (4, 5), (3, 4)), ("2023-03-31", (4, 5), (4, 4))]


def weekly_runs(tmp_path: Path) -> tuple[Path, Path]:
    folder, out = tmp_path / "in", tmp_path / "out"
    for as_of, r2, r3 in QUARTERS:
        service(folder, r2=r2, r3=r3)
        result = CliRunner().invoke(cli, ["run", str(folder), "--out", str(out), "--as-of",
                                          as_of, "--jobs", "1"], catch_exceptions=False)
        assert result.exit_code in (0, 1), result.output
    return folder, out


def test_the_trend_from_a_history_of_four_quarterly_runs(tmp_path) -> None:
    folder, out = weekly_runs(tmp_path)
    quarters = ["Q1 2022/23", "Q2 2022/23", "Q3 2022/23", "Q4 2022/23"]
    for summary in (out / "summary.xlsx",
                    summarise(tmp_path / "again.xlsx", str(folder), "--history", str(out))):
        wb = openpyxl.load_workbook(summary)
        heat = wb["Heat map"]
        top = table(heat, "Top risks (residual rating Red, highest score first)")
        header = next(r for r in heat.iter_rows(values_only=True) if r[0] == "Ref")
        assert list(header[8:12]) == quarters
        assert {r[0]: r[8:12] for r in top} == {"R2": (20, 20, 20, 20), "R1": (16, 16, 16, 16),
                                                "R4": (15, 15, 15, 15), "R3": (4, 9, 12, 16)}
        stalled = table(wb["Escalations"], "Above appetite and not moving: the same residual "
                                           "score for 3 quarters or more")
        assert [(r[0], r[3], r[5]) for r in stalled] == [("R2", 20, 4), ("R1", 16, 4),
                                                         ("R4", 15, 4)]
        assert stalled[2][1] == "Exempt information"


def test_without_history_there_is_no_trend_and_the_sheet_says_why(tmp_path) -> None:
    folder = tmp_path / "in"
    service(folder)
    wb = openpyxl.load_workbook(summarise(tmp_path / "summary.xlsx", str(folder)))
    header = next(r for r in wb["Heat map"].iter_rows(values_only=True) if r[0] == "Ref")
    assert header[7] == "Source" and not any(header[8:])
    texts = [r[0] for r in wb["Escalations"].iter_rows(values_only=True) if r[0]]
    assert any(str(t).startswith("Needs the run history") for t in texts)


def test_history_must_be_a_run_folder(tmp_path) -> None:
    folder = tmp_path / "in"
    service(folder)
    result = CliRunner().invoke(cli, ["summary", str(folder), "--out", str(tmp_path / "s.xlsx"),
                                      "--history", str(folder)])
    assert result.exit_code == 2
    assert re.search(r"no run history here", result.output)


def test_owner_lists_keep_everything_and_list_their_candidates(tmp_path) -> None:
    _folder, out = weekly_runs(tmp_path)
    owner = openpyxl.load_workbook(out / "owners" / f"{SECRET_OWNER}.xlsx")
    rows = list(owner["Escalation candidates"].iter_rows(min_row=4, values_only=True))
    assert [(r[3], r[4], r[5]) for r in rows] == [("R4", SECRET, 15)]
    cio = openpyxl.load_workbook(out / "owners" / "CIO.xlsx")
    assert [r[3] for r in cio["Escalation candidates"].iter_rows(min_row=4, values_only=True)] \
        == ["R2"]


def test_an_exempt_risk_closed_since_last_quarter_stays_hidden(tmp_path) -> None:
    folder = tmp_path / "in"
    service(folder)
    before = summarise(tmp_path / "q3.xlsx", str(folder))
    path = folder / "Adults" / "service risks.xlsx"
    wb = openpyxl.load_workbook(path)
    wb["Risks"].delete_rows(5)  # R4 is closed and gone
    wb.save(path)
    out = summarise(tmp_path / "q4.xlsx", str(folder), "--previous", str(before))
    assert SECRET not in package_text(out) and SECRET_OWNER not in package_text(out)
    closed = table(openpyxl.load_workbook(out)["Heat map"], "Closed since the previous quarter")
    assert [r[:4] for r in closed] == [("R4", "Exempt information", "Exempt information",
                                        "Adults/service risks.xlsx")]
