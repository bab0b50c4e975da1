"""The weekly run's process pool: workbooks are checked in worker processes and, once they
are, the same warm workers write the summary and the owner lists while the main process
writes the reports and the history.

A worker that dies (out of memory, a crash inside a library) costs only what it held: its
workbooks are checked again one at a time, and an output it was writing is written in the
main process instead.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import pickle
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetsync import collector_paused, import_quietly
from sheetsync.files import keep_going
from sheetsync.read.discover import Source
from sheetsync.results import RunResult, Settings, WorkbookResult

if TYPE_CHECKING:
    import concurrent.futures

#: Windows' process pool refuses more workers than this.
WINDOWS_MAX_WORKERS = 61

#: What writes an output set: it is given the run, then its own arguments.
Writer = Callable[..., list[Path]]
Warnings = list[dict[str, Any]]
#: A workbook to check, and where its annotated copy goes.
Task = tuple[Source, Path]
#: No batch holds more workbooks than this (a run's progress is told a batch at a time).
_MOST = 16


def usable_workers(jobs: int) -> int:
    """``jobs``, within what the platform's process pool accepts (61 on Windows)."""
    return min(jobs, WINDOWS_MAX_WORKERS) if sys.platform == "win32" else jobs


class Workers:
    """The run's pool, started when there are workbooks to check and kept until its end."""

    def __init__(self, jobs: int, settings: Settings) -> None:
        self.jobs = usable_workers(jobs)
        self.settings = settings
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._shared: tuple[RunResult, bytes] | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown()

    def check(self, tasks: list[Task]) -> list[WorkbookResult]:
        """Each ``(workbook, annotated copy)`` checked, in the order given."""
        if self.jobs <= 1 or len(tasks) <= 1:
            return [check_steady(source, self.settings, copy) for source, copy in tasks]
        # NOTE: the settings go to each worker once, not with every workbook, and workbooks go
        # in batches: per-task pickling and round trips were a fifth of a 200-workbook run.
        import concurrent.futures
        from concurrent.futures.process import BrokenProcessPool

        self._pool = _pool(self.jobs, self.settings)
        results: dict[str, WorkbookResult] = {}
        batches = [self._pool.submit(_check_batch, batch) for batch in batched(tasks, self.jobs)]
        # NOTE: paused while the workers' findings and records come back (unpickled on the
        # pool's thread as they arrive: tens of thousands of objects, see collector_paused)
        with collector_paused():
            for batch in concurrent.futures.as_completed(batches):
                with contextlib.suppress(BrokenProcessPool):
                    results.update((r.source.name, r) for r in batch.result())
        # A worker that died took its batch with it: those workbooks are checked again, each
        # on its own, so only the culprit is lost.
        return [results.get(source.name) or _check_alone(source, copy, self.settings)
                for source, copy in tasks]

    def write_elsewhere(self, write: Writer, run: RunResult, *args: Any) -> Elsewhere:
        """``write(run, *args)`` started in a worker if the pool is running (else done now, in
        this process); an output someone has open is left as it was, with a warning that
        ``Elsewhere.finish`` hands back."""
        here = functools.partial(_write_here, write, run, *args)
        if self._pool is not None:
            if self._shared is None or self._shared[0] is not run:
                # NOTE: pickled once for every output written elsewhere
                self._shared = (run, pickle.dumps(run, pickle.HIGHEST_PROTOCOL))
            with contextlib.suppress(RuntimeError):  # (a broken pool refuses new work)
                return Elsewhere(here, self._pool.submit(_write_in_worker, write,
                                                         self._shared[1], *args))
        return Elsewhere(here, None)


class Elsewhere:
    """An output set being written in a worker, or already written here."""

    def __init__(self, here: Callable[[], tuple[list[Path], Warnings]],
                 future: concurrent.futures.Future[tuple[list[Path], Warnings] | None] | None,
                 ) -> None:
        self._here, self._future = here, future
        self._done: tuple[list[Path], Warnings] | None = here() if future is None else None

    def finish(self) -> tuple[list[Path], Warnings]:
        """What it wrote, and the outputs it had to leave as they were; if its worker died or
        failed, it is written here instead (so a failure is raised here, as it was there)."""
        if self._done is None:
            from concurrent.futures.process import BrokenProcessPool

            assert self._future is not None
            try:
                self._done = self._future.result()
            except BrokenProcessPool:
                self._done = None
            if self._done is None:
                self._done = self._here()
        return self._done


def _write_here(write: Writer, run: RunResult, *args: Any) -> tuple[list[Path], Warnings]:
    warnings: Warnings = []
    with collector_paused(), keep_going(run.out_dir, warnings):
        return write(run, *args), warnings


def _write_in_worker(write: Writer, shared: bytes,
                     *args: Any) -> tuple[list[Path], Warnings] | None:
    """None if it failed: the main process writes it again and meets the failure itself.

    NOTE: an exception sent back that cannot be rebuilt from its pickle breaks the whole
    pool, killing the other worker in the middle of its own output."""
    try:
        with collector_paused():  # (the run's findings and records, made again here)
            run = pickle.loads(shared)
        return _write_here(write, run, *args)
    except Exception:  # noqa: BLE001
        return None


def batched(tasks: list[Task], jobs: int) -> Iterator[list[Task]]:
    """``tasks`` in batches that shrink as they go: large ones cost fewer round trips, and
    small ones at the end keep one worker from finishing long after the others."""
    start = 0
    while start < len(tasks):
        size = max(1, min(_MOST, (len(tasks) - start) // (2 * jobs)))
        yield tasks[start:start + size]
        start += size


def _pool(jobs: int, settings: Settings) -> concurrent.futures.ProcessPoolExecutor:
    import concurrent.futures

    return concurrent.futures.ProcessPoolExecutor(max_workers=usable_workers(jobs),
                                                  initializer=_worker_settings,
                                                  initargs=(settings,))


def _check_alone(source: Source, destination: Path, settings: Settings) -> WorkbookResult:
    from concurrent.futures.process import BrokenProcessPool

    try:
        with _pool(1, settings) as pool:
            return pool.submit(_check_batch, [(source, destination)]).result()[0]
    except BrokenProcessPool:
        from sheetsync.pipeline import unreadable_result

        return unreadable_result(source, "sheetsync's worker stopped while checking it (out of "
                                         "memory, or a crash inside a library it uses)")


_SETTINGS: list[Settings] = []  #: In a worker process: the run's settings.


def _worker_settings(settings: Settings) -> None:
    _SETTINGS[:] = [settings]
    gc.enable()  # NOTE: as a forked worker, whatever the main process had paused meanwhile
    import_quietly("sheetsync.pipeline")


def _check_batch(tasks: list[tuple[Source, Path]]) -> list[WorkbookResult]:
    return [check_steady(source, _SETTINGS[0], destination) for source, destination in tasks]


def check_steady(source: Source, settings: Settings, destination: Path) -> WorkbookResult:
    """Check a workbook, again if it changed while being read; say so if it keeps changing."""
    # NOTE: imported here: a run that reuses every workbook never loads pandas and pandera.
    safe_process_workbook = import_quietly("sheetsync.pipeline").safe_process_workbook

    for _attempt in range(2):
        before = _stat(source.path)
        result = safe_process_workbook(source, settings, destination)
        if _stat(source.path) == before:
            return result
    result.status, result.message = "error", "the file kept changing while it was being read"
    return result


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_size, status.st_mtime_ns)
