"""Wall time and peak memory of ``sheetsync validate`` against a bare openpyxl load-and-save.

Generates a risk register of N rows (a few planted problems every 100 rows; with ``--heavy``,
the finding-heavy register of a first check: a product formula such as ``=E5*F5`` in every score
cell, never calculated, and the residual score above the inherent one on about half the rows),
then runs, each in its own process so peak memory is its own: (a) openpyxl load_workbook + save of the file,
(b) the ``sheetsync validate`` command on it, as an officer runs it, and (c) the same with the
openpyxl writer (the fallback for signed packages) in place of the patching writer. Prints them
and the ratio of (b) to (a). Peak memory is each process's own, from ``os.wait4`` (Unix).
Not a test: nothing asserts. ``--repeat K`` runs each pair K times (the ratios of a busy
machine vary); ``--no-fallback`` leaves out (c).
sheetsync's bytecode is compiled first, as ``pip install .`` compiles it (installed.py).

    python benchmarks/validate_speed.py [--heavy] [--repeat K] [--no-fallback] [ROWS ...]
    (default: 500 50000)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import xlsxwriter
from installed import compile_sheetsync

BARE = """
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
wb.save(sys.argv[2])
"""
#: ``sheetsync validate`` as the command runs it, with the openpyxl writer (the fallback for
#: signed packages) in place of the patching writer.
FALLBACK = """
import sys
import sheetsync.copying
sheetsync.copying.unpatchable_reason = lambda *_: "measured"
from sheetsync.cli import console
sys.argv[0] = "sheetsync"
console()
"""


def make_register(path: Path, rows: int, heavy: bool = False) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("Risk Register")
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, ["Corporate risk register"])
    header = ["Ref", "Risk description", "Risk owner", "Directorate", "Inherent likelihood",
              "Inherent impact", "Inherent score", "Controls", "Residual likelihood",
              "Residual impact", "Residual score", "Residual rating", "Review date"]
    ws.write_row(2, 0, header)
    for n in range(rows):
        r = n + 3
        il, ii = 1 + n % 5, 1 + (n // 5) % 5
        rl, ri = max(1, il - 1), max(1, ii - 1)
        if heavy and n % 2:  # residual above inherent (RR07), unless inherent is 5 x 5
            rl, ri = min(5, il + 1), min(5, ii + 1)
        score = rl * ri
        rating = "Green" if score < 5 else "Amber" if score < 15 else "Red"
        ws.write_row(r, 0, [f"R{n + 1}", f"Risk number {n + 1} to service delivery",
                            f"Officer {n % 40}", f"Directorate {n % 7}", il, ii, il * ii,
                            "Controls documented", rl, ri, score])
        if heavy:  # xlsxwriter stores no result and asks Excel to calculate on opening
            ws.write_formula(r, 6, f"=E{r + 1}*F{r + 1}")
            ws.write_formula(r, 10, f"=I{r + 1}*J{r + 1}")
        ws.write_string(r, 11, "Red" if n % 100 == 7 else rating)
        ws.write_datetime(r, 12, dt.datetime(2023, 1, 1) + dt.timedelta(days=n % 60), date)
    book.close()


def timed(command: list[str], codes: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Wall time and peak memory (MiB) of ``command``, run in a process of its own (the peak
    is the process's own: ``os.wait4`` gives that child's resource usage, Unix only)."""
    with tempfile.TemporaryFile() as errors:  # (a pipe left unread could fill and block it)
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in codes:
            errors.seek(0)
            raise SystemExit(f"{command[:4]} failed ({code}): {errors.read().decode()[-500:]}")
    return elapsed, usage.ru_maxrss / 1024


def sheetsync_validate(source: Path, out: Path, *, writer: str = "patching") -> list[str]:
    """The command line of ``sheetsync validate`` (exit 1: findings, as expected here)."""
    start = [sys.executable, "-m", "sheetsync"] if writer == "patching" else [
        sys.executable, "-c", FALLBACK]
    return [*start, "validate", str(source), "--out", str(out), "--as-of", "2023-03-31"]


def main() -> None:
    args = sys.argv[1:]
    heavy = "--heavy" in args
    fallback = "--no-fallback" not in args
    repeat = int(args[args.index("--repeat") + 1]) if "--repeat" in args else 1
    sizes = [int(a) for i, a in enumerate(args)
             if a.isdigit() and (i == 0 or args[i - 1] != "--repeat")] or [500, 50000]
    compile_sheetsync()
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sizes:
            source = Path(tmp) / f"register-{rows}.xlsx"
            make_register(source, rows, heavy)
            for _ in range(repeat):
                bare_time, bare_mib = timed([sys.executable, "-c", BARE, str(source),
                                             str(Path(tmp) / "saved.xlsx")])
                ours_time, ours_mib = timed(sheetsync_validate(source, Path(tmp) / f"out-{rows}"),
                                            codes=(0, 1))
                old = ""
                if fallback:
                    old_time, _ = timed(sheetsync_validate(source, Path(tmp) / f"old-{rows}",
                                                           writer="openpyxl"), codes=(0, 1))
                    old = f" | with the openpyxl writer {old_time:6.2f} s"
                findings = json.loads((Path(tmp) / f"out-{rows}" / "exceptions.json").read_text())
                print(f"{rows:>6} rows{' (heavy)' if heavy else ''}: openpyxl load+save "
                      f"{bare_time:6.2f} s {bare_mib:6.0f} MiB | "
                      f"sheetsync validate {ours_time:6.2f} s {ours_mib:6.0f} MiB | "
                      f"ratio time {ours_time / bare_time:4.2f}x memory {ours_mib / bare_mib:4.2f}x | "
                      f"{len(findings['findings'])} findings{old}", flush=True)


if __name__ == "__main__":
    main()
