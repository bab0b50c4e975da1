"""``python -m sheetsync``."""

from sheetsync.cli import console

console()
