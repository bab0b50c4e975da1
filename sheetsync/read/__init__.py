"""Reading: find workbooks, open them safely, find each register's header and read its rows typed.

The flow inside: ``discover`` → ``workbook`` (via ``package``, ``grid``, ``sheetscan``) →
``locate`` → ``rows`` → ``coerce`` (with ``values`` and ``measures``, the readers of what
officers type); ``account`` says in plain words what was read from each sheet (for
``inspect``). Reading knows nothing of rules or writers; it imports only ``settings``.
"""

__all__ = ["account", "coerce", "discover", "grid", "legend", "levels", "locate", "measures", "package",
           "raid", "rows", "scorecard", "values", "workbook"]
