"""Rules: recompute derived columns and check each register, turning every failure into a finding.

``derive`` recomputes scores, ratings, ages and KPI status (with ``performance``); ``checks``
builds the pandera checks the schema files name and ``validate`` runs them; ``finance`` checks
financial tables; ``scorecard`` checks periods-as-rows scorecards. ``columns`` hands a checked
frame's columns to the checks, records and annotations, each taken out of pandas once.
Rules read from ``settings`` and ``read``, never from the writers or reports.
"""

__all__ = ["columns", "derive", "finance", "governance", "performance", "raid", "scorecard", "validate"]
