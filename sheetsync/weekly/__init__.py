"""The weekly unattended run: ``job`` runs the pipeline over a shared folder with ``history``
(SQLite) and ``lock`` (one run per output folder), reusing what has not changed; ``mail``
sends each owner their reminder once the run is recorded.
"""

__all__ = ["job", "lock", "mail"]
