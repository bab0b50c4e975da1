"""The per-sheet account travels through the weekly history: a reused workbook's entry in
exceptions.json says what was read as the run that checked it did."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from helpers import write_openpyxl

from sheetsync.cli import cli


def run_once(drive: Path, out: Path) -> list[dict]:
    result = CliRunner().invoke(cli, ["run", str(drive), "--out", str(out), "--as-of", "2023-03-31",
                                      "--jobs", "1"], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return json.loads((out / "exceptions.json").read_text(encoding="utf-8"))["workbooks"]


def test_a_reused_workbook_keeps_its_account(tmp_path) -> None:
    write_openpyxl(tmp_path / "S" / "risks.xlsx", {
        "Risks": [["Ref", "Risk", "Owner", "Likelihood", "Impact", "Score"],
                  ["R1", "Budget", "Jo Smith", 2, 3, 6]],
        "Lookups": [["Risk", "Owner", "Odds"], ["Flood", "Jo Smith", "Likely"]]})
    [first] = run_once(tmp_path / "S", tmp_path / "out")
    [second] = run_once(tmp_path / "S", tmp_path / "out")
    assert (first["reused"], second["reused"]) == (False, True)
    assert second["sheets"] == first["sheets"]
    assert second["skipped_sheets"] == first["skipped_sheets"]
    assert first["sheets"][0]["header_rows"] == [1, 1]
    assert [c["meaning"] for c in first["sheets"][0]["columns"]] == [
        "ref", "description", "owner", "residual likelihood", "residual impact", "residual score"]
    assert first["skipped_sheets"][0]["nearest"]["unrecognised"] == ["Odds"]
