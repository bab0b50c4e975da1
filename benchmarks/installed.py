"""sheetsync as ``pip install .`` leaves it, for the speed benchmarks: its bytecode compiled.

pip compiles a package's modules when it installs it, as it compiled openpyxl's; a source
checkout run where bytecode is never written (``PYTHONDONTWRITEBYTECODE``, a read-only tree)
compiles every module on every run instead, a cost users do not pay. Compiled here once, before
anything is timed, so each side is measured as installed.
"""

from __future__ import annotations

import compileall
from pathlib import Path

import sheetsync


def compile_sheetsync() -> None:
    """Write the bytecode of sheetsync's modules beside them (``__pycache__``, git-ignored)."""
    compileall.compile_dir(Path(sheetsync.__file__).parent, quiet=1)
