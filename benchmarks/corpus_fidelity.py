"""What the openpyxl writer keeps of workbooks Excel saved, and whether every loss is reported.

For each workbook of ../shared/corpus/excel-made/, a register sheet is added at the zip level
(touching nothing else), the workbook is validated, and the annotated copy is compared with the
original part by part. Prints: workbooks whose parts all survive byte for byte (none can, with
openpyxl), workbooks with a part kind lost, and workbooks where a loss went unreported.

    python benchmarks/corpus_fidelity.py [CORPUS_DIR]
"""

from __future__ import annotations

import re
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from zipsheet import add_register_sheet

from sheetsync.pipeline import Settings, validate_paths

ROWS = [["Ref", "Risk", "Owner", "Likelihood", "Impact"], ["R1", "Budget", "CFO", 9, 2]]


def kinds(path: Path) -> Counter[str]:
    with zipfile.ZipFile(path) as package:
        types = package.read("[Content_Types].xml").decode("utf-8")
        names = [n for n in package.namelist() if not n.endswith("/")]
    defaults = dict(re.findall(r'Extension="([^"]+)" ContentType="([^"]+)"', types))
    overrides = dict(re.findall(r'PartName="/([^"]+)" ContentType="([^"]+)"', types))
    return Counter(t for n in names if not re.search(
        r"calcChain|sharedStrings|relationships|Content_Types",
        t := overrides.get(n) or defaults.get(n.rsplit(".", 1)[-1], n)))


def identical_parts(original: Path, written: Path) -> bool:
    with zipfile.ZipFile(original) as a, zipfile.ZipFile(written) as b:
        names = set(b.namelist())
        return all(n in names and a.read(n) == b.read(n) for n in a.namelist())


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else (
        Path(__file__).resolve().parents[2] / "shared" / "corpus" / "excel-made")
    files = sorted(p for p in corpus.iterdir() if p.suffix in (".xlsx", ".xlsm"))
    settings = Settings.load()
    intact = lost_kind = unreported = failed = 0
    silent: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for number, source in enumerate(files):
            workbook = add_register_sheet(source, Path(tmp) / f"in{number}" / source.name, ROWS)
            run = validate_paths([workbook], Path(tmp) / f"out{number}", settings)
            result = run.workbooks[0]
            if result.annotated is None:
                failed += 1
                silent.append(f"{source.name}: {result.status} {result.message}")
                continue
            intact += identical_parts(workbook, result.annotated)
            before, after = kinds(workbook), kinds(result.annotated)
            lost = [t for t, c in before.items() if after[t] < c]
            reported = any(f.rule == "WB02" for f in result.findings)
            lost_kind += bool(lost)
            if lost and not reported:
                unreported += 1
                silent.append(f"{source.name}: lost {lost}")
    print(f"workbooks: {len(files)}")
    print(f"every original part byte-identical (openpyxl writer): {intact}")
    print(f"a kind of part lost: {lost_kind}; of those not reported: {unreported}")
    print(f"not annotated: {failed}")
    for line in silent:
        print("  ", line)


if __name__ == "__main__":
    main()
