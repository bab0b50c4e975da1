"""Every output is written through ``atomic_path``: to a temporary file renamed into place, so
none is ever half-written, and an output that cannot be replaced is said so, not crashed on.

Windows will not replace (or delete) a file someone has open in Excel. ``atomic_path`` tries
again for a few seconds, then raises ``OutputInUse`` naming the file and, where Excel's owner
file says so, who has it open. Inside ``keep_going`` (a run writing its reports) that output
is instead left as it was, with a warning in the scope's list, and the run goes on.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import os
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sheetsync.errors import SheetsyncError
from sheetsync.read.discover import owner_file, owner_user, too_long_for_windows

#: Temporary files start with this; a killed run's leftovers are swept by it.
TEMPORARY_PREFIX = ".sheetsync-tmp-"
#: A locked output is tried this many times, this many seconds apart (tests set the wait to 0).
REPLACE_TRIES, REPLACE_WAIT = 4, 2.0
#: Windows' "in use" errors: ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION.
_IN_USE = {5: "access denied", 32: "open in another program", 33: "part of it is locked"}


class OutputInUse(SheetsyncError):
    """An output that could not be replaced or removed (open in Excel, locked, read-only), or
    not written at all (a path Windows refuses); ``problem`` follows the file's name."""

    def __init__(self, path: Path, problem: str, user: str | None = None) -> None:
        super().__init__(f"{path.name} {problem}")
        self.path, self.problem, self.user = path, problem, user


@dataclass(frozen=True, slots=True)
class _Scope:
    base: Path
    warnings: list[dict[str, Any]]


_SCOPE: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar("sheetsync_outputs",
                                                                      default=None)


@contextlib.contextmanager
def keep_going(base: Path, warnings: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Within: an output under ``base`` that cannot be replaced or removed is left as it was
    and ``{"file": <path under base>, "message": ..., ["open_by": <user>]}`` is appended to
    ``warnings``, instead of OutputInUse being raised."""
    token = _SCOPE.set(_Scope(base, warnings))
    try:
        yield warnings
    finally:
        _SCOPE.reset(token)


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``; on success it replaces ``path`` in one rename."""
    reason = too_long_for_windows(path)
    if reason is not None:
        raise OutputInUse(path, f"was not written: {reason}")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=TEMPORARY_PREFIX, suffix=path.suffix)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        # NOTE: mkstemp makes files only their owner can read; colleagues on a shared drive
        # must be able to open the outputs, so they get the usual permissions.
        os.chmod(temporary, 0o666 & ~_umask())
        try:
            _retry(os.replace, temporary, path)
        except OutputInUse as exc:
            if not _left_as_it_was(exc):
                raise
    finally:
        temporary.unlink(missing_ok=True)


def write_text_atomically(path: Path, text: str, encoding: str = "utf-8") -> Path:
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding=encoding, newline="")
    return path


def remove_output(path: Path) -> bool:
    """Delete an output that is no longer current; False if it had to be left (in use)."""
    try:
        _retry(_unlink, path)
    except OutputInUse as exc:
        if not _left_as_it_was(exc):
            raise
        return False
    return True


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


def _retry(operation: Any, *paths: Path) -> None:
    target = paths[-1]
    for attempt in range(REPLACE_TRIES):
        try:
            operation(*paths)
            return
        except PermissionError as exc:
            error = exc
        if attempt + 1 < REPLACE_TRIES:
            time.sleep(REPLACE_WAIT)
    owner = owner_file(target)
    user = owner_user(owner) if owner is not None else None
    code = getattr(error, "winerror", None)
    reason = _IN_USE.get(code or 0) or error.strerror or "permission denied"
    who = (f"it is open in Excel by {user}: ask them to close it" if user else
           f"it could not be replaced ({reason}): ask whoever has it open, in Excel most "
           "likely, to close it")
    raise OutputInUse(target, f"was left as it was ({who}; the next run will replace it)", user)


def _left_as_it_was(exc: OutputInUse) -> bool:
    """Record ``exc`` as a warning of the current ``keep_going`` scope; False if none."""
    scope = _SCOPE.get()
    if scope is None:
        return False
    name = str(exc.path)
    for path, base in ((exc.path, scope.base), (exc.path.resolve(), scope.base.resolve())):
        if path.is_relative_to(base):
            name = path.relative_to(base).as_posix()
            break
    warning: dict[str, Any] = {"file": name, "message": f"{name} {exc.problem}"}
    if exc.user:
        warning["open_by"] = exc.user
    scope.warnings.append(warning)
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def content_hash(path: Path) -> str:
    """SHA-256 of a file's bytes: what the weekly run compares to know an input or an output
    is unchanged.

    NOTE: ``hashlib.file_digest`` reads into one buffer it reuses; a fresh megabyte per read
    made hashing an unchanged re-run's 221 outputs (18 MB) 23 ms, not 19."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def bytes_hash(*pieces: bytes | memoryview) -> str:
    """``content_hash`` of a file of these bytes (in order), from them, not read back."""
    digest = hashlib.sha256()
    for piece in pieces:
        digest.update(piece)
    return digest.hexdigest()


def in_chunks(pieces: Iterable[bytes], size: int = 1 << 20) -> Iterator[bytes]:
    """Pieces joined into chunks of about ``size`` bytes, the last one perhaps empty (a zip
    stream costs as much per write as per byte, and an output's XML comes a row at a time)."""
    chunk: list[bytes] = []
    length = 0
    for piece in pieces:
        chunk.append(piece)
        length += len(piece)
        if length >= size:
            yield b"".join(chunk)
            chunk, length = [], 0
    yield b"".join(chunk)


def deflated(info: zipfile.ZipInfo, level: int = 1) -> zipfile.ZipInfo:
    """``info``, to be deflated at ``level`` when written through ``ZipFile.open``."""
    info.compress_type = zipfile.ZIP_DEFLATED
    # NOTE: ZipFile.open has no level argument; the attribute is private before Python 3.13
    setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", level)
    return info
