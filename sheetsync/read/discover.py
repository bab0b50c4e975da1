"""Find the workbooks under the paths a user gives, skipping lock files and our own outputs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
#: Written into every output folder so a later run over a parent folder skips it.
OUTPUT_MARKER = ".sheetsync-output"


@dataclass(frozen=True, slots=True)
class Source:
    """One workbook to process: where it is and how to name it in reports and outputs."""

    path: Path
    name: str  #: POSIX path relative to the folder given (or the file name).


def find_workbooks(paths: list[Path], exclude: Path | None = None) -> list[Source]:
    """Workbooks under ``paths``: folders are searched recursively, files taken as given.

    Excel's owner files (``~$Book.xlsx``), hidden files, folders holding sheetsync output and
    ``exclude`` (the output folder of this run) are skipped. Order is stable: sorted by name.
    """
    excluded = exclude.resolve() if exclude is not None else None
    found: dict[Path, Source] = {}
    for given in paths:
        if given.is_dir():
            for path in sorted(given.rglob("*")):
                if not path.is_file() or path.suffix.lower() not in WORKBOOK_SUFFIXES:
                    continue
                if _skipped(path, given, excluded):
                    continue
                found.setdefault(path.resolve(), Source(path, path.relative_to(given).as_posix()))
        else:
            found.setdefault(given.resolve(), Source(given, given.name))
    return _unique_names(sorted(found.values(), key=lambda s: s.name))


def is_owner_file(path: Path) -> bool:
    """Excel's ``~$`` owner file, left beside a workbook someone has open."""
    return path.name.startswith("~$")


def _skipped(path: Path, root: Path, excluded: Path | None) -> bool:
    if is_owner_file(path) or path.name.startswith("."):
        return True
    relative_parts = path.relative_to(root).parts[:-1]
    folder = root
    for part in relative_parts:
        folder = folder / part
        if part.startswith(".") or (folder / OUTPUT_MARKER).exists():
            return True
        if excluded is not None and folder.resolve() == excluded:
            return True
    return (root / OUTPUT_MARKER).exists()


def _unique_names(sources: list[Source]) -> list[Source]:
    """Two inputs with the same name (from two folders) get ``name (2).xlsx`` for the second."""
    seen: set[str] = set()
    unique = []
    for source in sources:
        name = source.name
        number = 2
        while name.casefold() in seen:
            stem, dot, suffix = source.name.rpartition(".")
            name = f"{stem} ({number}){dot}{suffix}"
            number += 1
        seen.add(name.casefold())
        unique.append(Source(source.path, name))
    return unique
