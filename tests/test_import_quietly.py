"""Heavy modules are imported with the cycle collector paused, and it is left as it was."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import gc, sys, sheetsync
gc.disable() if sys.argv[1] == "off" else None
module = sheetsync.import_quietly("sheetsync.pipeline")
print(module.__name__, "pandas" in sys.modules, gc.isenabled(), gc.get_freeze_count() > 10000)
print(sheetsync.import_quietly("sheetsync.pipeline") is module)
"""


def test_the_collector_is_left_as_it_was_and_the_import_frozen() -> None:
    for state, enabled in (("on", "True"), ("off", "False")):
        out = subprocess.run([sys.executable, "-c", SCRIPT, state], capture_output=True,
                             text=True, check=True).stdout.split("\n")
        assert out[:2] == [f"sheetsync.pipeline True {enabled} True", "True"]
