"""A cell's value as sheet XML: its type attribute and its content, text written inline so
that the shared strings (which other cells point at) stay as they are."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from openpyxl.utils.datetime import to_excel

from sheetsync.read.package import xml_escaped

KEEP = object()  #: A cell edit's value meaning "leave the value as it is".


def value_xml(value: Any) -> tuple[bytes | None, bytes]:
    """(cell type, cell content) for a value: text inline, so the shared strings stay as they are."""
    if type(value) is str:  # NOTE: most values written; the tests below are for the others
        return b"inlineStr", inline_text(value)
    if value is None or value is KEEP:
        return None, b""
    if isinstance(value, bool):
        return b"b", b"<v>" + (b"1" if value else b"0") + b"</v>"
    if isinstance(value, (dt.datetime, dt.date)):
        value = to_excel(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return None, b""
        return None, b"<v>" + repr(value).encode() + b"</v>"
    return b"inlineStr", inline_text(str(value))


def inline_text(text: str) -> bytes:
    """A text cell's content, inline (``t="inlineStr"``), so the shared strings stay as they are."""
    return b'<is><t xml:space="preserve">' + xml_escaped(text) + b"</t></is>"
