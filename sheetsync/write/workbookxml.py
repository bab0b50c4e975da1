"""The patching writer's edits to one workbook's package, held by one object (``PackageEdits``)
that the sheet, note and new-sheet writers are given: parts added or replaced, new part names,
sheets added and taken away, content types and the styles part; and, from those, the edited
workbook part, its relationships and the content types. Everything else stays as written."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sheetsync.read.package import (
    REL_NS,
    WORKSHEET_CONTENT_TYPE,
    WORKSHEET_TYPE,
    Package,
    SheetEntry,
    attribute,
    relative_target,
    rels_part,
    set_attribute,
    xml_attr,
    xml_text,
)
from sheetsync.write.notes import used_blocks
from sheetsync.write.sheetframe import with_namespace
from sheetsync.write.stylesxml import Styles

_CONTENT_TYPES = "[Content_Types].xml"
VML_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
#: A part to write: its bytes, pieces streamed as a sheet is patched, or a function giving
#: its bytes (or pieces) when it is written: once the streamed parts are, and not before, so
#: that large parts are made one at a time.
Part = bytes | Iterable[bytes] | Callable[[], bytes | Iterable[bytes]]


@dataclass(slots=True)
class PackageEdits:
    """What the patching writer changes in ``package``, gathered as its writers go."""

    package: Package
    styles: Styles  #: The styles part, formats appended as cells are marked.
    styles_part: str
    removed_sheets: list[SheetEntry] = field(default_factory=list)  #: An earlier run's sheets.
    added_sheets: list[tuple[str, str, str]] = field(default_factory=list)  #: (name, part, state)
    parts: dict[str, Part] = field(default_factory=dict)  #: New or replaced parts, in order.
    content_types: dict[str, str] = field(default_factory=dict)  #: New part -> content type.
    allocated: set[str] = field(default_factory=set)
    vml_blocks: set[int] = field(default_factory=set)

    @property
    def removed_parts(self) -> set[str]:
        parts = {s.part for s in self.removed_sheets if s.part}
        return parts | {rels_part(p) for p in parts}

    def new_part(self, template: str, content_type: str | None = None) -> str:
        """A part name like ``template`` ("xl/comments{}.xml") not used in the package; its
        ``content_type`` declared if given (a .vml part's is a default, added when needed)."""
        number = 1
        free = self.removed_parts  # NOTE: reused, so that a re-run writes the same package
        while True:
            name = template.format(number)
            if (name in free or not self.package.has(name)) and name not in self.allocated:
                self.allocated.add(name)
                if content_type is not None:
                    self.content_types[name] = content_type
                return name
            number += 1

    def add_sheet(self, name: str, state: str, xml: Part) -> None:
        """A new worksheet ``name`` in the workbook, its part holding ``xml``."""
        part = self.new_part("xl/worksheets/sheet{}.xml", WORKSHEET_CONTENT_TYPE)
        self.added_sheets.append((name, part, state))
        self.parts[part] = xml

    def new_vml_block(self) -> int:
        """A block of shape ids no legacy drawing of the workbook uses yet."""
        if not self.vml_blocks:
            self.vml_blocks.add(0)
            for name in self.package.names:
                if name.lower().endswith(".vml"):
                    self.vml_blocks |= used_blocks(self.package.read(name))
        block = max(self.vml_blocks) + 1
        self.vml_blocks.add(block)
        return block

    def finished_parts(self) -> dict[str, Part]:
        """Every part to write in place of the original's or beside them: those the writers
        gave, then the styles part (deferred: formats are added while the sheets stream
        through, so it is written after them), the workbook part, its relationships and the
        content types."""
        self.parts[self.styles_part] = self.styles.xml
        self.parts.update(_edited_workbook_parts(self))
        return self.parts


def add_relationship(xml: bytes | None, type_: str, target: str) -> tuple[bytes, str]:
    """The relationships part with one more relationship, and that relationship's Id."""
    if xml is None:
        xml = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
               b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               b"</Relationships>")
    taken = {xml_text(i) for i in re.findall(rb'\sId="([^"]*)"', xml)}
    number = len(taken) + 1
    while f"rId{number}" in taken:
        number += 1
    rel_id = f"rId{number}"
    element = (f'<Relationship Id="{rel_id}" Type="{type_}" Target="{xml_attr(target)}"/>'
               .encode())
    at = xml.rindex(b"</")
    return xml[:at] + element + xml[at:], rel_id


