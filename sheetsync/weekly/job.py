"""``sheetsync run``: the weekly unattended job over a shared drive, with history.

Never hangs, never loses last week's results, never trips over a file someone has open in
Excel: one run at a time per output folder (a lock a dead run's successor takes over), every
output written to a temporary file and renamed into place, the history committed once at the
end, unchanged workbooks' results reused, and the work spread over a process pool.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fnmatch
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetsync import collector_paused
from sheetsync.files import content_hash, keep_going, remove_output, write_text_atomically
from sheetsync.findings import change_key
from sheetsync.read import discover
from sheetsync.read.discover import Source
from sheetsync.report.changes import Changes
from sheetsync.report.quarters import Quarter, quarters_before
from sheetsync.results import ANNOTATED_DIR, RunResult, Settings, WorkbookResult
from sheetsync.settings.schemas import SCHEMA_FILES, default_schemas_dir
from sheetsync.weekly import history, reuse
from sheetsync.weekly.lock import run_lock

# NOTE: what only a run that rebuilds needs (the summary, the owner lists, the reminders, the
# process pool) is imported where it is used: an unchanged re-run, which reuses every output,
# uses none of them (20 ms to import; the pool, with pickle, 1.6 ms of it).
if TYPE_CHECKING:
    from sheetsync.report.summary_data import Previous
    from sheetsync.settings.config import Config
    from sheetsync.weekly.mail import MailReport
    from sheetsync.weekly.workers import Elsewhere, Workers

#: A workbook someone has open is retried this many times, this many seconds apart.
IN_USE_RETRIES, IN_USE_WAIT = 3, 1.0
SUMMARY_FILE = "summary.xlsx"
LOG_DIR = "logs"


@dataclass(slots=True)
class JobResult:
    """A finished run: its results, what changed, and its place in the history."""

    summary: reuse.Summary  #: Its lines for the console and the log, and its exit code.
    #: Its workbooks and findings; for an unchanged re-run, how to read them if asked for.
    results: RunResult | Callable[[], RunResult]
    changes: Changes
    run_id: int
    quarter: Quarter
    log: Path
    outputs: list[Path] = field(default_factory=list)
    #: The reminders sent to owners (None: none were due, since nothing changed).
    mail: MailReport | None = None
    #: Nothing changed since the last run: its summary, reports and owner lists were reused.
    reused_outputs: bool = False

    @property
    def run(self) -> RunResult:
        """Its workbooks and findings (an unchanged re-run's read when first asked for)."""
        if not isinstance(self.results, RunResult):
            self.results = self.results()
        return self.results

    def warnings(self) -> list[dict[str, Any]]:
        """Outputs left as they were (open in Excel) and the like: none if nothing was done."""
        return self.results.all_warnings() if isinstance(self.results, RunResult) else []

    def failed(self, fail_on: str) -> bool:
        """True when the run should exit 1 under ``--fail-on``."""
        return self.summary.failed[fail_on]


def run_job(inputs: list[Path], out_dir: Path, settings: Settings, quarter: Quarter, *,
            jobs: int = 1, force: bool = False, include: list[str] | None = None,
            exclude: list[str] | None = None, schemas_dir: Path | None = None,
            progress: Callable[[WorkbookResult, int, int], None] | None = None,
            email: bool = True, email_preview: Path | None = None) -> JobResult:
    """Check every workbook under ``inputs`` into ``out_dir``; raise RunInProgress if busy.

    ``progress(result, done, total)`` is called as each workbook is finished. Once the history
    is committed, owners are sent their reminders if the settings say so (``email=False``: not
    this time; ``email_preview``: written there as ``.eml`` files instead).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    with run_lock(out_dir):
        started = dt.datetime.now()
        discover.mark_output_folder(out_dir)
        _remove_leftovers(out_dir)
        sources = [s for s in discover.find_workbooks(inputs, exclude=out_dir)
                   if _selected(s.name, include or [], exclude or [])]
        fingerprint = _fingerprint(settings, schemas_dir)
        with history.open_history(out_dir) as connection:
            history.reserve(connection, out_dir)  # (locked: stop before replacing any output)
            quick = None if force else reuse.unchanged_run(
                connection, out_dir, sources, _hash_if_free, fingerprint, quarter.label, started)
            if quick is not None:
                log = _write_log(out_dir, quick.run_id, settings.as_of, quick.summary, [],
                                 quick.changes, started, note=reuse.REUSED_NOTE)
                return JobResult(summary=quick.summary, results=quick.load, changes=quick.changes,
                                 run_id=quick.run_id, quarter=quarter, log=log,
                                 outputs=quick.outputs, reused_outputs=True)
            from sheetsync.report.summary_data import previous_from_records
            from sheetsync.weekly.mail import remind_after_run
            from sheetsync.weekly.workers import Workers

            past = history.past_workbooks(connection)
            past_findings = history.past_findings(connection)
            previous_risks = history.records_of_quarter(connection, quarter.previous().label,
                                                        "risk_register")
            previous_kpis = history.records_of_quarter(connection, quarter.previous().label,
                                                       "kpi_sheet")
            trend = history.risks_by_quarter(connection, quarters_before(quarter, 3))
            with Workers(jobs, settings) as workers:
                results, hashes, reused, stale = _check_all(sources, out_dir, settings, past,
                                                            fingerprint, force, workers, progress)
                for result in results:
                    if result.warnings:  # its copy was left as it was: not reusable next time
                        hashes[result.source.name] = ""
                run = RunResult(as_of=settings.as_of, out_dir=out_dir, workbooks=results)
                found = {s.name for s in sources}
                removed = sorted(name for name in past if name not in found)
                current = {change_key(f) for f in run.findings}
                before = {change_key(f): f for f in past_findings}
                changes = Changes(new=current - set(before), reused=reused, stale=stale,
                                  resolved=[f for key, f in before.items() if key not in current
                                            and f["workbook"] in found],
                                  removed=removed)
                # NOTE: an output someone has open is left as it was, with a warning, and
                # exceptions.json (written last) lists those warnings. The checked workbooks'
                # findings and records go into the outputs: see collector_paused.
                with collector_paused(), keep_going(out_dir, run.warnings):
                    _remove_annotated_copies(removed, found, out_dir)
                    previous = (previous_from_records(previous_risks, previous_kpis)
                                if previous_risks or previous_kpis else None)
                    elsewhere = _start_elsewhere(run, workers, quarter, settings, previous, trend)
                    # NOTE: the run's rows are inserted while the summary and owner lists are
                    # written elsewhere; the history stores them once every output is written.
                    run_id = history.stage_run(
                        connection, run, started=started, quarter=quarter.label,
                        fingerprint=fingerprint, hashes=hashes, reused=reused, stale=stale,
                        new=changes.new, resolved=len(changes.resolved),
                        origins={name: past[name].run_id for name in reused | stale
                                 if name in past})
                    outputs = _write_reports(run, changes, elsewhere)
            history.commit_run(connection, run_id, out_dir)
            summary = reuse.Summary.of(run)
            reuse.remember_outputs(connection, run_id, out_dir, outputs + [
                wb.annotated for wb in run.workbooks if wb.annotated], changes, len(results),
                summary, left={w["file"] for w in run.all_warnings() if "file" in w})
        log = _write_log(out_dir, run_id, run.as_of, summary, run.all_warnings(), changes, started)
        mail = remind_after_run(out_dir, run, run_id, changes.new, settings.config.email,
                                send=email, preview=email_preview, log=log,
                                config=str(Path(settings.config.source).resolve()))
        return JobResult(summary=summary, results=run, changes=changes, run_id=run_id,
                         quarter=quarter, log=log, outputs=outputs, mail=mail)


def _start_elsewhere(run: RunResult, workers: Workers, quarter: Quarter, settings: Settings,
                     previous: Previous | None, trend: dict[str, list[dict[str, Any]]],
                     ) -> list[Elsewhere]:
    """The summary and the owner lists, started in the pool's workers if it has any (else
    written now, here)."""
    from sheetsync.report.owners import write_owner_lists

    return [workers.write_elsewhere(_summary, run, quarter, settings.config, previous, trend,
                                    run.out_dir / SUMMARY_FILE),
            workers.write_elsewhere(write_owner_lists, run, run.out_dir, settings.config)]


def _write_reports(run: RunResult, changes: Changes, elsewhere: list[Elsewhere]) -> list[Path]:
    """The reports, and what was written ``elsewhere`` meanwhile: exceptions.json last, with
    the warnings of all of them, in the order one process would have met them."""
    from sheetsync.report.reports import write_reports

    written: list[Path] = []
    at = len(run.warnings)

    def finish_elsewhere() -> None:
        nonlocal at
        for output in elsewhere:
            paths, left = output.finish()
            written.extend(paths)
            run.warnings[at:at] = left  # (where they would be, had it been written here)
            at += len(left)

    reports = write_reports(run, changes, before_json=finish_elsewhere)
    return written + reports


def _summary(run: RunResult, quarter: Quarter, config: Config, previous: Previous | None,
             trend: dict[str, list[dict[str, Any]]], path: Path) -> list[Path]:
    from sheetsync.report.summary import write_summary
    from sheetsync.report.summary_data import build_summary_data

    return [write_summary(build_summary_data(run, quarter, config, previous=previous,
                                             history=trend), path)]


def _selected(name: str, include: list[str], exclude: list[str]) -> bool:
    if include and not any(fnmatch.fnmatch(name, pattern) for pattern in include):
        return False
    return not any(fnmatch.fnmatch(name, pattern) for pattern in exclude)


def _remove_annotated_copies(removed: list[str], found: set[str], out_dir: Path) -> None:
    """The annotated copies of workbooks no longer found: left, they would be read as current.
    (Emptied folders go too.)"""
    folder = (out_dir / ANNOTATED_DIR).resolve()
    names_now = {name.casefold() for name in found}
    for name in removed:
        if name.casefold() in names_now:
            continue  # renamed only in case: on a Windows share, the current copy's own file
        copy = (folder / name).resolve()
        if not copy.is_relative_to(folder) or copy == folder:
            continue
        remove_output(copy)
        for parent in copy.parents:
            if parent == folder or not parent.is_relative_to(folder):
                break
            with contextlib.suppress(OSError):  # (not empty: something else is still there)
                parent.rmdir()


def _remove_leftovers(out_dir: Path) -> None:
    """Temporary files a killed run left behind (outputs are renamed into place, so these
    were never any output's only copy). The output marker stays."""
    for leftover in out_dir.rglob(".sheetsync-*"):  # (files.TEMPORARY_PREFIX, and older ones)
        if leftover.is_file() and leftover.name != discover.OUTPUT_MARKER:
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)


