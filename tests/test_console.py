"""A scheduled task's redirected output is cp1252 with strict errors: a name it cannot encode
(Welsh ŵ, Polish Ł) is shown as ``?`` and the run goes on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import write_openpyxl

import sheetsync.files
from sheetsync.cli import main

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


def test_a_summary_written_onto_a_file_open_in_excel_is_one_line_exit_2(tmp_path, monkeypatch,
                                                                        capsys) -> None:
    write_openpyxl(tmp_path / "in" / "risks.xlsx", {"Risks": [
        HEADER, ["R1", "Budget", "Jo", 2, 2, 4, "01/03/2023"]]})
    target = tmp_path / "Q3 summary.xlsx"
    target.write_bytes(b"last quarter's")
    real = os.replace

    def replace(source, destination, *args, **kwargs):
        if Path(destination) == target:
            raise PermissionError(13, "The process cannot access the file")
        return real(source, destination, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(sheetsync.files, "REPLACE_WAIT", 0.0)
    monkeypatch.setattr(sys, "argv", ["sheetsync", "summary", str(tmp_path / "in"), "--out",
                                      str(target), "--as-of", "2023-03-31"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        "sheetsync: Q3 summary.xlsx was left as it was (it could not be replaced (The process "
        "cannot access the file): ask whoever has it open, in Excel most likely, to close it; "
        "the next run will replace it)\n")
    assert target.read_bytes() == b"last quarter's"


def _command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sheetsync", *args], capture_output=True,
                          text=True, check=False, cwd=REPO, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


def test_the_command_leaves_with_its_output_whole_and_its_exit_code(tmp_path) -> None:
    """The command ends without freeing what it made: what it printed must all be there."""
    from click.testing import CliRunner

    from sheetsync.cli import cli

    listed = _command("rules")
    assert (listed.returncode, listed.stderr) == (0, "")
    assert listed.stdout == CliRunner().invoke(cli, ["rules"]).output
    assert len(listed.stdout.splitlines()) > 40

    write_openpyxl(tmp_path / "in" / "risks.xlsx", {"Risks": [
        HEADER, ["R1", "Budget", "Jo", 4, 4, 12, "01/03/2023"]]})
    checked = _command("validate", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
                       "--as-of", "2023-03-31")
    assert checked.returncode == 1, checked.stderr  # (an error found: EXIT_FINDINGS)
    assert checked.stdout.splitlines()[-1].startswith(f"Outputs in {tmp_path / 'out'}: ")
    assert json.loads((tmp_path / "out" / "exceptions.json").read_text("utf-8"))["findings"]

    wrong = _command("validate", str(tmp_path / "nowhere"))
    assert wrong.returncode == 2 and "does not exist" in wrong.stderr


_CONSOLE = """
import sys
import sheetsync.cli as cli
def main():
    if sys.argv[1] == "message":
        raise SystemExit("sheetsync: a message instead of a code")
    sys.stdout = sys.stderr = None  # (pythonw, as a scheduled task runs it)
    raise SystemExit(0)
cli.main = main
cli.console()
"""


@pytest.mark.parametrize("case, code, err", [
    ("message", 1, "sheetsync: a message instead of a code\n"),
    ("no console", 0, "")])
def test_the_command_exits_as_python_would_with_a_message_or_no_console(case, code, err) -> None:
    completed = subprocess.run([sys.executable, "-c", _CONSOLE, case.split()[0]],
                               capture_output=True, text=True, check=False, cwd=REPO,
                               timeout=60, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert (completed.returncode, completed.stderr) == (code, err)
