"""An unchanged re-run reuses the last run's summary, reports and owner lists; any change
(an input's bytes, a setting, the as-of date, the quarter, an output deleted or altered)
rebuilds what it must, and what is reused is exactly what a rebuild would write."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import xlsxwriter
from helpers import AS_OF, write_openpyxl
from helpers.outputs import digests, heavy_register

import sheetsync.errors
import sheetsync.files
import sheetsync.report.reports
import sheetsync.weekly.job
import sheetsync.weekly.reuse
from sheetsync.report.changes import summary_lines
from sheetsync.report.quarters import parse_quarter, quarter_of
from sheetsync.results import Settings
from sheetsync.weekly import reuse
from sheetsync.weekly.job import JobResult, run_job


def drive(root: Path) -> Path:
    heavy_register(root / "Corporate" / "register.xlsx", 30)
    write_openpyxl(root / "Adults" / "risks.xlsx", {"Risks": [
        ["Ref", "Risk", "Owner", "Likelihood", "Impact", "Score", "Review date"],
        ["R1", "Budget", "Jo Smith", 2, 3, 7, "01/03/2023"],
        ["R2", "Cyber", "Sam Patel", 4, 4, 16, "01/01/2022"]]})
    return root


def run(folder: Path, out: Path, *, as_of: dt.date = AS_OF, quarter: str | None = None,
        config: Path | None = None) -> JobResult:
    settings = Settings.load(as_of=as_of, config_file=config)
    return run_job([folder], out, settings, parse_quarter(quarter) if quarter else quarter_of(as_of))


def rebuild(folder: Path, out: Path, monkeypatch: pytest.MonkeyPatch, **options: object) -> None:
    """The same run with nothing reused as a whole (as before reuse existed)."""
    with monkeypatch.context() as patch:
        patch.setattr(sheetsync.weekly.reuse, "unchanged_run", lambda *args: None)
        assert not run(folder, out, **options).reused_outputs  # type: ignore[arg-type]


def test_an_unchanged_rerun_reuses_the_outputs_and_they_are_what_a_rebuild_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, out, rebuilt = drive(tmp_path / "in"), tmp_path / "out", tmp_path / "rebuilt"
    first = run(folder, out)
    assert not first.reused_outputs and first.changes.new
    rebuild(folder, rebuilt, monkeypatch)
    assert digests(out) == digests(rebuilt)
    summary = (out / "summary.xlsx").stat().st_mtime_ns

    second = run(folder, out)  # the findings are not new any more: exceptions.* say so
    rebuild(folder, rebuilt, monkeypatch)
    assert digests(out) == digests(rebuilt)
    third = run(folder, out)
    rebuild(folder, rebuilt, monkeypatch)
    assert digests(out) == digests(rebuilt)
    fourth = run(folder, out)
    assert second.reused_outputs and third.reused_outputs and fourth.reused_outputs
    assert (out / "summary.xlsx").stat().st_mtime_ns == summary  # not written again
    assert reuse.REUSED_NOTE in fourth.log.read_text()

    assert fourth.summary == second.summary == first.summary  # (kept, not worked out again)
    assert fourth.summary.lines == list(summary_lines(fourth.run))
    assert fourth.failed("error") and not fourth.failed("never") and not fourth.warnings()
    assert fourth.changes.reused == {"Corporate/register.xlsx", "Adults/risks.xlsx"}
    assert not fourth.changes.new and not fourth.changes.resolved
    assert [f.to_dict() for f in fourth.run.findings] == [f.to_dict() for f in first.run.findings]
    assert [(wb.source.name, wb.status, [s.name for s in wb.sheets]) for wb in fourth.run.workbooks] \
        == [(wb.source.name, wb.status, [s.name for s in wb.sheets]) for wb in first.run.workbooks]
    assert fourth.run.failed("error")
    with sqlite3.connect(out / "history.sqlite") as connection:
        runs = connection.execute("SELECT id, workbooks, reused, errors, warnings, new, resolved "
                                  "FROM runs ORDER BY id").fetchall()
        stored = connection.execute("SELECT run_id, count(*) FROM findings GROUP BY run_id "
                                    "ORDER BY run_id").fetchall()
        records = connection.execute("SELECT run_id, count(*) FROM run_records GROUP BY run_id "
                                     "ORDER BY run_id").fetchall()
    assert [r[1:] for r in runs] == [(2, 0, *runs[0][3:5], len(first.changes.new), 0)] + [
        (2, 2, *runs[0][3:5], 0, 0)] * 3
    assert {count for _run, count in stored} == {len(first.run.findings)}
    assert len({count for _run, count in records}) == 1 and len(records) == 4


def test_a_history_kept_before_summaries_were_still_reuses(tmp_path: Path) -> None:
    folder, out = drive(tmp_path / "in"), tmp_path / "out"
    first = run(folder, out)
    with sqlite3.connect(out / "history.sqlite") as connection:
        connection.execute("DROP TABLE run_summaries")
    again = run(folder, out)
    assert again.reused_outputs and again.summary == first.summary
    assert run(folder, out).summary == first.summary


def _change_input(folder: Path, out: Path) -> dict[str, object]:
    heavy_register(folder / "Corporate" / "register.xlsx", 61)
    return {}


def _change_setting(folder: Path, out: Path) -> dict[str, object]:
    config = folder.parent / "settings.yaml"
    config.write_text("review_staleness_months: 6\n")
    return {"config": config}


def _delete_output(name: str) -> Callable[[Path, Path], dict[str, object]]:
    def change(folder: Path, out: Path) -> dict[str, object]:
        (out / name).unlink()
        return {}
    return change


def _alter_output(name: str) -> Callable[[Path, Path], dict[str, object]]:
    def change(folder: Path, out: Path) -> dict[str, object]:
        with (out / name).open("ab") as handle:
            handle.write(b" ")
        return {}
    return change


def _stray_owner_list(folder: Path, out: Path) -> dict[str, object]:
    shutil.copy(out / "owners" / "Jo Smith.xlsx", out / "owners" / "Someone else.xlsx")
    return {}


CHANGES = {
    "one input byte": _change_input,
    "a setting": _change_setting,
    "the as-of date": lambda folder, out: {"as_of": dt.date(2023, 3, 30)},
    "the quarter": lambda folder, out: {"quarter": "Q3 2022/23"},
    "a deleted summary": _delete_output("summary.xlsx"),
    "a deleted owner list": _delete_output("owners/Jo Smith.xlsx"),
    "a deleted annotated copy": _delete_output("annotated/Adults/risks.xlsx"),
    "a deleted records file": _delete_output("records/risks.csv"),
    "an altered exceptions.csv": _alter_output("exceptions.csv"),
    "an altered summary": _alter_output("summary.xlsx"),
    "an owner list nobody wrote": _stray_owner_list,
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_any_change_rebuilds_what_it_must(tmp_path: Path, change: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    folder, out, rebuilt = drive(tmp_path / "in"), tmp_path / "out", tmp_path / "rebuilt"
    run(folder, out)
    run(folder, out)
    rebuild(folder, rebuilt, monkeypatch)
    rebuild(folder, rebuilt, monkeypatch)
    options = CHANGES[change](folder, out)
    CHANGES[change](folder, rebuilt)
    again = run(folder, out, **options)  # type: ignore[arg-type]
    assert not again.reused_outputs
    assert reuse.REUSED_NOTE not in again.log.read_text()
    rebuild(folder, rebuilt, monkeypatch, **options)
    assert digests(out) == digests(rebuilt)
    assert run(folder, out, **options).reused_outputs  # type: ignore[arg-type]


def test_force_and_a_workbook_in_use_rebuild(tmp_path: Path) -> None:
    folder, out = drive(tmp_path / "in"), tmp_path / "out"
    run(folder, out)
    run(folder, out)
    settings = Settings.load(as_of=AS_OF)
    assert not run_job([folder], out, settings, quarter_of(AS_OF), force=True).reused_outputs
    (folder / "Adults" / "~$risks.xlsx").write_bytes(b"owner")
    sheetsync.weekly.job.IN_USE_RETRIES = 1
    try:
        kept = run_job([folder], out, settings, quarter_of(AS_OF))
    finally:
        sheetsync.weekly.job.IN_USE_RETRIES = 3
    assert not kept.reused_outputs and kept.changes.stale == {"Adults/risks.xlsx"}


def test_settling_changes_only_the_flags_where_they_stand(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    folder, out = drive(tmp_path / "in"), tmp_path / "out"
    run(folder, out)
    before = json.loads((out / "exceptions.json").read_text(encoding="utf-8"))
    assert any(f["new"] for f in before["findings"])

    def rewritten(*args: object) -> None:
        raise AssertionError("written again in full")

    with monkeypatch.context() as patch:
        patch.setattr(sheetsync.report.reports, "rewrite_exceptions", rewritten)
        assert run(folder, out).reused_outputs
    after = json.loads((out / "exceptions.json").read_text(encoding="utf-8"))
    assert not any(f["new"] for f in after["findings"])
    assert [{k: v for k, v in f.items() if k != "new"} for f in after["findings"]] \
        == [{k: v for k, v in f.items() if k != "new"} for f in before["findings"]]


def test_a_value_that_looks_like_a_flag_is_not_taken_for_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cell holding what a flag looks like in exceptions.csv (",True" at a line's end): that
    file is written again in full, as a rebuild writes it."""
    folder, out, rebuilt = drive(tmp_path / "in"), tmp_path / "out", tmp_path / "rebuilt"
    book = xlsxwriter.Workbook(str(folder / "Adults" / "odd.xlsx"))
    sheet = book.add_worksheet("Risks")
    for number, row in enumerate([
            ["Ref", "Risk", "Owner", "Likelihood", "Impact", "Score", "Review date"],
            ["R1", "Budget", "Jo Smith", "2,True\r\nor 3,False\r\n", 3, 7, "01/03/2023"]]):
        sheet.write_row(number, 0, row)
    book.close()
    run(folder, out)
    assert b",True\r\nor 3,False\r\n" in (out / "exceptions.csv").read_bytes()
    rebuild(folder, rebuilt, monkeypatch)
    assert run(folder, out).reused_outputs
    rebuild(folder, rebuilt, monkeypatch)
    assert digests(out) == digests(rebuilt)


