"""The run's process pool writes the summary and owner lists in its warm workers while the main
process writes the reports: the outputs are those of a run in one process, an output left open
is said in its place, and a worker that dies leaves its output to the main process."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
from pathlib import Path

import pytest
from helpers import AS_OF, write_openpyxl
from helpers.outputs import digests
from hypothesis import given
from hypothesis import strategies as st

import sheetsync.files
import sheetsync.report.owners
import sheetsync.report.reports
import sheetsync.weekly.job
from sheetsync.demo import write_demo_workbooks
from sheetsync.report.quarters import quarter_of
from sheetsync.results import Settings
from sheetsync.weekly.job import run_job
from sheetsync.weekly.workers import batched

HEADER = ["Ref", "Risk", "Owner", "Likelihood", "Impact", "Score", "Review date"]
#: The test process: a forked worker is any other.
_MAIN = os.getpid()
_REAL_OWNER_LISTS = sheetsync.report.owners.write_owner_lists

forked_only = pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork",
    reason="the test patches what a forked worker inherits (a spawned one imports afresh)")


def _run(drive: Path, out: Path, jobs: int, force: bool = False) -> dict[str, object]:
    run_job([drive], out, Settings.load(as_of=AS_OF), quarter_of(AS_OF), jobs=jobs, force=force,
            email=False)
    return json.loads((out / "exceptions.json").read_text(encoding="utf-8"))


def _drive(root: Path) -> Path:
    write_openpyxl(root / "Adults" / "risks.xlsx", {"Risks": [
        HEADER, ["R1", "Budget", "Jo Smith", 2, 3, 7, "01/03/2023"],
        ["R2", "Cyber", "Sam Patel", 4, 4, 12, "01/03/2023"]]})
    write_openpyxl(root / "Children" / "placements.xlsx", {"Risks": [
        HEADER, ["C1", "Placements", "Sam Patel", 5, 5, 25, "01/01/2022"]]})
    return root


def test_two_workers_write_what_one_process_writes(tmp_path) -> None:
    write_demo_workbooks(tmp_path / "in")
    _run(tmp_path / "in", tmp_path / "one", jobs=1)
    _run(tmp_path / "in", tmp_path / "two", jobs=2)
    one, two = digests(tmp_path / "one"), digests(tmp_path / "two")
    assert "summary.xlsx" in one and any(name.startswith("owners/") for name in one)
    assert two == one


@forked_only
def test_outputs_left_open_are_said_in_the_order_they_are_written(tmp_path,
                                                                  monkeypatch) -> None:
    drive, out = _drive(tmp_path / "drive"), tmp_path / "out"
    _run(drive, out, jobs=2)
    before = {name: (out / name).read_bytes()
              for name in ("summary.xlsx", "owners/Sam Patel.xlsx", "exceptions.xlsx")}
    real = os.replace

    def replace(source, target, *args, **kwargs):  # as Windows refuses one open in Excel
        if Path(target).name in ("summary.xlsx", "Sam Patel.xlsx", "exceptions.xlsx"):
            raise PermissionError(13, "used by another process", str(target))
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(sheetsync.files, "REPLACE_WAIT", 0.0)
    monkeypatch.setattr(os, "replace", replace)
    document = _run(drive, out, jobs=2, force=True)  # (both checked again: the pool starts)
    assert [w["file"] for w in document["warnings"]] == [
        "summary.xlsx", "owners/Sam Patel.xlsx", "exceptions.xlsx"]
    assert all((out / name).read_bytes() == data for name, data in before.items())


def _dies_in_a_worker(run, out_dir, config):
    if os.getpid() != _MAIN:
        os._exit(1)  # as a worker killed for memory, or a crash inside a library
    return _REAL_OWNER_LISTS(run, out_dir, config)


@forked_only
def test_a_worker_that_dies_writing_leaves_its_outputs_to_the_main_process(tmp_path,
                                                                          monkeypatch) -> None:
    drive = _drive(tmp_path / "drive")
    _run(drive, tmp_path / "one", jobs=1)
    expected = digests(tmp_path / "one")
    monkeypatch.setattr(sheetsync.report.owners, "write_owner_lists", _dies_in_a_worker)
    document = _run(drive, tmp_path / "two", jobs=2)
    assert document["warnings"] == []
    assert digests(tmp_path / "two") == expected


@given(st.integers(0, 500), st.integers(1, 61))
def test_batches_hold_every_workbook_once_in_order_and_shrink_at_the_end(count, jobs) -> None:
    tasks = list(range(count))
    batches = list(batched(tasks, jobs))  # type: ignore[arg-type]
    assert [task for batch in batches for task in batch] == tasks
    sizes = [len(batch) for batch in batches]
    assert all(1 <= size <= 16 for size in sizes)
    assert sizes == sorted(sizes, reverse=True)
    assert count < 2 * jobs or sizes[-1] == 1  # (the last ones small, to finish together)


def test_a_run_that_stops_before_its_last_output_stores_nothing(tmp_path, monkeypatch) -> None:
    """The run's rows are inserted while the summary is written elsewhere, but committed only
    once exceptions.json is written: a run stopped before that leaves the history as it was."""
    drive, out = _drive(tmp_path / "drive"), tmp_path / "out"
    _run(drive, out, jobs=2)

    def broken(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sheetsync.report.reports, "_write_json", broken)
    with pytest.raises(OSError, match="No space left"):
        _run(drive, out, jobs=2, force=True)
    with sqlite3.connect(out / "history.sqlite") as connection:
        assert connection.execute("SELECT id FROM runs").fetchall() == [(1,)]
        assert connection.execute("SELECT DISTINCT run_id FROM findings").fetchall() == [(1,)]


def _summary_refused(run, quarter, config, previous, trend, path):
    raise sheetsync.files.OutputInUse(path, "was not written: its full path is too long")


@forked_only
def test_a_write_that_fails_in_a_worker_fails_the_run_and_spares_the_other(tmp_path,
                                                                         monkeypatch) -> None:
    """The failure is met again in the main process and raised from there (an exception such
    as OutputInUse cannot be sent back whole: it broke the pool, killing the owner lists'
    worker part-way through)."""
    drive = _drive(tmp_path / "drive")
    _run(drive, tmp_path / "one", jobs=1)
    monkeypatch.setattr(sheetsync.weekly.job, "_summary", _summary_refused)
    with pytest.raises(sheetsync.files.OutputInUse, match="summary.xlsx was not written"):
        _run(drive, tmp_path / "two", jobs=2)
    lists = sorted(p.name for p in (tmp_path / "two" / "owners").iterdir())
    assert lists == sorted(p.name for p in (tmp_path / "one" / "owners").iterdir())
    assert "index.csv" in lists
