"""The workbook as a zip package of parts: which part holds which sheet, and its relationships.

Both the fast reader (``grid.py``) and the patching writer (``patch.py``) work on parts, not on
openpyxl's model, so that every part sheetsync has no reason to change is left as it was.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils.cell import column_index_from_string

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_TYPE = REL_NS + "/"
WORKSHEET_TYPE = REL_TYPE + "worksheet"
WORKSHEET_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
#: A cell's address attribute (r="AB12"): its column letters and row number.
CELL_ADDRESS = re.compile(rb'\sr="([A-Z]+)(\d+)"')


def column_number(letters: bytes) -> int:
    """b"AB" -> 28, each column's letters worked out once (a sheet has few columns, many rows)."""
    number = _COLUMN_NUMBERS.get(letters)
    if number is None:
        number = _COLUMN_NUMBERS[letters] = column_index_from_string(letters.decode())
    return number


_COLUMN_NUMBERS: dict[bytes, int] = {}
KEPT_SIZE = 1 << 18  #: Parts up to this size are kept once read.
_CHUNK = 1 << 22  #: A larger part is streamed this much at a time.
_START_TAG = re.compile(rb"<[^>]*>")
_SHEET_REL_ID = re.compile(rb'\s(?:\w+:)?id="([^"]*)"')


def xml_text(raw: bytes | str) -> str:
    """Text of an XML attribute or element as written (entities resolved)."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    return _unescaped(text) if "&" in text else text


def _unescaped(text: str) -> str:
    """The entities XML defines by name resolved, ``&amp;`` last, as ``xml.sax.saxutils``'
    ``unescape`` does with ``&quot;`` and ``&apos;`` given.

    NOTE: not imported from there: that module imports urllib.request (and with it http.client,
    email and ssl), 10 ms of every process that reads a workbook."""
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


#: Characters XML 1.0 cannot hold at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_escaped(text: str) -> bytes:
    """Text for an XML element, escaped, without the characters XML cannot hold.

    NOTE: plain ASCII text (nearly all: a first check's copy and reports escape some hundred
    thousand messages, addresses and values) is told apart by deleting those characters from
    its bytes, a loop in C, and seeing that none went: 0.21 µs for a finding's message, not
    the 0.46 of a search for any of them; other text, by that search (one scan, not four).
    """
    if text.isascii():
        data = text.encode()
        if len(data.translate(None, _SPECIAL_ASCII)) == len(data):
            return data
    elif _PLAIN.search(text) is None:
        return text.encode("utf-8")
    return html.escape(_NOT_XML.sub("", text), quote=False).encode("utf-8")


#: A character to escape or to leave out.
_PLAIN = re.compile("[&<>" + _NOT_XML.pattern[1:])
#: The ASCII characters escaped (&, <, >) or left out (controls but tab, line feed, return).
_SPECIAL_ASCII = bytes(c for c in range(32) if c not in b"\t\n\r") + b"&<>"


def xml_attr(value: str) -> str:
    """Text for an XML attribute, escaped, without the characters XML cannot hold."""
    if _PLAIN_ATTRIBUTE.search(value) is None:  # NOTE: most text: one scan instead of five
        return value
    # NOTE: quote=True would write ' as &#x27;: only " is escaped, as it always was
    return html.escape(_NOT_XML.sub("", value), quote=False).replace('"', "&quot;")


#: A character to escape in an attribute, or to leave out.
_PLAIN_ATTRIBUTE = re.compile('[&<>"' + _NOT_XML.pattern[1:])


def attribute(tag: bytes, name: bytes) -> bytes | None:
    """One attribute of a start tag (``<c r="A1" s="3">``), as written."""
    pattern = _ATTRIBUTES.get(name)
    if pattern is None:  # NOTE: compiled once per name: re's own cache lookup cost as much
        pattern = _ATTRIBUTES[name] = re.compile(rb"\s" + re.escape(name) + rb'="([^"]*)"')
    found = pattern.search(tag)
    return found.group(1) if found else None


_ATTRIBUTES: dict[bytes, re.Pattern[bytes]] = {}


def start_tag(element: bytes) -> bytes:
    """The start tag an element's XML begins with (``<c r="A1" s="3">`` of a cell)."""
    found = _START_TAG.match(element)
    if found is None:
        raise ValueError(f"not an XML element: {element[:40]!r}")
    return found.group(0)


def set_attribute(tag: bytes, name: bytes, value: bytes | None) -> bytes:
    """The start tag with ``name`` set to ``value`` (None: removed), other attributes as written."""
    pattern = _SETTERS.get(name)
    if pattern is None:  # NOTE: compiled once per name, as ``attribute``'s patterns are
        pattern = _SETTERS[name] = re.compile(rb"\s" + name + rb'="[^"]*"')
    if value is None:
        return pattern.sub(b"", tag, count=1)
    if pattern.search(tag):
        return pattern.sub(b" " + name + b'="' + value + b'"', tag, count=1)
    end = len(tag) - (2 if tag.endswith(b"/>") else 1)
    return tag[:end] + b" " + name + b'="' + value + b'"' + tag[end:]


_SETTERS: dict[bytes, re.Pattern[bytes]] = {}


@dataclass(frozen=True, slots=True)
class Relationship:
    id: str
    type: str
    target: str  #: Part name inside the package ("xl/comments1.xml"), or the URL if external.
    external: bool = False