def _fingerprint(settings: Settings, schemas_dir: Path | None) -> str:
    """What a workbook's results depend on besides its bytes: schemas, settings, as-of date."""
    digest = hashlib.sha256(settings.as_of.isoformat().encode())
    directory = schemas_dir or default_schemas_dir()
    for name in (*SCHEMA_FILES, "financial_table.yaml", "organisation.yaml"):
        path = directory / name
        digest.update(path.read_bytes() if path.is_file() else b"")
    if settings.config.source and Path(settings.config.source).is_file():
        digest.update(Path(settings.config.source).read_bytes())
    return digest.hexdigest()


def _hash_if_free(path: Path) -> str | None:
    """The workbook's content hash; None when it is open in Excel or cannot be read now."""
    if _in_use(path) or not os.access(path, os.R_OK):
        return None
    try:
        return content_hash(path)
    except OSError:
        return None


def _in_use(path: Path) -> bool:
    """Excel leaves an owner file (``~$name.xlsx``) beside a workbook while someone has it open."""
    return discover.owner_file(path) is not None


def _check_all(sources: list[Source], out_dir: Path, settings: Settings,
               past: dict[str, history.PastWorkbook], fingerprint: str, force: bool,
               workers: Workers,
               progress: Callable[[WorkbookResult, int, int], None] | None,
               ) -> tuple[list[WorkbookResult], dict[str, str], set[str], set[str]]:
    results: dict[str, WorkbookResult] = {}
    hashes: dict[str, str] = {}
    reused: set[str] = set()
    stale: set[str] = set()
    to_check: list[Source] = []
    for source in sources:
        problem = _wait_until_free(source.path)
        if problem is None:
            try:
                hashes[source.name] = content_hash(source.path)
            except OSError as exc:
                reason = discover.too_long_for_windows(source.path) or exc.strerror or exc
                problem = f"cannot be read now ({reason})"
        before = past.get(source.name)
        if problem is not None:
            results[source.name] = _kept(source, before, problem, out_dir)
            stale.add(source.name)
            if before is not None:
                hashes[source.name] = before.content_hash
        elif (not force and before is not None and before.content_hash == hashes[source.name]
              and before.fingerprint == fingerprint and _outputs_exist(before.result, source, out_dir)):
            results[source.name] = _with_source(before.result, source, out_dir)
            reused.add(source.name)
        else:
            to_check.append(source)
        if source.name in results and progress is not None:
            progress(results[source.name], len(results), len(sources))
    for result in workers.check([(s, out_dir / ANNOTATED_DIR / s.name) for s in to_check]):
        results[result.source.name] = result
        if progress is not None:
            progress(result, len(results), len(sources))
    return [results[s.name] for s in sources], hashes, reused, stale


