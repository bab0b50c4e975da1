"""What each writer keeps of workbooks Excel saved, and whether every loss is reported.

For each workbook of ../shared/corpus/excel-made/, a register sheet is added at the zip level
(touching nothing else), the workbook is validated, and the annotated copy is compared with the
original part by part, once with the patching writer (the default) and once with the openpyxl
writer (the fallback for signed and Strict packages). Prints, for each writer: workbooks whose
original parts are all still there and, apart from the register sheet and the four package
parts a writer must change, byte-identical; workbooks with a kind of part lost; and losses that
went unreported.

    python benchmarks/corpus_fidelity.py [CORPUS_DIR]
"""

from __future__ import annotations

import re
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from zipsheet import add_register_sheet

import sheetsync.copying
from sheetsync.pipeline import validate_paths
from sheetsync.results import Settings

ROWS = [["Ref", "Risk", "Owner", "Likelihood", "Impact"], ["R1", "Budget", "CFO", 9, 2]]
PACKAGE_PARTS = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                 "xl/styles.xml"}


def kinds(path: Path) -> Counter[str]:
    with zipfile.ZipFile(path) as package:
        types = package.read("[Content_Types].xml").decode("utf-8")
        names = [n for n in package.namelist() if not n.endswith("/")]
    defaults = dict(re.findall(r'Extension="([^"]+)" ContentType="([^"]+)"', types))
    overrides = dict(re.findall(r'PartName="/([^"]+)" ContentType="([^"]+)"', types))
    return Counter(t for n in names if not re.search(
        r"calcChain|sharedStrings|relationships|Content_Types",
        t := overrides.get(n) or defaults.get(n.rsplit(".", 1)[-1], n)))


def untouched_parts_identical(original: Path, written: Path) -> bool:
    """Every part of ``original`` is in ``written``, byte for byte, but the ones a writer must
    change: the register sheet (the last worksheet) and the package parts."""
    with zipfile.ZipFile(original) as a, zipfile.ZipFile(written) as b:
        names = set(b.namelist())
        sheets = [n for n in a.namelist() if re.match(r"xl/worksheets/sheet\d+\.xml$", n)]
        register = max(sheets, key=lambda n: int(re.findall(r"\d+", n)[0]))
        return all(n in names and (n in PACKAGE_PARTS or n == register or a.read(n) == b.read(n))
                   for n in a.namelist())


def measure(files: list[Path], tmp: Path, label: str) -> None:
    settings = Settings.load()
    intact = lost_kind = unreported = failed = 0
    silent: list[str] = []
    for number, source in enumerate(files):
        workbook = add_register_sheet(source, tmp / label / f"in{number}" / source.name, ROWS)
        run = validate_paths([workbook], tmp / label / f"out{number}", settings)
        result = run.workbooks[0]
        if result.annotated is None:
            failed += 1
            silent.append(f"{source.name}: {result.status} {result.message}")
            continue
        intact += untouched_parts_identical(workbook, result.annotated)
        before, after = kinds(workbook), kinds(result.annotated)
        lost = [t for t, c in before.items() if after[t] < c]
        reported = any(f.rule == "WB02" for f in result.findings)
        lost_kind += bool(lost)
        if lost and not reported:
            unreported += 1
            silent.append(f"{source.name}: lost {lost}")
    print(f"{label:>9} writer: untouched parts all byte-identical {intact}/{len(files)} | "
          f"a kind of part lost {lost_kind} (not reported {unreported}) | not annotated {failed}")
    for line in silent:
        print("  ", line)


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else (
        Path(__file__).resolve().parents[2] / "shared" / "corpus" / "excel-made")
    files = sorted(p for p in corpus.iterdir() if p.suffix in (".xlsx", ".xlsm"))
    with tempfile.TemporaryDirectory() as tmp:
        measure(files, Path(tmp), "patching")
        with mock.patch.object(sheetsync.copying, "unpatchable_reason",
                               lambda *_: "measured with the openpyxl writer"):
            measure(files, Path(tmp), "openpyxl")


if __name__ == "__main__":
    main()
