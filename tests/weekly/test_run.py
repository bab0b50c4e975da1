"""The weekly unattended run: reuse, what changed, crash safety, one run at a time, files in use,
odd paths, parallel workers, per-owner lists and the history."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import write_openpyxl

import sheetsync.pipeline
import sheetsync.weekly.job
from sheetsync.cli import cli
from sheetsync.read.discover import OUTPUT_MARKER
from sheetsync.weekly.lock import HOLDER_FILE, run_lock

HEADER = ["Ref", "Risk", "Owner", "Likelihood", "Impact", "Score", "Review date"]


def register(path: Path, *rows: list[object]) -> Path:
    return write_openpyxl(path, {"Risks": [HEADER, *rows]})


def shared_drive(root: Path) -> Path:
    register(root / "Adults" / "risks.xlsx", ["R1", "Budget", "Jo Smith", 2, 3, 6, "01/03/2023"],
             ["R2", "Cyber", "Sam Patel", 4, 4, 12, "01/03/2023"])
    register(root / "Children" / "Looked after" / "Placements 2023 – Siân's.xlsx",
             ["C1", "Placements", "Sam Patel", 5, 5, 25, "01/01/2022"])
    return root


def run(*args: str) -> tuple[int, str, dict[str, object]]:
    result = CliRunner().invoke(cli, ["run", *args, "--as-of", "2023-03-31", "--jobs", "1"],
                                catch_exceptions=False)
    out = Path(args[args.index("--out") + 1])
    document = json.loads((out / "exceptions.json").read_text()) if (out / "exceptions.json").exists() else {}
    return result.exit_code, result.stdout, document


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch) -> None:
    monkeypatch.setattr(sheetsync.weekly.job, "IN_USE_WAIT", 0.0)


def test_two_runs_in_a_row_reuse_everything(tmp_path) -> None:
    drive = shared_drive(tmp_path / "S drive")
    out = tmp_path / "Checked"
    code, stdout, first = run(str(drive), "--out", str(out))
    assert code == 1  # R2's score 12 is wrong (4 x 4 = 16); C1's review is stale
    assert [(f["rule"], f["cell"], f["new"]) for f in first["findings"]] == [
        ("RR05", "F3", True), ("RR11", "G2", True)]
    assert [w["reused"] for w in first["workbooks"]] == [False, False]
    assert first["resolved"] == []
    for name in ("summary.xlsx", "exceptions.xlsx", "records/risks.csv", "history.sqlite",
                 "logs/run-00001.log", "owners/Sam Patel.xlsx"):
        assert (out / name).is_file(), name
    code, stdout, second = run(str(drive), "--out", str(out))
    assert [w["reused"] for w in second["workbooks"]] == [True, True]
    assert [f["new"] for f in second["findings"]] == [False, False]
    assert "Run 2 (Q4 2022/23): 2 unchanged workbooks reused" in stdout
    forced = CliRunner().invoke(cli, ["run", str(drive), "--out", str(out), "--as-of",
                                      "2023-03-31", "--force", "--jobs", "1"])
    assert "0 unchanged workbooks reused" in forced.stdout


def test_a_fixed_finding_is_resolved_and_a_new_one_is_new(tmp_path) -> None:
    drive = shared_drive(tmp_path / "drive")
    out = tmp_path / "out"
    run(str(drive), "--out", str(out))
    register(drive / "Adults" / "risks.xlsx", ["R1", "Budget", None, 2, 3, 6, "01/03/2023"],
             ["R2", "Cyber", "Sam Patel", 4, 4, 16, "01/03/2023"])
    _code, _stdout, document = run(str(drive), "--out", str(out))
    assert [(r["rule"], r["cell"]) for r in document["resolved"]] == [("RR05", "F3")]
    assert [(f["rule"], f["cell"], f["new"]) for f in document["findings"]] == [
        ("RR09", "C2", True), ("RR11", "G2", False)]
    assert [w["reused"] for w in document["workbooks"]] == [False, True]


def test_a_run_killed_part_way_leaves_the_last_outputs_and_the_next_run_works(tmp_path) -> None:
    drive = shared_drive(tmp_path / "drive")
    out = tmp_path / "out"
    run(str(drive), "--out", str(out))
    before = (out / "exceptions.json").read_bytes()
    register(drive / "Adults" / "risks.xlsx", ["R1", "Budget", None, 2, 3, 6, "01/03/2023"])
    killer = (
        "import os, sys, datetime as dt\n"
        "from pathlib import Path\n"
        "from sheetsync.weekly.job import run_job\n"
        "from sheetsync.results import Settings\n"
        "from sheetsync.report.quarters import quarter_of\n"
        "settings = Settings.load(as_of=dt.date(2023, 3, 31))\n"
        "def die(result, done, total): os._exit(9)\n"
        f"run_job([Path({str(drive)!r})], Path({str(out)!r}), settings, quarter_of(settings.as_of),"
        " progress=die)\n")
    completed = subprocess.run([sys.executable, "-c", killer], capture_output=True, timeout=120,
                               check=False, cwd=Path(__file__).resolve().parents[2])
    assert completed.returncode == 9, completed.stderr.decode()
    assert (out / HOLDER_FILE).exists(), "the killed run left its note of who holds the lock"
    assert (out / "exceptions.json").read_bytes() == before
    openpyxl.load_workbook(out / "summary.xlsx")
    code, stdout, document = run(str(drive), "--out", str(out))
    assert "Run 2 " in stdout and not (out / HOLDER_FILE).exists()
    assert [(f["rule"], f["cell"]) for f in document["findings"]] == [("RR09", "C2"),
                                                                      ("RR11", "G2")]
    assert [p.name for p in out.rglob(".sheetsync-*")] == [OUTPUT_MARKER]  # no temporary file


def test_a_second_run_at_the_same_time_exits_3(tmp_path) -> None:
    drive = shared_drive(tmp_path / "drive")
    out = tmp_path / "out"
    out.mkdir()
    with run_lock(out):
        result = CliRunner().invoke(cli, ["run", str(drive), "--out", str(out), "--as-of",
                                          "2023-03-31"])
    assert result.exit_code == 3
    assert "another sheetsync run is using" in result.stderr
    assert f"process {os.getpid()}" in result.stderr


def test_a_file_open_in_excel_is_skipped_and_its_last_results_kept(tmp_path) -> None:
    drive = shared_drive(tmp_path / "drive")
    out = tmp_path / "out"
    run(str(drive), "--out", str(out))
    owner_file = drive / "Adults" / "~$risks.xlsx"
    owner_file.write_bytes(b"owner")
    register(drive / "Adults" / "risks.xlsx", ["R1", "Budget", None, 2, 3, 6, "01/03/2023"])
    _code, stdout, document = run(str(drive), "--out", str(out))
    adults = document["workbooks"][0]
    assert (adults["path"], adults["stale"], adults["reused"]) == ("Adults/risks.xlsx", True, False)
    assert ("Adults/risks.xlsx: Risks (risk register, 2 rows): 1 error, 0 warnings (open in Excel "
            "by someone (a ~$ owner file is beside it); results of the last run kept (stale))"
            ) in stdout.splitlines()
    assert adults["message"] == ("open in Excel by someone (a ~$ owner file is beside it); results "
                                 "of the last run kept (stale)")
    assert ("RR05", "F3") in [(f["rule"], f["cell"]) for f in document["findings"]]


def test_a_file_open_with_no_earlier_results_is_an_error(tmp_path) -> None:
    drive = shared_drive(tmp_path / "drive")
    (drive / "Adults" / "~$risks.xlsx").write_bytes(b"owner")
    code, _stdout, document = run(str(drive), "--out", str(tmp_path / "out"))
    assert code == 1
    assert document["workbooks"][0]["status"] == "error"


def test_odd_paths_and_parallel_workers_agree(tmp_path) -> None:
    drive = shared_drive(tmp_path / "S drive" / "Risk & Performance" / "2023")
    deep = drive / "a" / "b" / "c" / "d" / "e"
    register(deep / "Überprüfung register.xlsx", ["D1", "Deep", "Jo Smith", 1, 1, 1, "01/03/2023"])
    one = CliRunner().invoke(cli, ["run", str(drive), "--out", str(tmp_path / "one"), "--as-of",
                                   "2023-03-31", "--jobs", "1"])
    two = CliRunner().invoke(cli, ["run", str(drive), "--out", str(tmp_path / "two"), "--as-of",
                                   "2023-03-31", "--jobs", "2"])
    first = json.loads((tmp_path / "one" / "exceptions.json").read_text())
    second = json.loads((tmp_path / "two" / "exceptions.json").read_text())
    assert first["findings"] == second["findings"]
    assert [w["path"] for w in second["workbooks"]] == [
        "Adults/risks.xlsx", "Children/Looked after/Placements 2023 – Siân's.xlsx",
        "a/b/c/d/e/Überprüfung register.xlsx"]
    assert (tmp_path / "two" / "annotated" / "a" / "b" / "c" / "d" / "e" /
            "Überprüfung register.xlsx").is_file()
    assert one.exit_code == two.exit_code == 1


def test_owner_lists(tmp_path) -> None:
    drive = shared_drive(tmp_path / "drive")
    run(str(drive), "--out", str(tmp_path / "out"))
    wb = openpyxl.load_workbook(tmp_path / "out" / "owners" / "Sam Patel.xlsx")
    findings = [r for r in wb["Open findings"].iter_rows(min_row=4, values_only=True)]
    reviews = [r for r in wb["Overdue reviews"].iter_rows(min_row=4, values_only=True)]
    assert [(r[0], r[2], r[4]) for r in findings] == [("Adults/risks.xlsx", "F3", "RR05")]
    assert [(r[2], r[3]) for r in reviews] == [("G2", "C1")]
    assert not (tmp_path / "out" / "owners" / "Jo Smith.xlsx").exists()


def test_a_workbook_no_longer_found_is_not_resolved_and_its_copy_goes(tmp_path) -> None:
    """Moved, renamed or deleted: nobody fixed its problems, and its old copy is not current."""
    drive = shared_drive(tmp_path / "drive")
    out = tmp_path / "out"
    run(str(drive), "--out", str(out))
    placements = "Children/Looked after/Placements 2023 – Siân's.xlsx"
    assert (out / "annotated" / placements).is_file()
    (drive / placements).unlink()
    code, stdout, document = run(str(drive), "--out", str(out))
    assert document["resolved"] == []  # C1's stale review (RR11) was not fixed: its file went
    assert document["removed"] == [placements]
    assert [w["path"] for w in document["workbooks"]] == ["Adults/risks.xlsx"]
    assert "1 workbook of the last run not found this time (moved, renamed or deleted)" in stdout
    assert placements in stdout
    assert not (out / "annotated" / "Children").exists()  # the copy, and its emptied folders
    assert (out / "annotated" / "Adults" / "risks.xlsx").is_file()
    log = sorted((out / "logs").glob("*.log"))[-1].read_text(encoding="utf-8")
    assert f"no longer found (its findings are not counted as resolved): {placements}" in log


def test_a_workbook_renamed_only_in_case_keeps_its_new_copy(tmp_path) -> None:
    """On a Windows share "Risks.xlsx" and "risks.xlsx" are one file: not removed, as gone."""
    drive = tmp_path / "drive"
    register(drive / "Risks.xlsx", ["R1", "Budget", "Jo Smith", 2, 3, 6, "01/03/2023"])
    out = tmp_path / "out"
    run(str(drive), "--out", str(out))
    (drive / "Risks.xlsx").rename(drive / "risks.xlsx")
    _code, _stdout, document = run(str(drive), "--out", str(out))
    assert document["removed"] == ["Risks.xlsx"]
    assert (out / "annotated" / "risks.xlsx").is_file()
    # NOTE: the old name is left alone (where case counts, a stale copy stays; where it does
    # not, it is the new copy itself, which removing would delete).
    assert (out / "annotated" / "Risks.xlsx").is_file()


def test_the_list_of_an_owner_with_nothing_open_goes(tmp_path) -> None:
    """A week-old list left in owners/ would be emailed as if it were current."""
    drive = shared_drive(tmp_path / "drive")
    out = tmp_path / "out"
    run(str(drive), "--out", str(out))
    assert (out / "owners" / "Sam Patel.xlsx").is_file()
    register(drive / "Adults" / "risks.xlsx", ["R1", "Budget", "Jo Smith", 2, 3, 6, "01/03/2023"],
             ["R2", "Cyber", "Sam Patel", 3, 4, 12, "01/03/2023"])  # (not Red: no escalation)
    (drive / "Children" / "Looked after" / "Placements 2023 – Siân's.xlsx").unlink()
    run(str(drive), "--out", str(out))
    assert sorted(p.name for p in (out / "owners").iterdir()) == ["index.csv"]


def test_history_lists_the_runs(tmp_path) -> None:
    drive = shared_drive(tmp_path / "drive")
    out = tmp_path / "out"
    run(str(drive), "--out", str(out))
    run(str(drive), "--out", str(out))
    result = CliRunner().invoke(cli, ["history", str(out)])
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["run", "started", "as", "of", "quarter", "workbooks", "reused",
                                "errors", "warnings", "new", "resolved"]
    assert lines[1].split()[2:] == ["2023-03-31", "Q4", "2022/23", "2", "0", "1", "1", "2", "0"]
    assert lines[2].split()[2:] == ["2023-03-31", "Q4", "2022/23", "2", "2", "1", "1", "0", "0"]


def test_options_from_the_config_file(tmp_path) -> None:
    drive = shared_drive(tmp_path / "drive")
    config = tmp_path / "sheetsync.yaml"
    config.write_text(f"run:\n  inputs: [{json.dumps(str(drive))}]\n  out: "
                      f"{json.dumps(str(tmp_path / 'out'))}\n  jobs: 1\n  exclude: ['Children/*']\n",
                      encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", "--config", str(config), "--as-of", "2023-03-31"])
    document = json.loads((tmp_path / "out" / "exceptions.json").read_text())
    assert [w["path"] for w in document["workbooks"]] == ["Adults/risks.xlsx"]
    assert result.exit_code == 1


@pytest.mark.parametrize(("written", "as_of", "quarter"), [
    ("2023-03-31", "2023-03-31", "Q4 2022/23"), ("'30/06/2023'", "2023-06-30", "Q1 2023/24")])
def test_the_reporting_date_from_the_config_file(tmp_path, written, as_of, quarter) -> None:
    """A quarter's weekly runs fixed to its reporting date reuse what nobody touched."""
    drive = shared_drive(tmp_path / "drive")
    config = tmp_path / "sheetsync.yaml"
    config.write_text(f"run:\n  as_of: {written}\n  jobs: 1\n", encoding="utf-8")
    out = tmp_path / "out"
    for _week in range(2):
        result = CliRunner().invoke(cli, ["run", str(drive), "--out", str(out), "--config",
                                          str(config)])
    document = json.loads((out / "exceptions.json").read_text())
    assert document["as_of"] == as_of
    assert f"Run 2 ({quarter}): 2 unchanged workbooks reused" in result.stdout
    later = CliRunner().invoke(cli, ["run", str(drive), "--out", str(out), "--config", str(config),
                                     "--as-of", "2023-09-30"])  # the command line wins
    assert json.loads((out / "exceptions.json").read_text())["as_of"] == "2023-09-30"
    assert "0 unchanged workbooks reused" in later.stdout


