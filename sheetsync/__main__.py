"""``python -m sheetsync``."""

from .cli import main

main()
