"""Settings: what every stage reads — the organisation's settings file and the schema files.

Public modules: ``config`` (matrix, bands, vocabularies, header names), ``schemas`` (register
kinds from ``schemas/*.yaml``), ``finance_spec`` (``financial_table.yaml``), ``governance``
(risk appetite, escalation, exempt risks) and ``catalogue`` (the rule list). Nothing here
imports another sheetsync package.
"""

__all__ = ["catalogue", "config", "finance_spec", "governance", "schemas"]
