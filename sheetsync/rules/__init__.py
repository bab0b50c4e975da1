"""Rules: recompute derived columns and check each register, turning every failure into a finding.

``derive`` recomputes scores, ratings, ages and KPI status (with ``performance``); ``checks``
builds the pandera checks the schema files name and ``validate`` runs them; ``finance`` checks
financial tables; ``scorecard`` checks periods-as-rows scorecards.
Rules read from ``settings`` and ``read``, never from the writers or reports.
"""

__all__ = ["derive", "finance", "governance", "performance", "raid", "scorecard", "validate"]
