"""The weekly unattended run: ``job`` runs the pipeline over a shared folder with ``history``
(SQLite) and ``lock`` (one run per output folder), reusing what has not changed.
"""

__all__ = ["job", "lock"]
