"""Program problems (as opposed to data problems, which are findings): raised, shown, exit 2."""

from __future__ import annotations

from pathlib import Path


class SheetsyncError(Exception):
    """A problem that stops the run: a broken schema or config file, a bad option."""


class ConfigError(SheetsyncError):
    """A schema or configuration file with a mistake; names the file and what is wrong."""

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = str(path)
        self.problem = problem


class WorkbookUnreadable(Exception):
    """A workbook that cannot be opened; ``reason`` is one line in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
