"""Add cell formats to a workbook's styles part without touching the ones already there.

A marked cell keeps everything of its own format (font, borders, number format, alignment) and
gets a fill: a new cell format is appended, copied from the cell's own with the fill swapped.
Formats are appended only once: a format already in the part, identical byte for byte, is
reused, so re-running on an annotated copy does not grow the file.
"""

from __future__ import annotations

import re

from sheetsync.read.package import attribute, set_attribute, start_tag


class StylesUnsupported(Exception):
    """The styles part is not laid out as Excel writes it; the openpyxl writer is used instead."""


_XF = re.compile(rb"<xf\b[^>]*?(?:/>|>.*?</xf>)", re.DOTALL)
_FILL = re.compile(rb"<fill\b[^>]*?(?:/>|>.*?</fill>)", re.DOTALL)
_FONT = re.compile(rb"<font\b[^>]*?(?:/>|>.*?</font>)", re.DOTALL)


class Styles:
    """The styles part, with formats appended on request; ``xml()`` gives the part to write."""

    def __init__(self, xml: bytes) -> None:
        self.sections: dict[bytes, list[bytes]] = {}
        self._xml = xml
        for name, pattern in ((b"fills", _FILL), (b"fonts", _FONT), (b"cellXfs", _XF)):
            body = self._section(name)
            self.sections[name] = pattern.findall(body) if body is not None else []
            if not self.sections[name]:
                raise StylesUnsupported(f"no {name.decode()} in the styles part")
        self._added: dict[bytes, list[bytes]] = {name: [] for name in self.sections}
        # NOTE: indices only ever grow, so each look-up is made once: a first check restyles
        # tens of thousands of cells with a handful of formats
        self._positions: dict[bytes, dict[bytes, int]] = {}
        self._formats: dict[tuple[int, int | None, int | None, int | None], int] = {}

    def changed(self) -> bool:
        return any(self._added.values())

    def fill(self, rgb: str) -> int:
        """The index of a solid fill of ``rgb`` ("FFC7CE"), added if missing."""
        return self._index(b"fills", (
            b'<fill><patternFill patternType="solid"><fgColor rgb="FF' + rgb.upper().encode()
            + b'"/><bgColor indexed="64"/></patternFill></fill>'))

    def font(self, bold: bool = False, rgb: str | None = None, underline: bool = False) -> int:
        """The workbook's default font, bold or coloured and underlined (links), added if missing."""
        base = self.sections[b"fonts"][0]
        size = re.search(rb'<sz val="([^"]*)"', base)
        name = re.search(rb'<name val="([^"]*)"', base)
        parts = [b"<font>", b"<b/>" if bold else b"", b"<u/>" if underline else b"",
                 b'<sz val="' + (size.group(1) if size else b"11") + b'"/>',
                 b'<color rgb="FF' + rgb.encode() + b'"/>' if rgb else b'<color theme="1"/>',
                 b'<name val="' + (name.group(1) if name else b"Calibri") + b'"/>',
                 b'<family val="2"/>', b"</font>"]
        return self._index(b"fonts", b"".join(parts))

    def cell_format(self, base: int, fill: int | None = None, font: int | None = None,
                    number_format: int | None = None) -> int:
        """The index of a cell format like ``base`` with its fill, font or number format changed."""
        key = (base, fill, font, number_format)
        index = self._formats.get(key)
        if index is None:
            index = self._formats[key] = self._index(b"cellXfs",
                                                     self.variant(base, fill, font, number_format))
        return index

    def variant(self, base: int, fill: int | None = None, font: int | None = None,
                number_format: int | None = None) -> bytes:
        """The cell format ``base`` with some parts changed, as it would be written."""
        xf = self.cell_format_xml(base)
        start = start_tag(xf)
        tag = start
        for name, apply, value in ((b"fillId", b"applyFill", fill), (b"fontId", b"applyFont", font),
                                   (b"numFmtId", b"applyNumberFormat", number_format)):
            if value is not None:
                tag = set_attribute(set_attribute(tag, name, str(value).encode()), apply, b"1")
        return tag + xf[len(start):]

    def cell_format_xml(self, index: int) -> bytes:
        return self._element(b"cellXfs", index)

    def fill_of(self, xf_index: int) -> int:
        return int(attribute(start_tag(self.cell_format_xml(xf_index)), b"fillId") or 0)

    def fill_xml(self, index: int) -> bytes:
        return self._element(b"fills", index)

    def _element(self, section: bytes, index: int) -> bytes:
        """The element at ``index`` of ``section`` (its first for an index out of range)."""
        existing, added = self.sections[section], self._added[section]
        if 0 <= index < len(existing):
            return existing[index]
        if 0 <= index - len(existing) < len(added):
            return added[index - len(existing)]
        return existing[0]

    def fill_from_xml(self, element: bytes) -> int:
        """The index of a fill written as ``element`` (from the ledger), added if missing."""
        return self._index(b"fills", element) if _FILL.fullmatch(element) else 0

    def xml(self) -> bytes:
        """The styles part with the added elements at the end of their lists, counts updated."""
        xml = self._xml
        for name, added in self._added.items():
            if not added:
                continue
            start = re.search(rb"<" + name + rb"\b[^>]*>", xml)
            if start is None:  # NOTE: cannot happen: the section was found when the part was read
                raise StylesUnsupported(f"no {name.decode()} in the styles part")
            end = xml.index(b"</" + name + b">", start.end())
            count = len(self.sections[name]) + len(added)
            tag = set_attribute(start.group(0), b"count", str(count).encode())
            xml = xml[:start.start()] + tag + xml[start.end():end] + b"".join(added) + xml[end:]
        return xml

    def _index(self, section: bytes, element: bytes) -> int:
        """The first position of ``element`` in ``section``, added at its end if missing."""
        positions = self._positions.get(section)
        if positions is None:
            positions = self._positions[section] = {}
            for number, candidate in enumerate(self.sections[section]):
                positions.setdefault(candidate, number)
        found = positions.get(element)
        if found is None:
            added = self._added[section]
            added.append(element)
            found = positions[element] = len(self.sections[section]) + len(added) - 1
        return found

    def _section(self, name: bytes) -> bytes | None:
        found = re.search(rb"<" + name + rb"\b[^>]*>(.*?)</" + name + rb">", self._xml, re.DOTALL)
        if found is None and re.search(rb"<\w+:" + name + rb"\b", self._xml):
            raise StylesUnsupported("the styles part uses namespace prefixes")
        return found.group(1) if found else None
