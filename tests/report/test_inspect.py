"""``sheetsync inspect`` and the per-sheet account in exceptions.json: what each sheet was taken
for, and for a sheet skipped, the nearest header row and the meanings it lacks."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from helpers import AS_OF, write_openpyxl

from sheetsync.cli import cli
from sheetsync.pipeline import validate_paths
from sheetsync.report.inspect import inspect_run, render
from sheetsync.results import Settings

SETTINGS_LINE = ("likelihood Rare, Unlikely, Possible, Likely or Almost certain (or 1 to 5) "
                 "[settings]; impact Insignificant, Minor, Moderate, Major or Catastrophic (or 1 "
                 "to 5) [settings]; likelihood x impact; bands Green from 1, Amber from 5, Red "
                 "from 15 [settings]")


def _merge_groups(wb) -> None:
    ws = wb["Risks"]
    ws.merge_cells("D2:F2")
    ws.merge_cells("G2:I2")


def two_row_register(path: Path) -> Path:
    """A title row, then "Inherent risk" / "Residual risk" merged over Likelihood | Impact |
    Score, an owner column twice, and a heading row among the entries."""
    return write_openpyxl(path, {
        "Risks": [
            ["Corporate risk register 2023/24"],
            [None, None, None, "Inherent risk", None, None, "Residual risk", None, None, None],
            ["Risk ID", "Risk", "Owner", "Likelihood", "Impact", "Score", "Likelihood", "Impact",
             "Score", "Risk owner"],
            ["CR1", "Budget gap not closed", "S151 Officer", 4, 4, 16, 3, 3, 9, "S151 Officer"],
            [None, "Finance", None, None, None, None, None, None, None, None],
            ["CR2", "Cyber attack", "Head of IT", 3, 5, 15, 2, 5, 10, "Head of IT"],
        ],
        "Notes": [["Risk", "Owner", "Odds", "Harm", "Review date"],
                  ["Flooding", "Head of Place", "Likely", "Major", "01/03/2023"]],
    }, _merge_groups)


def accounts(path: Path, config: Path | None = None) -> list[dict]:
    run = validate_paths([path], None, Settings.load(as_of=AS_OF, config_file=config))
    return inspect_run(run)


def invoke(*args: str):
    return CliRunner().invoke(cli, ["inspect", *args], catch_exceptions=False)


def synonyms_config(path: Path) -> Path:
    path.write_text("header_synonyms:\n  risk_register:\n    likelihood: [Odds]\n"
                    "    impact: [Harm]\n", encoding="utf-8")
    return path


def test_a_two_row_header_is_accounted_for_column_by_column(tmp_path) -> None:
    [account] = accounts(two_row_register(tmp_path / "register.xlsx"))
    [sheet] = account["sheets"]
    assert (sheet["name"], sheet["kind"], sheet["header_row"], sheet["rows"]) == (
        "Risks", "risk_register", 3, 2)
    assert sheet["header_rows"] == [2, 3]
    assert sheet["entry_rows"] == [4, 6]
    assert sheet["reason"].startswith("risk register: 9 known columns, its own: inherent "
                                      "likelihood, inherent impact, residual likelihood, "
                                      "residual impact;")
    assert [(c["column"], c["cell"], c["header"], c["meaning"]) for c in sheet["columns"]] == [
        ("A", "A3", "Risk ID", "ref"),
        ("B", "B3", "Risk", "description"),
        ("C", "C3", "Owner", "owner"),
        ("D", "D3", "Inherent risk: Likelihood", "inherent likelihood"),
        ("E", "E3", "Inherent risk: Impact", "inherent impact"),
        ("F", "F3", "Inherent risk: Score", "inherent score"),
        ("G", "G3", "Residual risk: Likelihood", "residual likelihood"),
        ("H", "H3", "Residual risk: Impact", "residual impact"),
        ("I", "I3", "Residual risk: Score", "residual score"),
    ]
    assert [(d["column"], d["header"], d["meaning"], d["used"]) for d in sheet["duplicates"]] == [
        ("J", "Risk owner", "owner", "C")]
    assert sheet["scale"] == SETTINGS_LINE
    assert sheet["scale_source"] == "settings"
    assert sheet["notes"] == ["rows 5: headings, not entries"]


def test_inspect_prints_the_account_and_writes_nothing(tmp_path) -> None:
    folder = tmp_path / "registers"
    two_row_register(folder / "register.xlsx")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = invoke(str(folder), "--as-of", "2023-03-31")
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
    lines = result.stdout.splitlines()
    assert lines[:2] == ["register.xlsx", "  sheet 'Risks': risk register, 2 entries (rows 4-6)"]
    assert lines[2].startswith("    why: risk register: 9 known columns")
    assert lines[3:17] == [
        "    header: rows 2-3",
        "    columns:",
        "      A   Risk ID                    ref",
        "      B   Risk                       description",
        "      C   Owner                      owner",
        "      D   Inherent risk: Likelihood  inherent likelihood",
        "      E   Inherent risk: Impact      inherent impact",
        "      F   Inherent risk: Score       inherent score",
        "      G   Residual risk: Likelihood  residual likelihood",
        "      H   Residual risk: Impact      residual impact",
        "      I   Residual risk: Score       residual score",
        "    duplicates ignored (the first column with a meaning is used):",
        "      J   Risk owner                 owner, column C is used",
        f"    scale: {SETTINGS_LINE}",
    ]
    assert lines[17:] == [
        "    notes:",
        "      - rows 5: headings, not entries",
        "  sheet 'Notes': not read (no header row sheetsync recognises)",
        "    nearest: row 1 has 'Risk' (description), 'Owner' (owner), 'Review date' (review "
        "date) but no likelihood or impact: to read it as a risk register, add its header names "
        "under header_synonyms: risk_register: in your settings (not recognised on that row: "
        "'Odds', 'Harm')",
        "",
    ]


def test_a_sheet_not_recognised_names_the_meanings_it_lacks(tmp_path) -> None:
    path = write_openpyxl(tmp_path / "log.xlsx", {
        "Log": [["Project log"], [], ["Risk", "Owner", "Status"], ["Server ageing", "IT", "Open"]],
        "Blank": [[None], [12, 14]]})
    [account] = accounts(path)
    assert account["status"] == "skipped"
    assert account["sheets"] == []
    [log, blank] = account["skipped_sheets"]
    assert blank == {"name": "Blank", "reason": "no header row sheetsync recognises",
                     "nearest": None}
    nearest = log["nearest"]
    assert (nearest["row"], nearest["kind"], nearest["missing"]) == (
        3, "risk_register", ["likelihood", "impact"])
    assert [(c["header"], c["meaning"]) for c in nearest["columns"]] == [
        ("Risk", "description"), ("Owner", "owner"), ("Status", "status")]
    assert nearest["advice"] == (
        "row 3 has 'Risk' (description), 'Owner' (owner), 'Status' (status) but no likelihood "
        "or impact: to read it as a risk register, add its header names under header_synonyms: "
        "risk_register: in your settings")
    assert render([account]).splitlines()[1:] == [
        "  sheet 'Log': not read (no header row sheetsync recognises)",
        f"    nearest: {nearest['advice']}",
        "  sheet 'Blank': not read (no header row sheetsync recognises)",
        "    nearest: no row in it names a column sheetsync knows",
        ""]


def test_too_few_known_columns_are_counted(tmp_path) -> None:
    path = write_openpyxl(tmp_path / "plan.xlsx", {"Plan": [["Task", "Notes", "Status"],
                                                            ["Move", "x", "Done"]]})
    [account] = accounts(path)
    nearest = account["skipped_sheets"][0]["nearest"]
    assert (nearest["kind"], nearest["missing"], nearest["columns_needed"]) == (
        "action_plan", [], 3)
    assert nearest["advice"].startswith(
        "row 1 has 'Task' (action), 'Status' (status) but only 2 known columns (an action plan "
        "needs 3): to read it as an action plan,")
    assert nearest["unrecognised"] == ["Notes"]


def test_exceptions_json_keeps_the_account_of_every_sheet(tmp_path) -> None:
    folder = tmp_path / "registers"
    two_row_register(folder / "register.xlsx")
    result = CliRunner().invoke(cli, ["validate", str(folder), "--out", str(tmp_path / "out"),
                                      "--as-of", "2023-03-31"], catch_exceptions=False)
    assert result.exit_code in (0, 1)
    document = json.loads((tmp_path / "out" / "exceptions.json").read_text(encoding="utf-8"))
    [workbook] = document["workbooks"]
    assert workbook["sheets"] == accounts(folder / "register.xlsx")[0]["sheets"]
    [sheet] = workbook["sheets"]
    assert {k: sheet[k] for k in ("name", "kind", "header_row", "rows", "header_rows",
                                  "entry_rows", "scale_source")} == {
        "name": "Risks", "kind": "risk_register", "header_row": 3, "rows": 2,
        "header_rows": [2, 3], "entry_rows": [4, 6], "scale_source": "settings"}
    assert sheet["columns"][3] == {"column": "D", "cell": "D3", "header": "Inherent risk: Likelihood",
                                   "name": "inherent_likelihood", "meaning": "inherent likelihood"}
    [skipped] = workbook["skipped_sheets"]
    assert skipped["name"] == "Notes"
    assert skipped["nearest"]["missing"] == ["likelihood", "impact"]
    assert skipped["nearest"]["unrecognised"] == ["Odds", "Harm"]


def test_a_header_name_added_in_the_settings_turns_the_near_miss_into_a_read_sheet(tmp_path) -> None:
    path = two_row_register(tmp_path / "register.xlsx")
    config = synonyms_config(tmp_path / "settings.yaml")
    result = invoke(str(path), "--as-of", "2023-03-31", "--config", str(config))
    assert result.exit_code == 0
    assert "'Notes': not read" not in result.stdout
    assert "  sheet 'Notes': risk register, 1 entry (rows 2-2)" in result.stdout.splitlines()
    [account] = accounts(path, config)
    notes = account["sheets"][1]
    assert account["skipped_sheets"] == []
    assert [(c["header"], c["meaning"]) for c in notes["columns"]] == [
        ("Risk", "description"), ("Owner", "owner"), ("Odds", "residual likelihood"),
        ("Harm", "residual impact"), ("Review date", "review date")]
    assert notes["entry_rows"] == [2, 2]


def test_usage_mistakes_exit_2(tmp_path) -> None:
    path = two_row_register(tmp_path / "register.xlsx")
    assert invoke().exit_code == 2
    assert invoke(str(tmp_path / "missing.xlsx")).exit_code == 2
    assert invoke(str(path), "--as-of", "31/03/2023").exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("no_such_setting: 1\n", encoding="utf-8")
    result = invoke(str(path), "--config", str(bad))
    assert result.exit_code == 2
    assert "bad.yaml" in result.output


def test_an_unreadable_workbook_is_said_and_the_rest_inspected(tmp_path) -> None:
    folder = tmp_path / "in"
    two_row_register(folder / "b.xlsx")
    (folder / "a.xlsx").write_text("nope", encoding="utf-8")
    result = invoke(str(folder), "--as-of", "2023-03-31")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:3] == ["a.xlsx", "  not read: this is not an Excel workbook (.xlsx or .xlsm)", ""]
    assert lines[3:5] == ["b.xlsx", "  sheet 'Risks': risk register, 2 entries (rows 4-6)"]
