"""Reading: find workbooks, open them safely, find each register's header and read its rows typed.

The flow inside: ``discover`` → ``workbook`` (via ``package``, ``grid``, ``sheetscan``) →
``locate`` → ``rows`` → ``coerce`` (with ``values`` and ``measures``, the readers of what
officers type). Reading knows nothing of rules or writers; it imports only ``settings``.
"""

__all__ = ["coerce", "discover", "grid", "levels", "locate", "measures", "package", "rows", "scorecard",
           "values", "workbook"]
