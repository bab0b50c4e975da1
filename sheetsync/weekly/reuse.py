"""An unchanged re-run: the last run's outputs reused as they are, not rebuilt.

When every input's bytes, the settings and schemas (the run's fingerprint, which holds the
as-of date) and the quarter are as in the last run, and every output of the last run is
present and intact (each one's hash is kept in the history, in ``run_outputs``), nothing a
rebuild would write can differ, so nothing is rebuilt: the run records itself in the history
(its workbooks and findings pointing at what the last run stored) and says it reused them,
with the lines and exit code the last run had (kept in the history for this): its workbooks
and findings are read from exceptions.json only if asked for.

Only the "what changed" flags of ``exceptions.*`` can differ from a rebuild's, the first time
nothing changed: the last run's findings were new to it, and are not new now. Those flags are
then set in the three files as a rebuild would set them (the last run is then "settled": its
outputs are exactly what a rebuild writes).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sheetsync.errors import SheetsyncError
from sheetsync.files import bytes_hash, content_hash, keep_going
from sheetsync.findings import Finding, Severity
from sheetsync.read.discover import Source
from sheetsync.report.changes import Changes, summary_lines
from sheetsync.report.settle import EXCEPTIONS_FILES, settle_exceptions
from sheetsync.results import RunResult, SheetResult, WorkbookResult

#: Every ``--fail-on``.
FAIL_ON = ("error", "warning", "never")
REUSED_NOTE = "nothing changed since the last run: its summary, reports and owner lists reused"


@dataclass(frozen=True, slots=True)
class Summary:
    """What a run says of itself: a line per workbook and the totals (``summary_lines``), and
    whether it fails under each ``--fail-on``."""

    lines: list[str]
    failed: dict[str, bool]

    @classmethod
    def of(cls, run: RunResult) -> Summary:
        return cls(list(summary_lines(run)), {level: run.failed(level) for level in FAIL_ON})


@dataclass(slots=True)
class Reused:
    """An unchanged re-run, recorded: what ``run_job`` returns for it."""

    summary: Summary  #: The last run's.
    #: Its workbooks and findings as exceptions.json has them (records: in records/), read
    #: when asked for (SheetsyncError if a later run has replaced it meanwhile).
    load: Callable[[], RunResult]
    changes: Changes
    run_id: int
    outputs: list[Path]


def remember_outputs(connection: sqlite3.Connection, run_id: int, out_dir: Path,
                     outputs: list[Path], changes: Changes, workbooks: int,
                     summary: Summary, left: set[str] | None = None) -> None:
    """Keep the hash of each of the run's outputs, whether its reports are settled (what a
    rebuild would write if nothing changed: nothing new, resolved, removed or stale, every
    workbook reused), and its summary. An output ``left`` as it was (open in Excel: its path
    under ``out_dir``) is kept with no hash, so the next run finds it not intact and rebuilds."""
    settled = (not changes.new and not changes.resolved and not changes.removed
               and not changes.stale and len(changes.reused) == workbooks)
    with connection:
        _store(connection, run_id, out_dir, outputs, settled, left or set())
        _keep_summary(connection, run_id, summary)


def _keep_summary(connection: sqlite3.Connection, run_id: int, summary: Summary) -> None:
    connection.execute("INSERT OR REPLACE INTO run_summaries VALUES (?, ?)",
                       (run_id, json.dumps({"lines": summary.lines, "failed": summary.failed})))


def _store(connection: sqlite3.Connection, run_id: int, out_dir: Path, outputs: list[Path],
           settled: bool, left: Collection[str] = ()) -> None:
    # NOTE: an output kept from a run made where the folder was before it moved (its annotated
    # copy's path as the history has it) is not this folder's: left out
    names = [(path, path.relative_to(out_dir).as_posix()) for path in sorted(set(outputs))
             if path.is_relative_to(out_dir) and path.is_file()]
    connection.executemany("INSERT INTO run_outputs VALUES (?, ?, ?)",
                           [(run_id, name, "" if name in left else content_hash(path))
                            for path, name in names])
    connection.execute("INSERT OR REPLACE INTO run_settled VALUES (?, ?)", (run_id, settled))


def unchanged_run(connection: sqlite3.Connection, out_dir: Path, sources: list[Source],
                  hash_of: Callable[[Path], str | None], fingerprint: str, quarter: str,
                  started: dt.datetime) -> Reused | None:
    """The run recorded as a reuse of the last one, if nothing changed since; else None (and
    nothing recorded). ``hash_of`` gives an input's content hash (None: in use or unreadable,
    which a full run deals with)."""
    last = connection.execute("SELECT id, fingerprint, quarter, workbooks, errors + warnings "
                              "FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    if last is None or last[1] != fingerprint or last[2] != quarter:
        return None
    last_id = last[0]
    inputs = {path: (content_hash, stale) for path, content_hash, stale in connection.execute(
        "SELECT path, content_hash, stale FROM workbooks WHERE run_id = ?", (last_id,))}
    if len(inputs) != len(sources) or any(stale for _hash, stale in inputs.values()):
        return None
    for source in sources:
        known = inputs.get(source.name)
        if known is None or hash_of(source.path) != known[0]:
            return None
    outputs = dict(connection.execute("SELECT path, hash FROM run_outputs WHERE run_id = ?",
                                      (last_id,)))
    settled = connection.execute("SELECT settled FROM run_settled WHERE run_id = ?",
                                 (last_id,)).fetchone()
    if "exceptions.json" not in outputs or settled is None:
        return None
    # NOTE: the exceptions files to settle are read once, whole: what is settled is the bytes
    # whose hash was checked (one not among the outputs is settled as unreadable: rewritten)
    read_whole = {} if settled[0] else dict.fromkeys(EXCEPTIONS_FILES, b"")
    if not _intact(out_dir, outputs, read_whole):
        return None
    if not settled[0]:
        left: list[dict[str, Any]] = []
        with keep_going(out_dir, left):  # (its workbooks; its findings, of either severity)
            written = settle_exceptions(out_dir, [read_whole[name] for name in EXCEPTIONS_FILES],
                                        workbooks=last[3], findings=last[4])
        if left:
            return None  # NOTE: an output open in Excel: the full run says so, and goes on
        outputs.update((path.relative_to(out_dir).as_posix(), digest)
                       for path, digest in written.items())

    reused_json = outputs["exceptions.json"]

    # NOTE: read only if asked for (the command never asks: reading it was 2 ms of 4.6 MB), and
    # then only as this run left it: a later run may have replaced it since
    def load() -> RunResult:
        text = (out_dir / "exceptions.json").read_bytes()
        if bytes_hash(text) != reused_json:
            raise SheetsyncError(f"{out_dir / 'exceptions.json'} has been replaced since this "
                                 "run (by a later run): its findings are no longer this run's")
        return _run_of(json.loads(text), out_dir, sources)

    kept = connection.execute("SELECT summary FROM run_summaries WHERE run_id = ?",
                              (last_id,)).fetchone()
    # NOTE: only the lines and exit code are needed: a run's workbooks and findings, read
    # again, were a fifth of an unchanged re-run (those of a history made before summaries
    # were kept are read now)
    summary = Summary(**json.loads(kept[0])) if kept else Summary.of(load())
    changes = Changes(new=set(), resolved=[], reused={s.name for s in sources}, stale=set())
    with connection:
        run_id = _record(connection, last_id, started)
        # NOTE: the digests just checked (or taken of what was settled): not hashed again
        connection.executemany("INSERT INTO run_outputs VALUES (?, ?, ?)",
                               [(run_id, name, digest) for name, digest in sorted(outputs.items())])
        connection.execute("INSERT OR REPLACE INTO run_settled VALUES (?, 1)", (run_id,))
        _keep_summary(connection, run_id, summary)
    return Reused(summary=summary, load=load, changes=changes, run_id=run_id,
                  outputs=[out_dir / name for name in outputs])


def _intact(out_dir: Path, outputs: dict[str, str], read_whole: dict[str, bytes]) -> bool:
    """Every output present with the bytes it was written with, and no other owner list (a
    list nobody wrote would be emailed as current). An output named in ``read_whole`` is read
    whole, and its bytes kept there."""
    owners = {p.relative_to(out_dir).as_posix() for p in (out_dir / "owners").glob("*")
              if p.is_file()}  # (the lists and their index.csv)
    if owners != {name for name in outputs if name.startswith("owners/")}:
        return False
    for name, digest in outputs.items():
        path = out_dir / name
        try:
            if name in read_whole:
                read_whole[name] = path.read_bytes()
            if (bytes_hash(read_whole[name]) if name in read_whole
                    else content_hash(path)) != digest:
                return False
        except OSError:
            return False
    return True


def _run_of(document: dict[str, Any], out_dir: Path, sources: list[Source]) -> RunResult:
    """The run as exceptions.json has it: workbooks, their sheets and findings."""
    by_name = {source.name: source for source in sources}
    severities = {severity.label: severity for severity in Severity}
    findings: dict[str, list[Finding]] = {}
    for entry in document["findings"]:  # (a first check can find 10,000)
        fields = dict(entry)
        fields.pop("new", None)
        label = fields["severity"]
        fields["severity"] = severities.get(label) or Severity.parse(label)
        findings.setdefault(fields["workbook"], []).append(Finding(**fields))
    workbooks = [WorkbookResult(
        source=by_name[wb["path"]], status=wb["status"], message=wb["message"],
        annotated=out_dir / wb["annotated"] if wb["annotated"] else None,
        sheets=[_sheet_of(sheet) for sheet in wb["sheets"]],
        skipped_sheets=wb.get("skipped_sheets", []),
        findings=findings.get(wb["path"], [])) for wb in document["workbooks"]]
    return RunResult(as_of=dt.date.fromisoformat(document["as_of"]), out_dir=out_dir,
                     workbooks=workbooks)


def _sheet_of(entry: dict[str, Any]) -> SheetResult:
    """A sheet as exceptions.json gives it (``report.inspect.sheet_entry``): its own fields,
    and the rest of the entry is its account."""
    own = ("name", "kind", "header_row", "rows", "metadata")
    return SheetResult(**{k: entry[k] for k in own if k in entry},
                       account={k: v for k, v in entry.items() if k not in own})


def _record(connection: sqlite3.Connection, last_id: int, started: dt.datetime) -> int:
    """This run in the history: the last run's counts, every workbook reused (pointing at the
    run that stored its result) and its findings, none new."""
    cursor = connection.execute(
        "INSERT INTO runs (started, finished, as_of, quarter, fingerprint, workbooks, reused, "
        "errors, warnings, new, resolved) SELECT ?, ?, as_of, quarter, fingerprint, workbooks, "
        "workbooks, errors, warnings, 0, 0 FROM runs WHERE id = ?",
        (started.isoformat(timespec="seconds"), dt.datetime.now().isoformat(timespec="seconds"),
         last_id))
    run_id = cursor.lastrowid
    assert run_id is not None
    connection.execute(
        "INSERT INTO workbooks (run_id, path, content_hash, status, message, annotated, reused, "
        "stale, result, result_run) SELECT ?, path, content_hash, status, message, annotated, 1, "
        "0, NULL, coalesce(result_run, run_id) FROM workbooks WHERE run_id = ?", (run_id, last_id))
    connection.execute(
        'INSERT INTO findings (run_id, workbook, sheet, cell, row, "column", ref, value, rule, '
        'severity, message, is_new) SELECT ?, workbook, sheet, cell, row, "column", ref, value, '
        "rule, severity, message, 0 FROM findings WHERE run_id = ?", (run_id, last_id))
    return run_id
