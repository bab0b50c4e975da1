"""Say what the openpyxl writer cannot keep of a workbook, so no loss is ever silent.

Measured on workbooks Excel saved (see the corpus README in the shared reference): an openpyxl
load-and-save drops shapes and text boxes, header/footer and background pictures, pictures in
cells, form controls, slicers, timelines, sparklines and other Excel extensions, dynamic-array
metadata, threaded comments, printer settings, and some pictures (EMF/WMF). Charts survive in
part. ``predicted_losses`` looks for each in the original package; ``unexplained_losses``
compares the kinds of part (by content type) before and after writing, to catch the rest.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

# (pattern over part names, what an officer would call the thing lost)
_PART_FEATURES: tuple[tuple[str, str], ...] = (
    (r"^xl/richData/", "pictures placed in cells"),
    (r"^xl/metadata\.xml$", "dynamic-array formula metadata"),
    (r"^xl/ctrlProps/", "form controls (buttons, check boxes)"),
    (r"^xl/featurePropertyBag/", "check boxes in cells"),
    (r"^xl/slicers/|^xl/slicerCaches/", "slicers"),
    (r"^xl/timelines/|^xl/timelineCaches/", "timelines"),
    (r"^xl/threadedComments/", "threaded comments (kept only as plain notes)"),
    (r"^xl/printerSettings/", "printer settings"),
    (r"^customXml/", "custom XML data"),
    (r"^xl/webextensions/", "Office add-ins"),
    (r"\.(emf|wmf)$", "EMF/WMF pictures"),
    (r"^xl/chartsheets/", "chart sheets"),
    (r"^xl/embeddings/|^xl/activeX/", "embedded objects and ActiveX controls"),
    (r"^_xmlsignatures/", "its digital signature"),
)
_SHEET_FEATURES: tuple[tuple[bytes, str], ...] = (
    (b"<legacyDrawingHF", "pictures in headers or footers"),
    (b"<picture ", "a background picture"),
    (b"x14:sparklineGroups", "sparklines"),
    (b"x14:dataValidation", "drop-down lists that refer to other sheets (Excel extension)"),
    (b"x14:conditionalFormatting", "conditional formats using Excel 2010 extensions"),
)
_DRAWING_SHAPES = re.compile(rb"<(?:xdr:)?(?:sp|grpSp|cxnSp)\b")
# Legacy form controls live in VML beside comments ("Note"); openpyxl keeps only the notes.
_VML_CONTROL = re.compile(rb'ObjectType="(?!Note")[A-Za-z]+"')
_CHART_PART = re.compile(r"^xl/charts/chart\d+\.xml$")
# Content types whose loss is harmless: Excel rebuilds the calculation chain, openpyxl writes
# strings inline rather than in the shared-strings part, and relationship parts only follow
# the parts they point to. Printer settings are named by predicted_losses.
_HARMLESS = ("calcChain", "sharedStrings", "relationships", "printerSettings")
_CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"


def predicted_losses(path: Path) -> list[str]:
    """What of ``path`` the openpyxl writer will drop, in plain words (empty when nothing)."""
    try:
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
            found = [what for pattern, what in _PART_FEATURES
                     if any(re.search(pattern, name, re.IGNORECASE) for name in names)]
            drawings = [n for n in names if re.match(r"^xl/drawings/drawing\d+\.xml$", n)]
            if any(_DRAWING_SHAPES.search(package.read(name)) for name in drawings):
                found.append("shapes and text boxes")
            vml = [n for n in names if n.lower().endswith(".vml")]
            if any(_VML_CONTROL.search(package.read(name)) for name in vml):
                found.append("form controls (buttons, check boxes)")
            if any(_CHART_PART.match(name) for name in names):
                found.append("some chart formatting (titles' text runs, axis number formats, "
                             "data tables)")
            sheets = [n for n in names if re.match(r"^xl/worksheets/sheet\d+\.xml$", n)]
            contents = [package.read(name) for name in sheets]
            found += [what for marker, what in _SHEET_FEATURES if any(marker in c for c in contents)]
    except (zipfile.BadZipFile, OSError, KeyError):
        return []
    return list(dict.fromkeys(found))


def unexplained_losses(original: Path, written: Path, predicted: list[str]) -> list[str]:
    """Kinds of part (content types, with an example part) fewer in ``written`` than in
    ``original`` that no loss in ``predicted`` (from ``predicted_losses``) accounts for."""
    try:
        before, examples = _content_types(original)
        after, _ = _content_types(written)
    except (zipfile.BadZipFile, OSError, KeyError, ElementTree.ParseError):
        return []
    lost = []
    for content_type, count in before.items():
        if after[content_type] >= count or any(h in content_type for h in _HARMLESS):
            continue
        if _explained(examples[content_type], predicted):
            continue
        lost.append(f"{examples[content_type]} ({content_type})")
    return sorted(lost)


def _explained(example: str, predicted: list[str]) -> bool:
    if re.search(r"^xl/(drawings|media)/", example) and predicted:
        return True  # NOTE: drawings and pictures go with the shapes, pictures or controls named
    return any(re.search(pattern, example, re.IGNORECASE) and what in predicted
               for pattern, what in _PART_FEATURES)


def _content_types(path: Path) -> tuple[Counter[str], dict[str, str]]:
    """How many parts of each content type the package holds, and one part name of each."""
    with zipfile.ZipFile(path) as package:
        names = [n for n in package.namelist() if not n.endswith("/")]
        root = ElementTree.fromstring(package.read("[Content_Types].xml"))
    defaults = {d.get("Extension", "").lower(): d.get("ContentType", "")
                for d in root.iter(f"{_CONTENT_TYPES_NS}Default")}
    overrides = {o.get("PartName", "").lstrip("/"): o.get("ContentType", "")
                 for o in root.iter(f"{_CONTENT_TYPES_NS}Override")}
    counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for name in names:
        if name == "[Content_Types].xml":
            continue
        content_type = overrides.get(name) or defaults.get(name.rsplit(".", 1)[-1].lower(), name)
        counts[content_type] += 1
        examples.setdefault(content_type, name)
    return counts, examples
