"""Settings: what every stage reads — the organisation's settings file and the schema files.

Public modules: ``config`` (matrix, bands, vocabularies, header names), ``schemas`` (register
kinds from ``schemas/*.yaml``), ``finance_spec`` (``financial_table.yaml``), ``catalogue``
(the rule list) and ``email`` (the ``email:`` section: reminders to owners). Nothing here
imports another sheetsync package.
"""

__all__ = ["catalogue", "config", "email", "finance_spec", "scales", "schemas"]
