"""The run history: an SQLite database in the output folder (standard library ``sqlite3``).

Each run, each workbook's result (enough to reuse it when the file has not changed) and each
finding are stored, so a run can say which findings are new since the last one, which were
resolved, and what moved. A run's rows are written in one transaction at its end: a run killed
part-way leaves the history as the last complete run left it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sheetsync.errors import SheetsyncError
from sheetsync.findings import FIELD_NAMES, Finding, Severity, change_key, display_value
from sheetsync.read.discover import Source
from sheetsync.report.quarters import Quarter, quarters_before
from sheetsync.results import RecordTable, RunResult, SheetResult, WorkbookResult, json_items
from sheetsync.settings.email import owner_key
from sheetsync.weekly.lock import RunInProgress

HISTORY_FILE = "history.sqlite"
#: Seconds to wait for a history another program is writing before saying so.
BUSY_TIMEOUT = 30.0
#: A workbook's result (with its records) is stored once, by the run that read it; a later run
#: that reuses or keeps it points at that run (``result_run``) instead of storing it again.
#: What an unchanged re-run reuses (``reuse``): each run's outputs' hashes, whether its
#: reports are settled, and its summary. All made here, before the run takes the history's
#: write lock (a script of statements commits first: made later, it let the lock go).
_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, started TEXT, finished TEXT, as_of TEXT, quarter TEXT,
    fingerprint TEXT, workbooks INTEGER, reused INTEGER, errors INTEGER, warnings INTEGER,
    new INTEGER, resolved INTEGER);
CREATE TABLE IF NOT EXISTS workbooks (
    run_id INTEGER, path TEXT, content_hash TEXT, status TEXT, message TEXT, annotated TEXT,
    reused INTEGER, stale INTEGER, result TEXT, result_run INTEGER);
CREATE TABLE IF NOT EXISTS findings (
    run_id INTEGER, workbook TEXT, sheet TEXT, cell TEXT, row INTEGER, "column" TEXT, ref TEXT,
    value TEXT, rule TEXT, severity TEXT, message TEXT, is_new INTEGER);
CREATE INDEX IF NOT EXISTS findings_run ON findings (run_id);
CREATE INDEX IF NOT EXISTS workbooks_run ON workbooks (run_id, path);
CREATE TABLE IF NOT EXISTS run_outputs (run_id INTEGER, path TEXT, hash TEXT);
CREATE INDEX IF NOT EXISTS run_outputs_run ON run_outputs (run_id);
CREATE TABLE IF NOT EXISTS run_settled (run_id INTEGER PRIMARY KEY, settled INTEGER);
CREATE TABLE IF NOT EXISTS run_summaries (run_id INTEGER PRIMARY KEY, summary TEXT);
"""
#: Each run's workbooks with the result they had, whichever run stored it (what a run reuses,
#: and what anyone querying the history wants), and each run's records, one row per record.
_VIEWS = """
CREATE VIEW IF NOT EXISTS run_results AS
    SELECT w.run_id AS run_id, w.path AS path, w.content_hash AS content_hash,
           o.run_id AS stored_by, o.result AS result
    FROM workbooks w JOIN workbooks o
      ON o.run_id = coalesce(w.result_run, w.run_id) AND o.path = w.path;
CREATE VIEW IF NOT EXISTS run_records AS
    SELECT r.run_id AS run_id, json_extract(s.value, '$.kind') AS kind, r.path AS workbook,
           json_extract(s.value, '$.name') AS sheet, json_extract(e.value, '$.row') AS row,
           e.value AS data
    FROM run_results r, json_each(r.result, '$.sheets') s, json_each(s.value, '$.records') e;
"""


@dataclass(frozen=True, slots=True)
class PastWorkbook:
    """A workbook as the last run left it."""

    content_hash: str
    fingerprint: str
    result: WorkbookResult
    run_id: int  #: The run that read it (and stored its result).


class HistoryLocked(RunInProgress):
    """The history is being written by another program: nothing was replaced (exit 3)."""


