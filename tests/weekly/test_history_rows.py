"""What ``stage_run`` stores is what it stored before it was made faster: each workbook's
result as ``json.dumps`` of the dict below and each finding as its ``to_dict`` entry."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sheetsync.findings import Finding, Severity, change_key
from sheetsync.read.discover import Source
from sheetsync.results import RecordTable, RunResult, SheetResult, WorkbookResult
from sheetsync.weekly import history


def result_to_json(wb: WorkbookResult, out_dir: Path) -> dict[str, Any]:
    """A workbook's result as the history stored it before ``result_text`` (the reference)."""
    return {"status": wb.status, "message": wb.message,
            "annotated": history._in_folder(wb.annotated, out_dir),
            "sheets": [{"name": s.name, "kind": s.kind, "header_row": s.header_row,
                        "rows": s.rows, "metadata": s.metadata, "records": list(s.records),
                        "account": s.account}
                       for s in wb.sheets],
            "skipped_sheets": wb.skipped_sheets,
            "findings": [f.to_dict() for f in wb.findings]}


def _finding(row: int, value: object, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(workbook="S/a.xlsx", sheet="Risks", cell=f"F{row}", row=row, column="Score",
                   ref=f"R{row}", value=value, rule="RR05", severity=severity,
                   message="Score is not likelihood × impact: \"L×I\"\nline two")


def _run(out: Path) -> RunResult:
    names = ["workbook", "sheet", "row", "ref", "owner", "score", "review_date"]
    table = RecordTable(names, [["S/a.xlsx"] * 3, ["Risks"] * 3, [4, 5, 6], ["R1", "R2", None],
                                ["Siân", "%s", None], [12, 3.5, None],
                                ["2023-03-01", None, dt.date(2023, 1, 2)]])
    plain = [{"workbook": "S/a.xlsx", "sheet": "Log", "row": 2, "kind": "issue", "n": [1, 2]}]
    first = WorkbookResult(
        source=Source(Path("S/a.xlsx"), "S/a.xlsx"), status="ok",
        annotated=out / "annotated" / "S" / "a.xlsx",
        sheets=[SheetResult("Risks", "risk_register", 3, 3, {"title": "Tïtle"}, table,
                            {"reason": "header", "header_rows": [3, 3]}),
                SheetResult("Log", "raid_log", 1, 1, {}, plain)],
        findings=[_finding(4, 12), _finding(5, dt.datetime(2023, 3, 1)), _finding(6, None),
                  _finding(7, 2.0, Severity.WARNING), _finding(8, "x\u2028y")],
        skipped_sheets=[{"name": "Lookups", "nearest": {"row": 1}}])
    empty = WorkbookResult(source=Source(Path("S/b.xlsx"), "S/b.xlsx"), status="error",
                           message="cannot be read")
    kept = WorkbookResult(source=Source(Path("S/c.xlsx"), "S/c.xlsx"), status="ok",
                          findings=[_finding(9, 1.5)])
    return RunResult(as_of=dt.date(2023, 3, 31), out_dir=out, workbooks=[first, empty, kept])


def test_the_rows_stored_are_those_the_old_way_made(tmp_path: Path) -> None:
    run = _run(tmp_path)
    new = {change_key(run.findings[1])}
    with history.open_history(tmp_path) as connection:
        run_id = history.stage_run(
            connection, run, started=dt.datetime(2023, 4, 1), quarter="2022-23 Q4",
            fingerprint="f", hashes={"S/a.xlsx": "h"}, reused={"S/c.xlsx"}, stale=set(),
            new=new, resolved=0, origins={"S/c.xlsx": 7})
        history.commit_run(connection, run_id, tmp_path)
        workbooks = connection.execute("SELECT * FROM workbooks ORDER BY rowid").fetchall()
        findings = connection.execute("SELECT * FROM findings ORDER BY rowid").fetchall()
    assert workbooks == [
        (run_id, wb.source.name, "h" if wb.source.name == "S/a.xlsx" else "", wb.status,
         wb.message, "annotated/S/a.xlsx" if wb.annotated else None, wb.source.name == "S/c.xlsx",
         0, None if wb.source.name == "S/c.xlsx"
         else json.dumps(result_to_json(wb, tmp_path), default=str),
         7 if wb.source.name == "S/c.xlsx" else None) for wb in run.workbooks]
    assert findings == [
        (run_id, f["workbook"], f["sheet"], f["cell"], f["row"], f["column"], f["ref"],
         json.dumps(f["value"]), f["rule"], f["severity"], f["message"], change_key(f) in new)
        for f in (finding.to_dict() for finding in run.findings)]
