"""Say what the openpyxl writer cannot keep of a workbook, so no loss is ever silent.

Measured on workbooks Excel saved (see the corpus README in the shared reference): an openpyxl
load-and-save drops shapes and text boxes, header/footer and background pictures, pictures in
cells, form controls, slicers, timelines, sparklines and other Excel extensions, dynamic-array
metadata, threaded comments, printer settings, and some pictures (EMF/WMF). Charts survive in
part. This module looks for each in the original package and compares the parts after saving.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

# (what to look for in the original package, how an officer would name the thing lost)
_PART_FEATURES: tuple[tuple[str, str], ...] = (
    (r"^xl/richData/", "pictures placed in cells"),
    (r"^xl/metadata\.xml$", "dynamic-array formula metadata"),
    (r"^xl/ctrlProps/", "form controls (buttons, check boxes)"),
    (r"^xl/slicers/|^xl/slicerCaches/", "slicers"),
    (r"^xl/timelines/|^xl/timelineCaches/", "timelines"),
    (r"^xl/threadedComments/", "threaded comments (kept only as plain notes)"),
    (r"^xl/printerSettings/", "printer settings"),
    (r"^xl/persons/", "comment authors of threaded comments"),
    (r"^customXml/", "custom XML data"),
    (r"^xl/webextensions/", "Office add-ins"),
    (r"\.(emf|wmf)$", "EMF/WMF pictures"),
)
_SHEET_FEATURES: tuple[tuple[bytes, str], ...] = (
    (b"<legacyDrawingHF", "pictures in headers or footers"),
    (b"<picture ", "a background picture"),
    (b"x14:sparklineGroups", "sparklines"),
    (b"x14:dataValidation", "drop-down lists that refer to other sheets (Excel extension)"),
    (b"x14:conditionalFormatting", "conditional formats using Excel 2010 extensions"),
)
_DRAWING_SHAPES = re.compile(rb"<(?:xdr:)?(?:sp|grpSp|cxnSp)\b")


def predicted_losses(path: Path) -> list[str]:
    """What of ``path`` the openpyxl writer will drop, in plain words (empty when nothing)."""
    try:
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
            found = []
            for pattern, what in _PART_FEATURES:
                if any(re.search(pattern, name, re.IGNORECASE) for name in names):
                    found.append(what)
            for name in names:
                if re.match(r"^xl/drawings/drawing\d+\.xml$", name) and _DRAWING_SHAPES.search(
                        package.read(name)):
                    found.append("shapes and text boxes")
                    break
            sheets = [n for n in names if re.match(r"^xl/worksheets/sheet\d+\.xml$", n)]
            for marker, what in _SHEET_FEATURES:
                if any(marker in package.read(name) for name in sheets):
                    found.append(what)
    except (zipfile.BadZipFile, OSError, KeyError):
        return []
    return list(dict.fromkeys(found))


# Parts whose loss predicted_losses already names, or that hold nothing lost: Excel rebuilds the
# calculation chain, and openpyxl writes every string inline instead of in sharedStrings.xml.
_EXPLAINED = re.compile(
    r"^xl/(richData|ctrlProps|slicers|slicerCaches|timelines|timelineCaches|threadedComments|"
    r"printerSettings|persons|webextensions|drawings|media)/|^customXml/|^xl/metadata\.xml$|"
    r"^xl/calcChain\.xml$|^xl/sharedStrings\.xml$", re.IGNORECASE)


def unexplained_parts_lost(original: Path, written: Path) -> list[str]:
    """Parts lost in writing that ``predicted_losses`` does not already name."""
    return [name for name in parts_lost(original, written) if not _EXPLAINED.search(name)]


def parts_lost(original: Path, written: Path) -> list[str]:
    """Kinds of package part present in ``original`` and missing from ``written``."""
    def kinds(path: Path) -> set[str]:
        with zipfile.ZipFile(path) as package:
            return {_kind(name) for name in package.namelist() if not name.endswith("/")}

    try:
        missing = kinds(original) - kinds(written)
    except (zipfile.BadZipFile, OSError):
        return []
    return sorted(missing)


def _kind(name: str) -> str:
    """``xl/charts/chart3.xml`` -> ``xl/charts/chart.xml``: parts compared by kind, not number."""
    return re.sub(r"\d+(?=\.[^./]+$)", "", name).lower()
