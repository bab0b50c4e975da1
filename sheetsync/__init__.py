"""sheetsync: check, recalculate and annotate the registers UK councils keep in Excel.

The library can be used without the command line::

    from sheetsync import Settings, validate_paths, write_reports
    run = validate_paths([Path("registers")], Path("checked"), Settings.load())
    write_reports(run)
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# NOTE: loaded on first use, so ``sheetsync --help`` does not wait for pandas and pandera.
_EXPORTS = {
    "Finding": "findings", "Severity": "findings", "RunResult": "results",
    "Settings": "results", "validate_paths": "pipeline", "write_reports": "report.reports",
}
__all__ = ["Finding", "RunResult", "Settings", "Severity", "__version__", "validate_paths",
           "write_reports"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"sheetsync.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'sheetsync' has no attribute {name!r}")
