"""What surrounds a worksheet's rows, for the patching writer: column widths and the
dimension before them, the legacy drawing's reference after them, and namespace prefixes.

(Apart from ``sheetxml``, which patches the rows, so that each stays readable.)
"""

from __future__ import annotations

import re
from collections.abc import Collection
from operator import itemgetter

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string

from sheetsync.read.package import attribute, set_attribute

_ANY_TAG = re.compile(rb"<(/?)([\w:.-]+)[^>]*?(/?)>")
#: Elements that come after <legacyDrawing> in a worksheet (ECMA-376 CT_Worksheet order).
_AFTER_LEGACY_DRAWING = (b"legacyDrawingHF", b"drawingHF", b"picture", b"oleObjects", b"controls",
                         b"webPublishItems", b"tableParts", b"extLst")


class SheetUnsupported(Exception):
    """The sheet's XML is not laid out as Excel writes it; the openpyxl writer is used instead."""


def finish_tail(tail: bytes, legacy_drawing: str | None, prefix: bytes) -> bytes:
    """The sheet after its rows, referring to ``legacy_drawing`` (an r:id) if it does not yet."""
    if legacy_drawing and b"<legacyDrawing " not in tail:
        return _with_legacy_drawing(tail, prefix, legacy_drawing)
    return tail


def with_widths(head: bytes, widths: dict[int, float]) -> bytes:
    """Column widths for added columns, only where no existing <col> covers the column."""
    if not widths:
        return head
    existing = [(int(attribute(t, b"min") or 0), int(attribute(t, b"max") or 0))
                for t in re.findall(rb"<col\s[^>]*>", head)]
    new = b"".join(
        b'<col min="%d" max="%d" width="%.2f" customWidth="1"/>' % (col, col, width)
        for col, width in sorted(widths.items())
        if not any(low <= col <= high for low, high in existing))
    if not new:
        return head
    if b"</cols>" in head:
        position = head.index(b"</cols>")
        ordered = _sorted_cols(head[head.index(b"<cols>") + 6:position] + new)
        return head[:head.index(b"<cols>") + 6] + ordered + head[position:]
    return head + b"<cols>" + new + b"</cols>"


def _sorted_cols(cols: bytes) -> bytes:
    tags: list[bytes] = re.findall(rb"<col\s[^>]*>", cols)
    tags.sort(key=lambda t: int(attribute(t, b"min") or 0))
    return b"".join(tags)


def with_namespace(xml: bytes, root: bytes, uri: bytes, wanted: bytes) -> tuple[bytes, bytes]:
    """The prefix the root element binds to ``uri``, declaring ``wanted`` for it if none is."""
    tag = re.search(rb"<" + root + rb"\b[^>]*>", xml)
    if tag is None:
        raise SheetUnsupported(f"no <{root.decode()}> element (namespace prefixes?)")
    bound = re.search(rb'\sxmlns:(\w+)="' + re.escape(uri) + rb'"', tag.group(0))
    if bound:
        return xml, bound.group(1)
    declared = set_attribute(tag.group(0), b"xmlns:" + wanted, uri)
    return xml[:tag.start()] + declared + xml[tag.end():], wanted


def _with_legacy_drawing(tail: bytes, prefix: bytes, rel_id: str) -> bytes:
    element = b"<legacyDrawing " + prefix + b':id="' + rel_id.encode() + b'"/>'
    later = [start for name, start in _children(tail) if name in _AFTER_LEGACY_DRAWING]
    at = later[0] if later else tail.rindex(b"</")
    return tail[:at] + element + tail[at:]


def _children(tail: bytes) -> list[tuple[bytes, int]]:
    """(local name, offset) of the worksheet's own elements in the XML after <sheetData>."""
    found, depth = [], 0
    for tag in _ANY_TAG.finditer(tail):
        closing, name, empty = tag.group(1), tag.group(2), tag.group(3)
        if closing:
            depth -= 1
            continue
        if depth == 0:
            found.append((name.split(b":")[-1], tag.start()))
        if not empty:
            depth += 1
    return found


def with_dimension(head: bytes, cells: Collection[tuple[int, int]]) -> bytes:
    """Widen <dimension ref> to take in added ``cells`` (LibreOffice reads it)."""
    found = re.search(rb'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"', head)
    if found is None or not cells:
        return head
    # NOTE: the last row is the greatest (row, col)'s; each taken without a Python loop (a first
    # check has tens of thousands of edited cells)
    last_col = max(column_index_from_string((found.group(3) or found.group(1)).decode()),
                   max(map(itemgetter(1), cells)))
    last_row = max(int(found.group(4) or found.group(2)), max(cells)[0])
    ref = f"{found.group(1).decode()}{found.group(2).decode()}:{get_column_letter(last_col)}{last_row}"
    return head[:found.start()] + b'<dimension ref="' + ref.encode() + b'"' + head[found.end():]
