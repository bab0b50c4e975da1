"""Settings: what every stage reads — the organisation's settings file and the schema files.

Public modules: ``config`` (matrix, bands, vocabularies, header names), ``schemas`` (register
kinds from ``schemas/*.yaml``), ``finance_spec`` (``financial_table.yaml``), ``catalogue``
(the rule list), ``scales`` (likelihood and impact scales, bands and score methods), ``email``
(the ``email:`` section: reminders to owners) and ``governance`` (risk appetite, escalation,
exempt risks). Nothing here imports another sheetsync package.
"""

__all__ = ["catalogue", "config", "email", "finance_spec", "governance", "scales", "schemas"]
