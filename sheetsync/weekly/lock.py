"""One run at a time per output folder: a lock file that a dead run's successor can take over."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

from sheetsync.errors import SheetsyncError

LOCK_FILE = ".sheetsync.weekly.lock"
#: A lock left by a run on another computer counts as abandoned after this long.
FOREIGN_LOCK_HOURS = 12


class RunInProgress(SheetsyncError):
    """Another run holds the output folder."""


@contextlib.contextmanager
def run_lock(out_dir: Path) -> Iterator[None]:
    """Hold ``out_dir``'s lock for the duration; raise RunInProgress if a live run holds it."""
    path = out_dir / LOCK_FILE
    mine = {"pid": os.getpid(), "host": socket.gethostname(),
            "started": dt.datetime.now().isoformat(timespec="seconds")}
    for _attempt in range(2):
        try:
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _read(path)
            if holder is not None and _alive(holder):
                raise RunInProgress(
                    f"another sheetsync run is using {out_dir} (process {holder.get('pid')} on "
                    f"{holder.get('host')}, started {holder.get('started')}); try again later"
                ) from None
            path.unlink(missing_ok=True)  # NOTE: left by a run that died: take it over
            continue
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(mine, handle)
        break
    else:
        raise RunInProgress(f"could not take the lock in {out_dir}; try again later")
    try:
        yield
    finally:
        if _read(path) == mine:
            path.unlink(missing_ok=True)


def _read(path: Path) -> dict[str, object] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _alive(holder: dict[str, object]) -> bool:
    if holder.get("host") == socket.gethostname():
        try:
            os.kill(int(str(holder.get("pid"))), 0)
        except ProcessLookupError:
            return False
        except (PermissionError, ValueError, OverflowError):
            return True
        return True
    try:
        started = dt.datetime.fromisoformat(str(holder.get("started")))
    except ValueError:
        return False
    return dt.datetime.now() - started < dt.timedelta(hours=FOREIGN_LOCK_HOURS)