def test_a_reporting_date_that_is_not_a_date_exits_2(tmp_path) -> None:
    config = tmp_path / "sheetsync.yaml"
    config.write_text("run:\n  as_of: end of March\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(shared_drive(tmp_path / "drive")), "--out",
                                      str(tmp_path / "out"), "--config", str(config)])
    assert result.exit_code == 2
    assert "run.as_of: 'end of March' should be a date such as 2023-03-31 or 31/03/2023" in \
        result.output


def test_summary_direction_comes_from_last_quarter_in_the_history(tmp_path) -> None:
    drive = shared_drive(tmp_path / "drive")
    out = tmp_path / "out"
    CliRunner().invoke(cli, ["run", str(drive), "--out", str(out), "--as-of", "2022-12-31",
                             "--jobs", "1"])
    register(drive / "Adults" / "risks.xlsx", ["R1", "Budget", "Jo Smith", 4, 3, 12, "01/03/2023"],
             ["R2", "Cyber", "Sam Patel", 4, 4, 16, "01/03/2023"])
    CliRunner().invoke(cli, ["run", str(drive), "--out", str(out), "--as-of", "2023-03-31",
                             "--jobs", "1"])
    wb = openpyxl.load_workbook(out / "summary.xlsx", data_only=True)
    header = [c.value for c in wb["Risk data"][1]]
    directions = {row[header.index("ref")]: row[header.index("direction_vs_previous")]
                  for row in wb["Risk data"].iter_rows(min_row=2, values_only=True)}
    assert directions == {"R1": "Up", "R2": "Same", "C1": "Same"}


