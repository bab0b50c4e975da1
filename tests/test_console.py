"""A scheduled task's redirected output is cp1252 with strict errors: a name it cannot encode
(Welsh ŵ, Polish Ł) is shown as ``?`` and the run goes on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from helpers import write_openpyxl

REPO = Path(__file__).resolve().parents[1]
HEADER = ["Ref", "Risk", "Owner", "Likelihood", "Impact", "Score", "Review date"]


def test_names_a_cp1252_log_cannot_hold_are_replaced_and_the_run_goes_on(tmp_path) -> None:
    drive = tmp_path / "Dŵr"
    write_openpyxl(drive / "Łukasz risks.xlsx", {"Risks": [
        HEADER, ["R1", "Budget", "Łukasz", 4, 4, 12, "01/03/2023"]]})
    out = tmp_path / "Dŵr checked"
    completed = subprocess.run(
        [sys.executable, "-m", "sheetsync", "run", str(drive), "--out", str(out), "--as-of",
         "2023-03-31", "--jobs", "1"],
        capture_output=True, check=False, cwd=REPO, timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "cp1252:strict"})
    stdout = completed.stdout.decode("cp1252")
    assert completed.returncode == 1, completed.stderr.decode("cp1252")
    assert "[1/1] ?ukasz risks.xlsx: ok" in stdout.splitlines()
    assert "?ukasz risks.xlsx: Risks (risk register, 1 rows): 1 error, 0 warnings" in stdout
    assert stdout.rstrip().endswith("Outputs, summary.xlsx and owners/ in "
                                    f"{str(out).replace('ŵ', '?')}")
    document = json.loads((out / "exceptions.json").read_text(encoding="utf-8"))
    assert [w["path"] for w in document["workbooks"]] == ["Łukasz risks.xlsx"]
    assert (out / "owners" / "Łukasz.xlsx").is_file()