@contextlib.contextmanager
def open_history(out_dir: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(out_dir / HISTORY_FILE, timeout=BUSY_TIMEOUT)
    try:
        with _locked_is_said(out_dir):
            # NOTE: the rollback journal, not WAL: WAL needs memory shared between the
            # computers using the file, which a network share does not give.
            connection.execute("PRAGMA journal_mode=DELETE")
            connection.executescript(_SCHEMA)
            columns = {row[1] for row in connection.execute("PRAGMA table_info(workbooks)")}
            if "result_run" not in columns:  # (a history made before results were shared)
                connection.execute("ALTER TABLE workbooks ADD COLUMN result_run INTEGER")
            connection.executescript(_VIEWS)
            connection.executescript(_REMINDERS)
        yield connection
    finally:
        connection.close()


def reserve(connection: sqlite3.Connection, out_dir: Path) -> None:
    """Take the history's write lock now, so that a history another program is writing stops
    the run before any output is replaced (readers can still read it until the commit)."""
    with _locked_is_said(out_dir):
        connection.execute("BEGIN IMMEDIATE")


@contextlib.contextmanager
def _locked_is_said(out_dir: Path, storing: bool = False) -> Iterator[None]:
    """``storing``: the run's own rows, written while or after its outputs are."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise
        stopped = ("this run's results were not stored and some outputs may already have been "
                   "replaced (the next run writes them all again)" if storing else
                   "this run stopped before replacing any output")
        raise HistoryLocked(
            f"the history {out_dir / HISTORY_FILE} is being written by another program (a "
            f"database tool, a backup, another run) and stayed locked for {BUSY_TIMEOUT:g} "
            f"seconds; {stopped}: try again later") from None


def last_run_id(connection: sqlite3.Connection) -> int | None:
    row = connection.execute("SELECT max(id) FROM runs").fetchone()
    return row[0] if row and row[0] is not None else None


def past_workbooks(connection: sqlite3.Connection) -> dict[str, PastWorkbook]:
    """Each workbook's result in the last run, by its name in the run."""
    run_id = last_run_id(connection)
    if run_id is None:
        return {}
    fingerprint = connection.execute("SELECT fingerprint FROM runs WHERE id = ?",
                                     (run_id,)).fetchone()[0]
    return {path: PastWorkbook(content_hash, fingerprint, result_from_json(json.loads(result)),
                               origin)
            for path, content_hash, origin, result in connection.execute(
                "SELECT path, content_hash, stored_by, result FROM run_results WHERE run_id = ?",
                (run_id,))}


def past_findings(connection: sqlite3.Connection) -> list[dict[str, Any]]:
    run_id = last_run_id(connection)
    if run_id is None:
        return []
    columns = ("workbook", "sheet", "cell", "row", "column", "ref", "value", "rule", "severity",
               "message")
    rows = connection.execute(
        'SELECT workbook, sheet, cell, row, "column", ref, value, rule, severity, message '
        "FROM findings WHERE run_id = ?", (run_id,))
    return [dict(zip(columns, (json.loads(v) if n == 6 and v is not None else v
                               for n, v in enumerate(row)), strict=True)) for row in rows]


def records_of_quarter(connection: sqlite3.Connection, quarter: str,
                       kind: str) -> list[dict[str, Any]]:
    """Records of the last run made for ``quarter`` (for direction of travel)."""
    row = connection.execute("SELECT max(id) FROM runs WHERE quarter = ?", (quarter,)).fetchone()
    if not row or row[0] is None:
        return []
    return [record for (result,) in connection.execute(
                "SELECT result FROM run_results WHERE run_id = ?", (row[0],))
            for sheet in json.loads(result)["sheets"] if sheet["kind"] == kind
            for record in sheet["records"]]


def risks_by_quarter(connection: sqlite3.Connection,
                     quarters: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Risk records of the last run of each of ``quarters`` (for trends), in the order given;
    a quarter with no run is left out."""
    found = {label: records_of_quarter(connection, label, "risk_register") for label in quarters}
    return {label: records for label, records in found.items() if records}


def stage_run(connection: sqlite3.Connection, run: RunResult, *, started: dt.datetime,
              quarter: str, fingerprint: str, hashes: dict[str, str], reused: set[str],
              stale: set[str], new: set[tuple[Any, ...]], resolved: int,
              origins: dict[str, int] | None = None) -> int:
    """The whole run's rows, inserted in the transaction the run holds (``reserve``) and stored only
    when ``commit_run`` commits it: a run can insert them while its last outputs are written
    elsewhere, and still store nothing if it stops before they are. ``origins`` names, for
    each workbook whose earlier result was reused or kept, the run that stored it: that result
    is pointed at, not stored again."""
    origins = origins or {}
    with _locked_is_said(run.out_dir, storing=True):
        cursor = connection.execute(
            "INSERT INTO runs (started, finished, as_of, quarter, fingerprint, workbooks, reused, "
            "errors, warnings, new, resolved) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (started.isoformat(timespec="seconds"),
             dt.datetime.now().isoformat(timespec="seconds"), run.as_of.isoformat(), quarter,
             fingerprint, len(run.workbooks), len(reused), run.count(Severity.ERROR),
             run.count(Severity.WARNING), len(new), resolved))
        run_id = cursor.lastrowid
        assert run_id is not None
        workbooks, findings = [], []
        for wb in run.workbooks:
            name = wb.source.name
            origin = origins.get(name)
            annotated = _in_folder(wb.annotated, run.out_dir)
            table = _findings_table(wb.findings)
            workbooks.append((run_id, name, hashes.get(name, ""), wb.status, wb.message,
                              annotated, name in reused, name in stale,
                              None if origin is not None else result_text(wb, annotated, table),
                              origin))
            values = json_items(table.columns[_VALUE])
            findings += [(run_id, f.workbook, f.sheet, f.cell, f.row, f.column, f.ref, value,
                          f.rule, label, f.message, change_key(f) in new)
                         for f, value, label in zip(wb.findings, values,
                                                    table.columns[_SEVERITY], strict=True)]
        # NOTE: one statement for each table, not one per workbook (the rows, and so their
        # rowids, are in the same order)
        connection.executemany("INSERT INTO workbooks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               workbooks)
        connection.executemany(
            "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", findings)
    return run_id


def commit_run(connection: sqlite3.Connection, run_id: int, out_dir: Path) -> None:
    """Store the run ``stage_run`` inserted, as finished now."""
    with _locked_is_said(out_dir, storing=True), connection:
        connection.execute("UPDATE runs SET finished = ? WHERE id = ?",
                           (dt.datetime.now().isoformat(timespec="seconds"), run_id))


def runs(connection: sqlite3.Connection) -> list[dict[str, Any]]:
    columns = ("id", "started", "finished", "as_of", "quarter", "workbooks", "reused", "errors",
               "warnings", "new", "resolved")
    return [dict(zip(columns, row, strict=True)) for row in connection.execute(
        f"SELECT {', '.join(columns)} FROM runs ORDER BY id")]


def result_text(wb: WorkbookResult, annotated: str | None, findings: RecordTable) -> str:
    """``wb`` as stored, in JSON (``default=str``): its status, message, annotated copy
    (``annotated``, relative to the output folder as ``_in_folder`` gives it, so the same share
    reached by a drive letter and by a UNC path gives the same history), its sheets with their
    records and account, its skipped sheets and its findings (``findings``, the workbook's
    ``_findings_table``). NOTE: made a piece at a time (``RecordTable.json_text``) and joined
    once: the records are most of the text."""
    pieces = [_dumps({"status": wb.status, "message": wb.message, "annotated": annotated})[:-1],
              ', "sheets": [']
    for number, s in enumerate(wb.sheets):
        pieces += [", " if number else "",
                   _dumps({"name": s.name, "kind": s.kind, "header_row": s.header_row,
                           "rows": s.rows, "metadata": s.metadata})[:-1],
                   ', "records": ', s.records.json_text() if isinstance(s.records, RecordTable)
                   else _dumps(list(s.records)), ', "account": ', _dumps(s.account), "}"]
    pieces += ['], "skipped_sheets": ', _dumps(wb.skipped_sheets), ', "findings": ',
               findings.json_text(), "}"]
    return "".join(pieces)


def _dumps(value: Any) -> str:
    return json.dumps(value, default=str)


_NAMES = list(FIELD_NAMES)
_VALUE, _SEVERITY = _NAMES.index("value"), _NAMES.index("severity")


def _findings_table(findings: list[Finding]) -> RecordTable:
    """The findings as ``Finding.to_dict`` gives them, as columns."""
    columns = [[getattr(f, name) for f in findings] for name in _NAMES]
    columns[_VALUE] = [display_value(value) for value in columns[_VALUE]]
    columns[_SEVERITY] = [severity.label for severity in columns[_SEVERITY]]
    return RecordTable(_NAMES, columns)


def _in_folder(path: Path | None, out_dir: Path | None) -> str | None:
    """``annotated/...`` for a copy in ``out_dir`` (the path as given otherwise)."""
    if path is None:
        return None
    if out_dir is not None and path.is_relative_to(out_dir):
        return path.relative_to(out_dir).as_posix()
    if out_dir is not None:  # NOTE: resolved only then: a look at every folder on the way
        inside, folder = path.resolve(), out_dir.resolve()
        if inside.is_relative_to(folder):
            return inside.relative_to(folder).as_posix()
    return str(path)


def result_from_json(data: dict[str, Any], source: Source | None = None) -> WorkbookResult:
    findings = [Finding(**{**f, "severity": Severity.parse(f["severity"])})
                for f in data["findings"]]
    return WorkbookResult(
        source=source or Source(Path(), ""), status=data["status"], message=data["message"],
        annotated=Path(data["annotated"]) if data["annotated"] else None,
        sheets=[SheetResult(**s) for s in data["sheets"]], findings=findings,
        skipped_sheets=data.get("skipped_sheets", []))


#: Each reminder a run (or ``sheetsync remind``) dealt with: sent, failed (sent by the next run),
#: skipped (unchanged, or already sent that day), no address, test (sent elsewhere with --to),
#: cleared (the owner has nothing open any more). ``run_config`` is the settings file each run used.
_REMINDERS = """
CREATE TABLE IF NOT EXISTS reminders (
    run_id INTEGER, owner TEXT, address TEXT, sent_at TEXT, content_hash TEXT, result TEXT,
    detail TEXT);
CREATE INDEX IF NOT EXISTS reminders_owner ON reminders (owner, sent_at);
CREATE TABLE IF NOT EXISTS run_config (run_id INTEGER PRIMARY KEY, config TEXT);
"""


@dataclass(frozen=True, slots=True)
class ReminderRow:
    owner: str
    address: str | None
    sent_at: dt.datetime
    content_hash: str
    result: str
    detail: str = ""


def record_reminders(connection: sqlite3.Connection, run_id: int, rows: list[ReminderRow],
                     config: str | None = None) -> None:
    """Store what became of each reminder, in one transaction."""
    with connection:
        connection.executemany(
            "INSERT INTO reminders VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(run_id, r.owner, r.address, r.sent_at.isoformat(timespec="seconds"), r.content_hash,
              r.result, r.detail) for r in rows])
        if config is not None:
            connection.execute("INSERT OR REPLACE INTO run_config VALUES (?, ?)", (run_id, config))


def last_reminders(connection: sqlite3.Connection) -> dict[str, ReminderRow]:
    """Each owner's last reminder sent (or cleared), by their name in lower case."""
    found: dict[str, ReminderRow] = {}
    for owner, address, sent_at, content_hash, result in connection.execute(
            "SELECT owner, address, sent_at, content_hash, result FROM reminders "
            "WHERE result IN ('sent', 'cleared') ORDER BY sent_at, rowid"):
        found[owner_key(owner)] = ReminderRow(
            owner, address, dt.datetime.fromisoformat(sent_at), content_hash, result)
    return found


def run_config(connection: sqlite3.Connection, run_id: int) -> str | None:
    row = connection.execute("SELECT config FROM run_config WHERE run_id = ?", (run_id,)).fetchone()
    return row[0] if row else None


def first_seen(connection: sqlite3.Connection) -> dict[tuple[Any, ...], dt.date]:
    """The day each finding (workbook, sheet, cell, rule) was first found by a run."""
    return {(workbook, sheet, cell, rule): dt.date.fromisoformat(started[:10])
            for workbook, sheet, cell, rule, started in connection.execute(
                "SELECT f.workbook, f.sheet, f.cell, f.rule, min(r.started) FROM findings f "
                "JOIN runs r ON r.id = f.run_id GROUP BY f.workbook, f.sheet, f.cell, f.rule")}


def last_run(connection: sqlite3.Connection, out_dir: Path,
             ) -> tuple[int, RunResult, set[tuple[Any, ...]]] | None:
    """The last run as it was recorded (its id, results and new findings' keys), or None."""
    run_id = last_run_id(connection)
    if run_id is None:
        return None
    as_of = connection.execute("SELECT as_of FROM runs WHERE id = ?", (run_id,)).fetchone()[0]
    workbooks = [result_from_json(json.loads(result), Source(Path(path), path))
                 for path, result in connection.execute(
                     "SELECT path, result FROM run_results WHERE run_id = ? ORDER BY path",
                     (run_id,))]
    new = {tuple(row) for row in connection.execute(
        "SELECT workbook, sheet, cell, rule FROM findings WHERE run_id = ? AND is_new", (run_id,))}
    return run_id, RunResult(as_of=dt.date.fromisoformat(as_of), out_dir=out_dir,
                             workbooks=workbooks), new


def history_rows(out_dir: Path) -> list[dict[str, Any]]:
    """The runs recorded in ``out_dir``'s history, oldest first."""
    if not (out_dir / HISTORY_FILE).is_file():
        return []
    with open_history(out_dir) as connection:
        return runs(connection)


def risk_history(path: Path, quarter: Quarter) -> dict[str, list[dict[str, Any]]]:
    """Risk records of the three quarters before ``quarter`` from the history in ``path`` (the
    output folder of a run, or its history file), for ``summary --history``."""
    folder = path.parent if path.is_file() else path
    if (path.is_file() and path.name != HISTORY_FILE) or not (
            folder / HISTORY_FILE).is_file():
        raise SheetsyncError(f"{path}: no run history here (give the output folder of "
                             f"'sheetsync run', or its {HISTORY_FILE})")
    with open_history(folder) as connection:
        return risks_by_quarter(connection, quarters_before(quarter, 3))