#: A ``sheetsync run`` that says, last, which of the heavy libraries it loaded.
_LOADED = """
import sys
from sheetsync.cli import main
try:
    main()
finally:
    print(*sorted(name for name in ("pandas", "pandera", "openpyxl", "xlsxwriter")
                  if name in sys.modules), file=sys.stderr)
"""


def test_an_unchanged_rerun_loads_no_checking_and_no_report_writing(tmp_path: Path) -> None:
    folder, out = drive(tmp_path / "in"), tmp_path / "out"
    command = [sys.executable, "-c", _LOADED, "run", str(folder), "--out", str(out),
               "--as-of", AS_OF.isoformat(), "--jobs", "1", "--no-email"]
    loaded = [subprocess.run(command, capture_output=True, text=True, check=False)
              for _run in range(3)]
    assert "Nothing changed since the last run" not in loaded[0].stdout
    assert "pandas" in loaded[0].stderr.split("\n")[-2]
    for rerun in loaded[1:]:  # (the first settles the exceptions files, without a writer)
        assert "Nothing changed since the last run" in rerun.stdout
        assert rerun.stderr.split("\n")[-2] == ""


def test_an_exceptions_file_left_open_by_the_last_run_is_written_by_the_next(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The last run could not replace exceptions.xlsx (open in Excel): it still holds the run
    before's findings, so an unchanged re-run must write it, not settle or reuse it."""
    import os

    folder, out, rebuilt = drive(tmp_path / "in"), tmp_path / "out", tmp_path / "rebuilt"
    run(folder, out)
    write_openpyxl(folder / "Adults" / "risks.xlsx", {"Risks": [
        ["Ref", "Risk", "Owner", "Likelihood", "Impact", "Score", "Review date"],
        ["R1", "Budget", "Jo Smith", 2, 3, 8, "01/03/2023"],  # (as many findings as before)
        ["R2", "Cyber", "Sam Patel", 4, 4, 16, "01/01/2022"]]})
    real = os.replace

    def replace(source: object, target: object, *args: object, **kwargs: object) -> None:
        if Path(str(target)).name == "exceptions.xlsx":
            raise PermissionError(13, "in use", str(target))
        real(source, target, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sheetsync.files, "REPLACE_WAIT", 0.0)
    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", replace)
        assert run(folder, out).warnings()
    again = run(folder, out)
    assert not again.reused_outputs
    rebuild(folder, rebuilt, monkeypatch)
    rebuild(folder, rebuilt, monkeypatch)
    assert digests(out) == digests(rebuilt)


def test_the_history_stays_reserved_while_a_run_looks_for_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run takes the history's write lock before it replaces any output, so that another
    program writing the history stops it first: looking for changes must not let it go."""
    folder, out = drive(tmp_path / "in"), tmp_path / "out"
    run(folder, out)
    write_openpyxl(folder / "Adults" / "risks.xlsx", {"Risks": [
        ["Ref", "Risk", "Owner", "Likelihood", "Impact", "Score", "Review date"],
        ["R1", "Budget", "Jo Smith", 2, 3, 6, "01/03/2023"]]})
    looked = reuse.unchanged_run
    another_writer: list[str] = []

    def unchanged_run(connection: sqlite3.Connection, out_dir: Path, *args: object) -> object:
        found = looked(connection, out_dir, *args)  # type: ignore[arg-type]
        another_writer.append(_another_writer(out_dir))
        return found

    monkeypatch.setattr(reuse, "unchanged_run", unchanged_run)
    assert not run(folder, out).reused_outputs
    assert another_writer == ["database is locked"]


def test_the_history_stays_reserved_while_a_rerun_settles_the_reports(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first unchanged re-run replaces the exceptions files: the history's write lock is
    held while it does, and the re-run is stored with them."""
    folder, out = drive(tmp_path / "in"), tmp_path / "out"
    run(folder, out)
    settle = reuse.settle_exceptions
    another_writer: list[str] = []

    def settling(out_dir: Path, *args: object, **kwargs: object) -> object:
        another_writer.append(_another_writer(out_dir))
        return settle(out_dir, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reuse, "settle_exceptions", settling)
    assert run(folder, out).reused_outputs
    assert another_writer == ["database is locked"]


def test_a_sheet_settled_a_little_at_a_time_is_what_a_rebuild_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The exceptions workbook's sheet is settled a block at a time, each cut at a row's end:
    blocks far smaller than a row cut every row and "New" somewhere."""
    import sheetsync.report.settle as settle

    folder, out, rebuilt = drive(tmp_path / "in"), tmp_path / "out", tmp_path / "rebuilt"
    run(folder, out)
    monkeypatch.setattr(settle, "_CHUNK", 7)
    assert run(folder, out).reused_outputs
    rebuild(folder, rebuilt, monkeypatch)
    rebuild(folder, rebuilt, monkeypatch)
    assert digests(out) == digests(rebuilt)


def test_a_rerun_whose_report_was_replaced_since_says_so_when_asked_for_its_findings(
        tmp_path: Path) -> None:
    folder, out = drive(tmp_path / "in"), tmp_path / "out"
    run(folder, out)
    again = run(folder, out)
    assert again.reused_outputs and again.run.findings  # (read when asked for, as it was)
    later = run(folder, out)
    (out / "exceptions.json").write_text("{}", encoding="utf-8")  # (as a later run might)
    with pytest.raises(sheetsync.errors.SheetsyncError, match="replaced since this run"):
        _ = later.run


def _another_writer(out_dir: Path) -> str:
    """What another program trying to write the history meets now."""
    other = sqlite3.connect(out_dir / "history.sqlite", timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        return "could write the history"
    except sqlite3.OperationalError as exc:
        return str(exc)
    finally:
        other.close()
