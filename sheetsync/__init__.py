"""sheetsync: check, recalculate and annotate the registers UK councils keep in Excel.

The library can be used without the command line::

    from sheetsync import Settings, validate_paths, write_reports
    run = validate_paths([Path("registers")], Path("checked"), Settings.load())
    write_reports(run)
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import sys
from collections.abc import Iterator
from types import ModuleType
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
        return getattr(import_quietly(f"sheetsync.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'sheetsync' has no attribute {name!r}")


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while sheetsync makes many objects that live on (a
    workbook's cells, a run's findings and records, a report's rows), as it was before.

    NOTE: each collection scans every object made since the last, and the oldest generation
    every object: a run's 24,500 findings and 50,000 records were scanned again and again as
    its reports were made (a tenth of writing them). What little cyclic garbage is made
    meanwhile is collected afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_quietly(name: str) -> ModuleType:
    """``importlib.import_module(name)`` with Python's cycle collector paused, then every
    object alive frozen (kept out of later collections): what the import made, and whatever
    the process already held (a run's history read so far, in a one-job run).

    NOTE: pandas, pandera and openpyxl make hundreds of thousands of objects that live as
    long as the process; the collector scanned them again and again as they were made, a
    sixth of the 0.6 s it takes to import them (before a run's workers check anything).
    """
    if name in sys.modules:
        return sys.modules[name]
    with collector_paused():
        try:
            return importlib.import_module(name)
        finally:
            gc.freeze()
