"""Reporting: what a run's results become for people — exception reports, tidy records, the
quarterly summary workbook, owner lists, reminders to owners and blank templates.

Reporters only read results; they never check. ``reports`` (exceptions and records files),
``changes`` (what changed since the last run, and a run's summary lines: apart, so that an
unchanged re-run need not import the writers), ``settle`` (an unchanged re-run's exceptions
files made as a rebuild writes them), ``records`` and ``record_fields`` (tidy rows),
``summary`` with ``summary_data`` (the committee workbook; ``summary_cells``,
``summary_governance`` and ``bulkrows`` write it), ``governance`` (escalations, trends, exempt
risks), ``owners``, ``reminders`` (each owner's email message), ``templates``, ``quarters``,
``inspect`` (what was read from each sheet, for ``sheetsync inspect``).
"""

__all__ = ["changes", "governance", "inspect", "owners", "quarters", "record_fields", "records",
           "reminders", "reports", "settle", "summary", "summary_data", "templates"]
