"""``sheetsync run`` over many registers against a bare sequential openpyxl load-and-save.

Generates N registers of R rows (default 200 x 100; with ``--heavy``, registers as a first check
of a folder finds them: a product formula such as ``=D4*E4`` in every score cell, never
calculated, and the residual score above the inherent one on about half the rows), then prints:
the first run's wall time as a ratio to loading and saving the same files with openpyxl one
after another in one process, and an unchanged re-run's wall time as a ratio to the first run
(the first unchanged re-run settles the "new" flags of exceptions.* where they stand, its
findings no longer new; the next one reuses everything as it is). Not a test: nothing
asserts. ``--repeat K`` measures it all K times.
sheetsync's bytecode is compiled first, as ``pip install .`` compiles it (installed.py).

    python benchmarks/run_speed.py [--heavy] [--repeat K] [N] [ROWS] [JOBS]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter
from installed import compile_sheetsync


def _register(folder: Path, number: int) -> tuple[xlsxwriter.Workbook, Any]:
    """Register ``number``'s workbook in its service's folder, its sheet titled."""
    path = folder / f"Service {number // 20:02d}" / f"register {number:03d}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Risks")
    ws.write_row(0, 0, [f"Service risk register {number}"])
    return book, ws


def make(folder: Path, count: int, rows: int) -> None:
    for number in range(count):
        book, ws = _register(folder, number)
        ws.write_row(2, 0, ["Ref", "Risk", "Owner", "Likelihood", "Impact", "Score", "Rating",
                            "Review date"])
        for row in range(rows):
            likelihood, impact = 1 + row % 5, 1 + (row // 5) % 5
            score = likelihood * impact
            rating = "Green" if score < 5 else "Amber" if score < 15 else "Red"
            ws.write_row(3 + row, 0, [f"R{row + 1}", f"Risk {row}", f"Officer {row % 9}",
                                      likelihood, impact, score if row % 37 else score + 1, rating,
                                      "01/03/2023"])
        book.close()


def make_heavy(folder: Path, count: int, rows: int) -> None:
    for number in range(count):
        book, ws = _register(folder, number)
        ws.write_row(2, 0, ["Ref", "Risk", "Owner", "Inherent likelihood", "Inherent impact",
                            "Inherent score", "Residual likelihood", "Residual impact",
                            "Residual score", "Residual rating", "Review date"])
        for row in range(rows):
            r = 4 + row  # the Excel row
            il, ii = 1 + row % 5, 1 + (row // 5) % 5
            rl, ri = max(1, il - 1), max(1, ii - 1)
            if row % 2:  # residual above inherent (RR07), unless inherent is 5 x 5
                rl, ri = min(5, il + 1), min(5, ii + 1)
            score = rl * ri
            rating = "Green" if score < 5 else "Amber" if score < 15 else "Red"
            ws.write_row(r - 1, 0, [f"R{row + 1}", f"Risk {row}", f"Officer {row % 9}", il, ii])
            # NOTE: xlsxwriter stores no result and asks Excel to calculate on opening
            ws.write_formula(r - 1, 5, f"=D{r}*E{r}")
            ws.write_row(r - 1, 6, [rl, ri])
            ws.write_formula(r - 1, 8, f"=G{r}*H{r}")
            ws.write_row(r - 1, 9, [rating, "01/03/2023"])
        book.close()


def bare(folder: Path, scratch: Path) -> float:
    start = time.perf_counter()
    for path in sorted(folder.rglob("*.xlsx")):
        openpyxl.load_workbook(path).save(scratch / "saved.xlsx")
    return time.perf_counter() - start


def sheetsync_run(folder: Path, out: Path, jobs: int) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sheetsync", "run", str(folder), "--out",
                           str(out), "--as-of", "2023-03-31", "--jobs", str(jobs)],
                          capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):  # (1: findings, as expected here; else it failed)
        raise SystemExit(f"sheetsync run failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


def main() -> None:
    args = sys.argv[1:]
    heavy = "--heavy" in args
    repeat = int(args[args.index("--repeat") + 1]) if "--repeat" in args else 1
    numbers = [int(a) for i, a in enumerate(args)
               if a.isdigit() and (i == 0 or args[i - 1] != "--repeat")]
    count = numbers[0] if len(numbers) > 0 else 200
    rows = numbers[1] if len(numbers) > 1 else 100
    jobs = numbers[2] if len(numbers) > 2 else (os.cpu_count() or 1)
    compile_sheetsync()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "drive"
        (make_heavy if heavy else make)(folder, count, rows)
        for attempt in range(repeat):
            out = Path(tmp) / f"out-{attempt}"
            baseline = bare(folder, Path(tmp))
            first = sheetsync_run(folder, out, jobs)
            again = sheetsync_run(folder, out, jobs)
            third = sheetsync_run(folder, out, jobs)
            print(f"{count} registers x {rows} rows{' (heavy)' if heavy else ''}, {jobs} jobs: "
                  f"openpyxl load+save (sequential) {baseline:.2f} s | first run {first:.2f} s "
                  f"(ratio {first / baseline:.2f}) | unchanged re-run {again:.3f} s "
                  f"(ratio to first run {again / first:.3f}); the next {third:.3f} s "
                  f"({third / first:.3f})", flush=True)


if __name__ == "__main__":
    main()
