"""The weekly unattended run: ``job`` runs the pipeline over a shared folder with ``history``
(SQLite; also what ``sheetsync history`` and ``summary --history`` read) and ``lock`` (one run
per output folder), reusing what has not changed (``reuse``); ``mail`` sends each owner their
reminder once the run is recorded.
"""

__all__ = ["history", "job", "lock", "mail"]
