"""``sheetsync run`` over many registers against a bare sequential openpyxl load-and-save.

Generates N registers of R rows (default 200 x 100), then prints: the first run's wall time as a
ratio to loading and saving the same files with openpyxl one after another in one process, and
an unchanged re-run's wall time as a ratio to the first run. Not a test: nothing asserts.

    python benchmarks/run_speed.py [N] [ROWS] [JOBS]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
import xlsxwriter


def make(folder: Path, count: int, rows: int) -> None:
    for number in range(count):
        path = folder / f"Service {number // 20:02d}" / f"register {number:03d}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        book = xlsxwriter.Workbook(str(path))
        ws = book.add_worksheet("Risks")
        ws.write_row(0, 0, [f"Service risk register {number}"])
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


def bare(folder: Path, scratch: Path) -> float:
    start = time.perf_counter()
    for path in sorted(folder.rglob("*.xlsx")):
        openpyxl.load_workbook(path).save(scratch / "saved.xlsx")
    return time.perf_counter() - start


def sheetsync_run(folder: Path, out: Path, jobs: int) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sheetsync", "run", str(folder), "--out", str(out),
                    "--as-of", "2023-03-31", "--jobs", str(jobs)], capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    jobs = int(sys.argv[3]) if len(sys.argv) > 3 else (os.cpu_count() or 1)
    with tempfile.TemporaryDirectory() as tmp:
        folder, out = Path(tmp) / "drive", Path(tmp) / "out"
        make(folder, count, rows)
        baseline = bare(folder, Path(tmp))
        first = sheetsync_run(folder, out, jobs)
        again = sheetsync_run(folder, out, jobs)
    print(f"{count} registers x {rows} rows, {jobs} jobs: openpyxl load+save (sequential) "
          f"{baseline:.1f} s | first run {first:.1f} s (ratio {first / baseline:.2f}) | "
          f"unchanged re-run {again:.1f} s (ratio to first run {again / first:.2f})")


if __name__ == "__main__":
    main()
