"""The weekly run where officers really run it: Windows PCs, Task Scheduler and a shared drive.

No Windows machine here: each test simulates Windows at the point where it differs (os.kill,
os.replace onto a file open in Excel, a second path to the same share, the process pool's
limit), or uses what Linux does the same way (an immutable file refuses a rename).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import write_openpyxl

import sheetsync.files
import sheetsync.weekly.history
import sheetsync.weekly.job
import sheetsync.weekly.workers
from sheetsync.cli import cli
from sheetsync.read.discover import OUTPUT_MARKER
from sheetsync.results import Settings
from sheetsync.weekly.lock import HOLDER_FILE, LOCK_FILE

HEADER = ["Ref", "Risk", "Owner", "Likelihood", "Impact", "Score", "Review date"]
REPO = Path(__file__).resolve().parents[2]


def register(path: Path, *rows: list[object]) -> Path:
    return write_openpyxl(path, {"Risks": [HEADER, *rows]})


def shared_drive(root: Path) -> Path:
    register(root / "Adults" / "risks.xlsx", ["R1", "Budget", "Jo Smith", 2, 3, 6, "01/03/2023"],
             ["R2", "Cyber", "Sam Patel", 4, 4, 12, "01/03/2023"])
    register(root / "Children" / "placements.xlsx",
             ["C1", "Placements", "Sam Patel", 5, 5, 25, "01/01/2022"])
    return root


def run(drive: Path, out: Path, *extra: str) -> tuple[int, str, dict[str, object]]:
    result = CliRunner().invoke(cli, ["run", str(drive), "--out", str(out), "--as-of",
                                      "2023-03-31", "--jobs", "1", *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    document = (json.loads((out / "exceptions.json").read_text(encoding="utf-8"))
                if (out / "exceptions.json").exists() else {})
    return result.exit_code, result.output, document


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch) -> None:
    monkeypatch.setattr(sheetsync.weekly.job, "IN_USE_WAIT", 0.0)
    monkeypatch.setattr(sheetsync.files, "REPLACE_WAIT", 0.0)


def open_in_excel(monkeypatch, *names: str) -> list[str]:
    """``os.replace`` onto these outputs fails as Windows fails it while Excel has them open
    (PermissionError, WinError 32); every attempt is recorded."""
    real = os.replace
    attempts: list[str] = []

    def replace(source, target, *args, **kwargs):
        if Path(target).name in names:
            attempts.append(Path(target).name)
            error = PermissionError(13, "The process cannot access the file because it is being "
                                        "used by another process", str(target))
            error.winerror = 32
            raise error
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return attempts


def excel_owner_file(path: Path, user: str) -> Path:
    """An owner file laid out as Excel writes it: the user's name after its length, in the
    PC's code page, then again in UTF-16 from byte 54."""
    ansi = user.encode("cp1252", errors="replace")
    data = bytes([len(ansi)]) + ansi
    data = data.ljust(54, b" ") + len(user).to_bytes(2, "little") + user.encode("utf-16-le")
    path.write_bytes(data.ljust(165, b"\0"))
    return path


def history_runs(out: Path) -> list[tuple[int, int]]:
    with sqlite3.connect(out / "history.sqlite") as connection:
        return connection.execute("SELECT id, workbooks FROM runs ORDER BY id").fetchall()


# --- the lock --------------------------------------------------------------------------------


def test_a_dead_runs_lock_is_taken_over_without_os_kill(tmp_path, monkeypatch) -> None:
    """On Windows os.kill(pid, 0) raises OSError (WinError 87, errno 22) for a dead process
    and sends Ctrl+C to a live one: the lock must not depend on it."""
    drive = shared_drive(tmp_path / "drive")
    out = tmp_path / "out"
    out.mkdir()
    # What a run killed part-way leaves: the lock file and its note naming a dead process.
    (out / LOCK_FILE).write_text('{"pid": 999999, "host": "this-pc"}', encoding="utf-8")
    (out / HOLDER_FILE).write_text(json.dumps({"pid": 999999, "host": socket.gethostname(),
                                               "started": "2023-03-27T06:00:00"}))

    def windows_kill(pid: int, signal: int) -> None:
        raise OSError(22, "The parameter is incorrect")

    monkeypatch.setattr(os, "kill", windows_kill)
    code, output, document = run(drive, out)
    assert code == 1, output
    assert "Run 1 " in output
    assert not (out / HOLDER_FILE).exists()
    code, output, _document = run(drive, out)
    assert "Run 2 " in output