def _wait_until_free(path: Path) -> str | None:
    """None once the workbook can be read; else why not, after a few short retries."""
    for attempt in range(IN_USE_RETRIES):
        if not _in_use(path) and os.access(path, os.R_OK):
            return None
        if attempt + 1 < IN_USE_RETRIES:
            time.sleep(IN_USE_WAIT)
    return ("open in Excel by someone (a ~$ owner file is beside it)" if _in_use(path)
            else f"cannot be read ({discover.too_long_for_windows(path) or 'permission denied'})")


def _kept(source: Source, before: history.PastWorkbook | None, problem: str,
          out_dir: Path) -> WorkbookResult:
    if before is None:
        return WorkbookResult(source=source, status="error",
                              message=f"{problem}; not checked, and no earlier results to keep")
    kept = _with_source(before.result, source, out_dir)
    kept.message = f"{problem}; results of the last run kept (stale)"
    return kept


def _with_source(result: WorkbookResult, source: Source, out_dir: Path) -> WorkbookResult:
    return WorkbookResult(source=source, status=result.status, message=result.message,
                          annotated=_annotated(result, source, out_dir), sheets=result.sheets,
                          findings=result.findings, skipped_sheets=result.skipped_sheets)


def _annotated(result: WorkbookResult, source: Source, out_dir: Path) -> Path | None:
    """The annotated copy as this run reaches the folder, however the last run reached it (a
    drive letter or a UNC path): a copy's place in the folder is fixed by its workbook's name."""
    return None if result.annotated is None else out_dir / ANNOTATED_DIR / source.name


def _outputs_exist(result: WorkbookResult, source: Source, out_dir: Path) -> bool:
    copy = _annotated(result, source, out_dir)
    return copy is None or copy.is_file()


def _write_log(out_dir: Path, run_id: int, as_of: dt.date, summary: reuse.Summary,
               warnings: list[dict[str, Any]], changes: Changes, started: dt.datetime,
               note: str | None = None) -> Path:
    lines = [f"sheetsync run {run_id}: started {started:%Y-%m-%d %H:%M:%S}, as of {as_of}",
             *summary.lines, *([note] if note else []),
             f"{len(changes.reused)} reused unchanged, {len(changes.stale)} kept stale, "
             f"{len(changes.new)} new findings, {len(changes.resolved)} resolved",
             *(f"no longer found (its findings are not counted as resolved): {name}"
               for name in changes.removed),
             *(f"warning: {warning['message']}" for warning in warnings),
             f"finished {dt.datetime.now():%Y-%m-%d %H:%M:%S}"]
    return write_text_atomically(out_dir / LOG_DIR / f"run-{run_id:05d}.log", "\n".join(lines) + "\n")
