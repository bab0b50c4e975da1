"""``python -m sheetsync``."""

from sheetsync.cli import main

main()