@pytest.mark.skipif(__import__("multiprocessing").get_start_method() != "fork",
                    reason="the test makes a worker die through a patch its forked copy inherits")
def test_a_worker_that_dies_loses_only_its_own_workbook(tmp_path, monkeypatch) -> None:
    drive = shared_drive(tmp_path / "S drive")
    register(drive / "crash.xlsx", ["R9", "Odd", "Jo Smith", 2, 2, 4, "01/03/2023"])
    real = sheetsync.pipeline.safe_process_workbook

    def fragile(source, *args):
        if source.name == "crash.xlsx":
            os._exit(1)  # as a worker killed for memory, or a crash inside a library
        return real(source, *args)

    monkeypatch.setattr(sheetsync.pipeline, "safe_process_workbook", fragile)
    result = CliRunner().invoke(cli, ["run", str(drive), "--out", str(tmp_path / "out"),
                                      "--as-of", "2023-03-31", "--jobs", "2"])
    assert result.exit_code == 1, result.output
    document = json.loads((tmp_path / "out" / "exceptions.json").read_text())
    statuses = {w["path"]: (w["status"], w["message"]) for w in document["workbooks"]}
    assert statuses["crash.xlsx"] == ("error", "sheetsync's worker stopped while checking it "
                                               "(out of memory, or a crash inside a library it uses)")
    assert [s for name, (s, _m) in statuses.items() if name != "crash.xlsx"] == ["ok", "ok"]


