"""One run at a time per output folder: an operating-system lock (``filelock``) and a note of who
holds it.

The lock is the operating system's own (``msvcrt.locking`` on Windows, ``flock`` elsewhere;
Windows honours it across a shared drive), so it goes with the process that held it: a run
that died (console closed, task stopped, reboot) leaves nothing that blocks the next one, and
nothing here needs to ask whether a process is alive (``os.kill(pid, 0)`` means Ctrl+C on
Windows). Beside the lock, the holder writes who it is, for the message a second run gives.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import filelock

from sheetsync.errors import SheetsyncError
from sheetsync.files import OutputInUse, write_text_atomically

LOCK_FILE = ".sheetsync.weekly.lock"
#: Who holds the lock (host, process, start time), for a second run's message. (Not the lock
#: itself: on Windows a locked file's bytes cannot be read by anyone else.)
HOLDER_FILE = ".sheetsync.weekly.holder"


class RunInProgress(SheetsyncError):
    """Another run (or program) holds the output folder: try again later (exit 3)."""


@contextlib.contextmanager
def run_lock(out_dir: Path) -> Iterator[None]:
    """Hold ``out_dir``'s lock for the duration; raise RunInProgress if another run holds it."""
    lock = filelock.FileLock(out_dir / LOCK_FILE, timeout=0, thread_local=False)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise RunInProgress(f"another sheetsync run is using {out_dir} "
                            f"({describe_holder(out_dir)}); try again later") from None
    mine = {"pid": os.getpid(), "host": socket.gethostname(),
            "started": dt.datetime.now().isoformat(timespec="seconds")}
    try:
        # NOTE: a note left by a run that died is simply replaced: the lock is what counts
        # (and a note that cannot be written only makes a second run's message vaguer).
        with contextlib.suppress(OSError, OutputInUse):
            write_text_atomically(out_dir / HOLDER_FILE, json.dumps(mine) + "\n")
        yield
    finally:
        if _read(out_dir / HOLDER_FILE) == mine:
            with contextlib.suppress(OSError):
                (out_dir / HOLDER_FILE).unlink()
        lock.release()


def describe_holder(out_dir: Path) -> str:
    """``process 123 on PC-42, started 2026-11-30T06:00:01``, or why that is not known."""
    holder = _read(out_dir / HOLDER_FILE)
    if holder is None:
        return "who holds it is not recorded yet"
    return (f"process {holder.get('pid')} on {holder.get('host')}, "
            f"started {holder.get('started')}")


def _read(path: Path) -> dict[str, object] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