def add_content_types(xml: bytes, overrides: dict[str, str], removed: set[str]) -> bytes:
    """[Content_Types].xml with ``overrides`` added (and a vml default when needed)."""
    for part in removed:
        xml = re.sub(rb'<Override\s[^>]*PartName="/' + re.escape(part.encode()) + rb'"[^>]*/>',
                     b"", xml)
    new = b""
    for part, content_type in overrides.items():
        if part.endswith(".vml"):
            if not re.search(rb'<Default\s[^>]*Extension="vml"', xml, re.IGNORECASE) and \
                    b'Extension="vml"' not in new:
                new += f'<Default Extension="vml" ContentType="{VML_CONTENT_TYPE}"/>'.encode()
            continue
        new += f'<Override PartName="/{part}" ContentType="{content_type}"/>'.encode()
    at = xml.rindex(b"</")
    return xml[:at] + new + xml[at:]


def _edited_workbook_parts(edits: PackageEdits) -> dict[str, bytes]:
    """The workbook part, its relationships and the content types, edited."""
    package = edits.package
    workbook_rels_name = rels_part(package.workbook_part)
    rels = package.read(workbook_rels_name)
    removed_ids = {s.rel_id for s in edits.removed_sheets}
    for rel_id in removed_ids:
        rels = re.sub(rb'<Relationship\s[^>]*Id="' + re.escape(xml_attr(rel_id).encode())
                      + rb'"[^>]*/>', b"", rels)
    workbook = _without_sheets(package, edits.removed_sheets)
    workbook, prefix = with_namespace(workbook, b"workbook", REL_NS.encode(), b"r")
    gone = {s.name for s in edits.removed_sheets}
    next_id = max([s.sheet_id for s in package.sheets if s.name not in gone] + [0]) + 1
    new_sheets = b""
    for number, (name, part, state) in enumerate(edits.added_sheets):
        rels, rel_id = add_relationship(rels, WORKSHEET_TYPE,
                                        relative_target(package.workbook_part, part))
        new_sheets += (f'<sheet name="{xml_attr(name)}" sheetId="{next_id + number}"'
                       + ("" if state == "visible" else f' state="{state}"')
                       + f' {prefix.decode()}:id="{rel_id}"/>').encode("utf-8")
    at = workbook.index(b"</sheets>")
    workbook = workbook[:at] + new_sheets + workbook[at:]
    types = add_content_types(package.read(_CONTENT_TYPES), edits.content_types, edits.removed_parts)
    return {package.workbook_part: workbook, workbook_rels_name: rels, _CONTENT_TYPES: types}


def _without_sheets(package: Package, removed: list[SheetEntry]) -> bytes:
    """workbook.xml without the ``removed`` sheets; sheet-local names and the active tab follow."""
    workbook = package.read(package.workbook_part)
    if not removed:
        return workbook
    gone = {s.name for s in removed}
    old_positions = {s.name: n for n, s in enumerate(package.sheets)}
    kept = [s.name for s in package.sheets if s.name not in gone]
    new_position = {old_positions[name]: n for n, name in enumerate(kept)}

    def sheet_tag(match: re.Match[bytes]) -> bytes:
        name = xml_text(attribute(match.group(0), b"name") or b"")
        return b"" if name in gone else match.group(0)

    workbook = re.sub(rb"<sheet\s[^>]*/>", sheet_tag, workbook)

    def defined_name(match: re.Match[bytes]) -> bytes:
        local = attribute(match.group(1), b"localSheetId")
        if local is None:
            return match.group(0)
        if int(local) not in new_position:
            return b""
        tag = set_attribute(match.group(1), b"localSheetId", str(new_position[int(local)]).encode())
        return tag + match.group(0)[len(match.group(1)):]

    workbook = re.sub(rb"(<definedName\s[^>]*>).*?</definedName>", defined_name, workbook,
                      flags=re.DOTALL)
    workbook = re.sub(rb"<definedNames>\s*</definedNames>", b"", workbook)

    def view(match: re.Match[bytes]) -> bytes:
        tag = match.group(0)
        for name in (b"activeTab", b"firstSheet"):
            value = attribute(tag, name)
            if value is not None:
                tag = set_attribute(tag, name, str(new_position.get(int(value), 0)).encode())
        return tag

    return re.sub(rb"<workbookView\b[^>]*>", view, workbook)
