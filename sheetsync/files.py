"""Write every output through a temporary file renamed into place, so none is ever half-written."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``; on success it replaces ``path`` in one rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=".sheetsync-", suffix=path.suffix)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        # NOTE: mkstemp makes files only their owner can read; colleagues on a shared drive
        # must be able to open the outputs, so they get the usual permissions.
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_text_atomically(path: Path, text: str, encoding: str = "utf-8") -> Path:
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding=encoding, newline="")
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