def test_a_live_run_in_another_process_gives_exit_3_naming_it(tmp_path) -> None:
    drive = shared_drive(tmp_path / "drive")
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys
            from pathlib import Path
            from sheetsync.weekly.lock import run_lock
            with run_lock(Path({str(out)!r})):
                print("held", flush=True)
                sys.stdin.readline()
            """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = CliRunner().invoke(cli, ["run", str(drive), "--out", str(out), "--as-of",
                                          "2023-03-31"])
        assert result.exit_code == 3
        note = json.loads((out / HOLDER_FILE).read_text(encoding="utf-8"))
        assert (f"another sheetsync run is using {out} (process {holder.pid} on "
                f"{note['host']}, started {note['started']}); try again later") in result.stderr
        assert not (out / "exceptions.json").exists()
    finally:
        holder.communicate("\n", timeout=60)
    assert holder.returncode == 0
    code, output, _document = run(drive, out)  # released: the next run goes ahead
    assert code == 1 and "Run 1 " in output


# --- outputs someone has open ----------------------------------------------------------------


def test_a_summary_open_in_excel_is_left_and_everything_else_is_written(tmp_path,
                                                                        monkeypatch) -> None:
    drive = shared_drive(tmp_path / "drive")
    out = tmp_path / "out"
    run(drive, out)
    last_week = (out / "summary.xlsx").read_bytes()
    excel_owner_file(out / "~$summary.xlsx", "Łukasz Nowak")
    register(drive / "Adults" / "risks.xlsx", ["R1", "Budget", None, 2, 3, 6, "01/03/2023"])
    attempts = open_in_excel(monkeypatch, "summary.xlsx")
    code, output, document = run(drive, out)
    assert code == 1  # what the findings say, as on any other run
    assert attempts == ["summary.xlsx"] * sheetsync.files.REPLACE_TRIES
    message = ("summary.xlsx was left as it was (it is open in Excel by Łukasz Nowak: ask them "
               "to close it; the next run will replace it)")
    assert f"Warning: {message}" in output.splitlines()
    assert document["warnings"] == [{"file": "summary.xlsx", "message": message,
                                     "open_by": "Łukasz Nowak"}]
    assert (out / "summary.xlsx").read_bytes() == last_week
    assert ("RR09", "C2") in [(f["rule"], f["cell"]) for f in document["findings"]]
    assert history_runs(out) == [(1, 2), (2, 2)]
    assert f"warning: {message}" in (out / "logs" / "run-00002.log").read_text(encoding="utf-8")
    assert [p.name for p in out.rglob(".sheetsync-*")] == [OUTPUT_MARKER]


def test_an_immutable_exceptions_workbook_is_left_as_linux_refuses_the_rename(tmp_path) -> None:
    """``chattr +i`` refuses a rename onto the file as Windows does for one open in Excel."""
    drive = shared_drive(tmp_path / "drive")
    out = tmp_path / "out"
    run(drive, out)
    target = out / "exceptions.xlsx"
    before = target.read_bytes()
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(target)],
                                                    capture_output=True, check=False).returncode:
        pytest.skip("chattr +i is not allowed here (needs root and a file system that has it)")
    try:
        code, output, document = run(drive, out)
    finally:
        subprocess.run(["chattr", "-i", str(target)], check=True)
    assert code == 1
    assert target.read_bytes() == before
    assert document["warnings"] == [{
        "file": "exceptions.xlsx",
        "message": "exceptions.xlsx was left as it was (it could not be replaced (Operation not "
                   "permitted): ask whoever has it open, in Excel most likely, to close it; the "
                   "next run will replace it)"}]
    assert "Run 2 " in output and history_runs(out)[-1] == (2, 2)
    assert (out / "summary.xlsx").stat().st_mtime >= target.stat().st_mtime


def test_one_owners_list_open_leaves_only_that_list(tmp_path, monkeypatch) -> None:
    drive = shared_drive(tmp_path / "drive")
    register(drive / "Adults" / "risks.xlsx", ["R1", "Budget", "Jo Smith", 2, 3, 7, "01/03/2023"],
             ["R2", "Cyber", "Sam Patel", 4, 4, 12, "01/03/2023"])
    out = tmp_path / "out"
    run(drive, out)
    sam = (out / "owners" / "Sam Patel.xlsx").read_bytes()
    register(drive / "Adults" / "risks.xlsx", ["R1", "Budget", "Jo Smith", 2, 3, 8, "01/03/2023"],
             ["R2", "Cyber", "Sam Patel", 4, 4, 11, "01/03/2023"])
    open_in_excel(monkeypatch, "Sam Patel.xlsx")
    code, output, document = run(drive, out)
    assert code == 1
    assert [w["file"] for w in document["warnings"]] == ["owners/Sam Patel.xlsx"]
    assert "ask whoever has it open, in Excel most likely, to close it" in output
    assert (out / "owners" / "Sam Patel.xlsx").read_bytes() == sam
    jo = openpyxl.load_workbook(out / "owners" / "Jo Smith.xlsx")["Open findings"]
    assert [r[4] for r in jo.iter_rows(min_row=4, values_only=True)] == ["RR05"]
    assert [(f["rule"], f["cell"], f["value"]) for f in document["findings"]][:2] == [
        ("RR05", "F2", 8), ("RR05", "F3", 11)]


def test_an_annotated_copy_open_in_excel_is_no_finding_and_is_rechecked(tmp_path,
                                                                        monkeypatch) -> None:
    drive = shared_drive(tmp_path / "drive")
    out = tmp_path / "out"
    _code, _output, first = run(drive, out)
    attempts = open_in_excel(monkeypatch, "placements.xlsx")
    code, output, document = run(drive, out, "--force")
    assert attempts  # (the patch writer's copy; the openpyxl writer is not tried on that)
    assert [f for f in document["findings"] if f["rule"] in ("WB02", "WB03")] == []
    assert document["findings"] == [{**f, "new": False} for f in first["findings"]]
    children = document["workbooks"][1]
    assert (children["path"], children["status"], children["annotated"]) == (
        "Children/placements.xlsx", "ok", None)
    assert [w["file"] for w in document["warnings"]] == ["annotated/Children/placements.xlsx"]
    assert code == 1 and "Warning: annotated/Children/placements.xlsx was left as it was" in output
    monkeypatch.undo()
    monkeypatch.setattr(sheetsync.files, "REPLACE_WAIT", 0.0)
    _code, _output, third = run(drive, out)
    assert [w["reused"] for w in third["workbooks"]] == [True, False]  # its copy is made now
    assert third["workbooks"][1]["annotated"] == "annotated/Children/placements.xlsx"
    assert third["warnings"] == []


def test_an_old_owners_list_that_is_open_is_left_and_said(tmp_path, monkeypatch) -> None:
    drive = shared_drive(tmp_path / "drive")
    out = tmp_path / "out"
    run(drive, out)
    (drive / "Children" / "placements.xlsx").unlink()
    register(drive / "Adults" / "risks.xlsx", ["R1", "Budget", "Jo Smith", 2, 3, 6, "01/03/2023"])
    real_unlink = Path.unlink

    def unlink(self, missing_ok=False):
        if self.name == "Sam Patel.xlsx":
            raise PermissionError(13, "Access is denied")
        return real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    code, output, document = run(drive, out)
    assert code == 0
    assert [w["file"] for w in document["warnings"]] == ["owners/Sam Patel.xlsx"]
    assert (out / "owners" / "Sam Patel.xlsx").exists()


# --- the output folder -----------------------------------------------------------------------


def test_the_marker_survives_and_validate_over_the_parent_reads_only_originals(tmp_path) -> None:
    share = tmp_path / "Risk"
    shared_drive(share / "Registers")
    run(share / "Registers", share / "Checked")
    run(share / "Registers", share / "Checked")
    assert (share / "Checked" / OUTPUT_MARKER).is_file()
    assert (share / "Checked" / "summary.xlsx").is_file()
    assert (share / "Checked" / "owners" / "Sam Patel.xlsx").is_file()
    result = CliRunner().invoke(cli, ["validate", str(share), "--out", str(tmp_path / "again"),
                                      "--as-of", "2023-03-31"])
    document = json.loads((tmp_path / "again" / "exceptions.json").read_text(encoding="utf-8"))
    assert [w["path"] for w in document["workbooks"]] == [
        "Registers/Adults/risks.xlsx", "Registers/Children/placements.xlsx"]
    assert result.exit_code == 1


def test_the_same_folder_by_two_paths_gives_one_history(tmp_path) -> None:
    """``S:\\Risk`` from a PC and ``\\\\council\\share\\Risk`` from the scheduler: here a
    symlink is the second path to the same output folder."""
    drive = shared_drive(tmp_path / "drive")
    out = tmp_path / "Checked"
    out.mkdir()
    unc = tmp_path / "unc-share"
    try:
        unc.symlink_to(out, target_is_directory=True)
    except OSError as exc:  # (Windows without the right to make symbolic links)
        pytest.skip(f"cannot make a symbolic link here: {exc}")
    _code, _output, first = run(drive, out)
    code, output, second = run(drive, unc)
    assert "Run 2 " in output and code == 1
    assert [w["reused"] for w in second["workbooks"]] == [True, True]
    assert [w["annotated"] for w in second["workbooks"]] == [w["annotated"] for w in first["workbooks"]] == [
        "annotated/Adults/risks.xlsx", "annotated/Children/placements.xlsx"]
    _code, _output, third = run(drive, out)
    assert [w["reused"] for w in third["workbooks"]] == [True, True]
    with sqlite3.connect(out / "history.sqlite") as connection:
        stored = connection.execute("SELECT DISTINCT annotated FROM workbooks ORDER BY 1").fetchall()
        results = [json.loads(r)["annotated"] for (r,) in
                   connection.execute("SELECT result FROM workbooks WHERE result IS NOT NULL")]
    assert stored == [("annotated/Adults/risks.xlsx",), ("annotated/Children/placements.xlsx",)]
    assert sorted(results) == ["annotated/Adults/risks.xlsx", "annotated/Children/placements.xlsx"]
    workbook = openpyxl.load_workbook(out / "exceptions.xlsx")
    links = {c.hyperlink.target.replace("\\", "/")  # (xlsxwriter writes Windows' separator)
             for row in workbook["Exceptions"].iter_rows(min_row=2) for c in row if c.hyperlink}
    assert links == {"annotated/Adults/risks.xlsx", "annotated/Children/placements.xlsx"}


# --- the history -----------------------------------------------------------------------------


def test_a_history_another_program_is_writing_stops_the_run_before_any_output(tmp_path,
                                                                             monkeypatch) -> None:
    drive = shared_drive(tmp_path / "drive")
    out = tmp_path / "out"
    run(drive, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.suffix != ".sqlite"}
    register(drive / "Adults" / "risks.xlsx", ["R1", "Budget", None, 2, 3, 6, "01/03/2023"])
    monkeypatch.setattr(sheetsync.weekly.history, "BUSY_TIMEOUT", 0.2)
    other = sqlite3.connect(out / "history.sqlite", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE runs SET quarter = quarter")
        result = CliRunner().invoke(cli, ["run", str(drive), "--out", str(out), "--as-of",
                                          "2023-03-31", "--jobs", "1"])
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert result.exit_code == 3
    assert (f"the history {out / 'history.sqlite'} is being written by another program"
            in result.stderr)
    assert "this run stopped before replacing any output: try again later" in result.stderr
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.suffix != ".sqlite"}
    assert after == before
    with sqlite3.connect(out / "history.sqlite") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    code, output, _document = run(drive, out)
    assert "Run 2 " in output


# --- the process pool and deep paths --------------------------------------------------------


def test_jobs_are_capped_at_61_on_windows(monkeypatch) -> None:
    import concurrent.futures
    import concurrent.futures.process  # (before Windows is pretended: it would want _winapi)

    monkeypatch.setattr(sys, "platform", "win32")
    with pytest.raises(ValueError, match="max_workers must be <= 61"):  # what Windows refuses
        concurrent.futures.ProcessPoolExecutor(max_workers=64)
    pool = sheetsync.weekly.workers._pool(64, Settings.load())
    try:
        assert pool._max_workers == 61
    finally:
        pool.shutdown()
    assert sheetsync.weekly.workers.usable_workers(8) == 8
    monkeypatch.setattr(sys, "platform", "linux")
    assert sheetsync.weekly.workers.usable_workers(64) == 64


def test_an_output_path_too_long_for_windows_is_said(tmp_path, monkeypatch) -> None:
    drive = tmp_path / "drive"
    deep = "Directorate of Adult Social Care and Health Partnerships"
    register(drive / deep / "risks.xlsx", ["R1", "Budget", "Jo Smith", 2, 3, 6, "01/03/2023"])
    register(drive / "short.xlsx", ["R1", "Budget", "Jo Smith", 2, 3, 6, "01/03/2023"])
    out = tmp_path / ("Checked " + "x" * (250 - len(str(tmp_path)) - len(deep)))
    monkeypatch.setattr(sys, "platform", "win32")
    code, output, document = run(drive, out)
    name = f"annotated/{deep}/risks.xlsx"
    length = len(str(out / name))
    assert [w["message"] for w in document["warnings"]] == [
        f"{name} was not written: its full path is {length} characters, more than the 259 "
        "Windows allows unless long paths are switched on; move it to a shorter folder or give "
        "it a shorter name"]
    assert [w["annotated"] for w in document["workbooks"]] == [None, "annotated/short.xlsx"]
    assert [f["rule"] for f in document["findings"]] == []
    assert code == 0