def test_a_reused_result_is_stored_once_and_every_run_still_has_its_records(tmp_path) -> None:
    drive = shared_drive(tmp_path / "drive")
    out = tmp_path / "out"
    run(str(drive), "--out", str(out))
    register(drive / "Adults" / "risks.xlsx", ["R1", "Budget", "Jo Smith", 2, 3, 6, "01/03/2023"])
    run(str(drive), "--out", str(out))
    with sqlite3.connect(out / "history.sqlite") as db:
        rows = db.execute("SELECT run_id, path, result IS NULL, result_run FROM workbooks "
                          "ORDER BY run_id, path").fetchall()
        by_run = db.execute("SELECT run_id, kind, workbook, sheet, row, "
                            "json_extract(data, '$.ref') FROM run_records "
                            "ORDER BY run_id, workbook, row").fetchall()
    placements = "Children/Looked after/Placements 2023 – Siân's.xlsx"
    assert rows == [(1, "Adults/risks.xlsx", 0, None), (1, placements, 0, None),
                    (2, "Adults/risks.xlsx", 0, None), (2, placements, 1, 1)]
    assert by_run == [(1, "risk_register", "Adults/risks.xlsx", "Risks", 2, "R1"),
                      (1, "risk_register", "Adults/risks.xlsx", "Risks", 3, "R2"),
                      (1, "risk_register", placements, "Risks", 2, "C1"),
                      (2, "risk_register", "Adults/risks.xlsx", "Risks", 2, "R1"),
                      (2, "risk_register", placements, "Risks", 2, "C1")]
    _code, _stdout, third = run(str(drive), "--out", str(out))
    assert [w["reused"] for w in third["workbooks"]] == [True, True]
    with (out / "records" / "risks.csv").open(encoding="utf-8-sig") as handle:
        assert [row["ref"] for row in csv.DictReader(handle)] == ["R1", "C1"]


def test_a_history_from_before_results_were_shared_is_read(tmp_path) -> None:
    """Histories written before ``result_run`` (every run stored every result) still work."""
    drive = shared_drive(tmp_path / "drive")
    out = tmp_path / "out"
    run(str(drive), "--out", str(out))
    with sqlite3.connect(out / "history.sqlite") as db:
        db.execute("DROP VIEW run_records")
        db.execute("DROP VIEW run_results")
        db.execute("ALTER TABLE workbooks DROP COLUMN result_run")
    _code, _stdout, second = run(str(drive), "--out", str(out))
    assert [w["reused"] for w in second["workbooks"]] == [True, True]
    with (out / "records" / "risks.csv").open(encoding="utf-8-sig") as handle:
        assert [row["ref"] for row in csv.DictReader(handle)] == ["R1", "R2", "C1"]
    with sqlite3.connect(out / "history.sqlite") as db:
        assert db.execute("SELECT run_id, count(*) FROM run_records GROUP BY run_id").fetchall() \
            == [(1, 3), (2, 3)]