@dataclass(slots=True)
class SheetEntry:
    """One ``<sheet>`` of workbook.xml."""

    name: str
    sheet_id: int
    rel_id: str
    state: str  #: "visible", "hidden" or "veryHidden".
    part: str | None  #: "xl/worksheets/sheet1.xml"; None for a missing part.
    is_worksheet: bool  #: False for chart sheets, dialog and macro sheets.


@dataclass(slots=True)
class Package:
    """The parts of an open package, read on demand."""

    path: Path
    archive: zipfile.ZipFile
    names: list[str]
    workbook_part: str
    sheets: list[SheetEntry] = field(default_factory=list)
    #: Small parts as read, and parts' relationships as parsed: the workbook part and its
    #: relationships are asked for by the reader and the writer, five times each.
    _kept: dict[str, bytes] = field(default_factory=dict)
    _relationships: dict[str, tuple[Relationship, ...]] = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path) -> Package:
        return cls.of(path, zipfile.ZipFile(path))

    @classmethod
    def of(cls, path: Path, archive: zipfile.ZipFile, kept: dict[str, bytes] | None = None
           ) -> Package:
        """The package of a zip already open (and checked: see ``workbook.read_workbook``);
        ``kept``: parts already read whole."""
        names = [n for n in archive.namelist() if not n.endswith("/")]
        package = cls(path=path, archive=archive, names=names, workbook_part="",
                      _kept=kept if kept is not None else {})
        package.workbook_part = next(
            (r.target for r in package.relationships("") if r.type.endswith("/officeDocument")),
            "xl/workbook.xml")  # (the part the package's own relationships name: almost always)
        package.sheets = package._sheet_entries()
        return package

    def close(self) -> None:
        self.archive.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def read(self, name: str, keep: bool = True) -> bytes:
        """The part's bytes; kept for the next read if small (``keep`` False: a part read
        only once, such as one the writer copies as it is)."""
        kept = self._kept.get(name)
        if kept is None:
            kept = self.archive.read(name)
            if keep and len(kept) <= KEPT_SIZE:  # (a large sheet is streamed, and not kept)
                self._kept[name] = kept
        return kept

    def stream(self, name: str) -> Iterator[bytes]:
        """The part's bytes in chunks, so a large sheet is never held whole.

        NOTE: a small part comes whole, as it would in one chunk, and is kept: the reader's
        scan and the patching writer then decompress a small sheet once between them.
        """
        if name in self._kept or self.size(name) <= KEPT_SIZE:
            if data := self.read(name):
                yield data
            return
        with self.archive.open(name) as part:
            while chunk := part.read(_CHUNK):
                yield chunk

    def size(self, name: str) -> int:
        return self.archive.getinfo(name).file_size

    def has(self, name: str) -> bool:
        return name in self.archive.NameToInfo

    def relationships(self, part: str) -> list[Relationship]:
        """The relationships of ``part`` (empty when it has none)."""
        found = self._relationships.get(part)
        if found is None:
            rels = rels_part(part)
            found = tuple(parse_relationships(self.read(rels), part)) if self.has(rels) else ()
            self._relationships[part] = found
        return list(found)

    def sheet(self, name: str) -> SheetEntry | None:
        return next((s for s in self.sheets if s.name == name), None)

    def _sheet_entries(self) -> list[SheetEntry]:
        workbook = self.read(self.workbook_part)
        targets = {r.id: r for r in self.relationships(self.workbook_part)}
        entries = []
        for tag in re.findall(rb"<(?:\w+:)?sheet\s[^>]*>", workbook):
            found = _SHEET_REL_ID.search(tag)
            if found is None:
                raise ValueError(f"a sheet without its relationship id in {self.workbook_part}")
            rel_id = xml_text(found.group(1))
            relationship = targets.get(rel_id)
            part = relationship.target if relationship and self.has(relationship.target) else None
            entries.append(SheetEntry(
                name=xml_text(attribute(tag, b"name") or b""),
                sheet_id=int(attribute(tag, b"sheetId") or 0), rel_id=rel_id,
                state=xml_text(attribute(tag, b"state") or b"visible"), part=part,
                # NOTE: by its last word, so Strict Open XML's worksheets count too
                is_worksheet=relationship is not None and relationship.type.endswith("/worksheet")))
        return entries


def is_strict(package: Package) -> bool:
    """Saved as Strict Open XML (other namespaces throughout; openpyxl cannot load it)."""
    return STRICT_NS.encode() in package.read(package.workbook_part)[:4096]


def rels_part(part: str) -> str:
    """"xl/worksheets/sheet1.xml" -> "xl/worksheets/_rels/sheet1.xml.rels"."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def relative_target(source_part: str, target_part: str) -> str:
    """The Target a relationship of ``source_part`` uses to reach ``target_part``."""
    return posixpath.relpath(target_part, posixpath.dirname(source_part))


def parse_relationships(xml: bytes, source_part: str) -> list[Relationship]:
    found = []
    for tag in re.findall(rb"<(?:\w+:)?Relationship\s[^>]*>", xml):
        target = xml_text(attribute(tag, b"Target") or b"")
        external = (attribute(tag, b"TargetMode") or b"") == b"External"
        if not external:
            if target.startswith("/"):
                target = target.lstrip("/")
            else:
                target = posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))
        found.append(Relationship(id=xml_text(attribute(tag, b"Id") or b""),
                                  type=xml_text(attribute(tag, b"Type") or b""),
                                  target=target, external=external))
    return found


