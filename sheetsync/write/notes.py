"""Cell notes (comments) for the patching writer: the comments part and its legacy drawing.

An officer's own note on a marked cell is kept, formatting and all, and sheetsync's text is
added after it as a separate run; a re-run cuts that run off again. A cell that had no note
gets one by the author ``sheetsync``, removed again by a re-run. Excel shows a note only where
the legacy (VML) drawing has a shape for its cell, so shapes are added and removed to match;
other shapes in that drawing (buttons, check boxes) are left as they are.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from sheetsync.read.package import MAIN_NS, attribute, xml_escaped, xml_text
from sheetsync.write.sheetframe import SheetUnsupported

AUTHOR = "sheetsync"
SEPARATOR = "\n\n— sheetsync —\n"
_COMMENT = re.compile(rb"<comment\b[^>]*?(?:/>|>.*?</comment>)", re.DOTALL)
_SHAPE = re.compile(rb"<v:shape\b[^>]*?(?:/>|>.*?</v:shape>)", re.DOTALL)
_BREAKS = rb"(?:\r|\n|&#10;|&#xA;|&#13;|&#xD;)*"
#: sheetsync's own run: a run whose text starts with the separator, to the end of the note.
_OUR_MARK = xml_escaped(SEPARATOR.strip())  #: The separator as a note's XML holds it.
_OUR_RUN = re.compile(rb"<r>(?:(?!</r>).)*?<t(?:\s[^>]*)?>" + _BREAKS + _OUR_MARK
                      + rb".*?(?=</text>)", re.DOTALL)
_OUR_TEXT = re.compile(_BREAKS + _OUR_MARK + rb".*?(?=</t>)", re.DOTALL)
#: Line breaks left at the end of the officer's text once sheetsync's part is cut off.
_TRAILING_BREAKS = re.compile(rb"(?:\r|\n|&#10;|&#xA;|&#13;|&#xD;)+(?=</t>(?:</r>)?</text>)")
_RUN_PROPERTIES = b'<rPr><sz val="9"/><color indexed="81"/><rFont val="Tahoma"/><family val="2"/></rPr>'


class Comments:
    """A sheet's comments part, edited: ``strip`` the last run's, then ``add`` this run's."""

    def __init__(self, xml: bytes | None) -> None:
        self.authors: list[bytes] = []
        self.comments: dict[tuple[int, int], bytes] = {}
        #: The text of notes made by ``add`` (not read back from their XML: a first check can
        #: make tens of thousands of them, and each one's height is worked out from its text).
        self._made: dict[tuple[int, int], tuple[str, str]] = {}
        self._ours: bytes | None = None  #: sheetsync's author id, once ``add`` has needed it.
        self._head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                      b'<comments xmlns="' + MAIN_NS.encode() + b'">')
        if xml is None:
            return
        self.authors = re.findall(rb"<author>(.*?)</author>|<author/>", xml)
        for comment in _COMMENT.findall(xml):
            ref = attribute(comment[:comment.index(b">")], b"ref") or b""
            self.comments[_position(ref)] = comment
        if xml.count(b"<comment ") != len(self.comments):
            raise ValueError("unexpected comments part")
        self._head = xml[:xml.index(b"<authors")] if b"<authors" in xml else self._head

    def plain_text(self, cell: tuple[int, int]) -> str | None:
        """The text of the comment on ``cell``, without its formatting."""
        comment = self.comments.get(cell)
        if comment is None:
            return None
        return "".join(xml_text(t) for t in re.findall(rb"<t(?:\s[^>]*)?>(.*?)</t>", comment, re.DOTALL))

    def note_text(self, cell: tuple[int, int]) -> str | None:
        """``plain_text``, taken for a note ``add`` made from the text it was made of."""
        made = self._made.get(cell)
        return made[0] if made is not None else self.plain_text(cell)

    def text_of(self, cell: tuple[int, int]) -> tuple[str, str] | None:
        """(plain text, author) of the comment on ``cell``, for the ledger."""
        made = self._made.get(cell)
        if made is not None:
            return made
        comment = self.comments.get(cell)
        text = self.plain_text(cell)
        if comment is None or text is None:
            return None
        author = int(attribute(comment[:comment.index(b">")], b"authorId") or 0)
        return text, xml_text(self.authors[author]) if author < len(self.authors) else ""

    def strip(self, cells: dict[tuple[int, int], bool]) -> None:
        """Take off what sheetsync wrote on ``cells`` in an earlier run; each says whether the
        cell had a note of the officer's own then (else the whole note is sheetsync's)."""
        ours = self._author_id()
        for cell in cells:
            self._made.pop(cell, None)
        for cell in set(cells) & set(self.comments):
            comment = self.comments[cell]
            author = attribute(comment[:comment.index(b">")], b"authorId")
            if not cells[cell] or (ours is not None and author == ours):
                del self.comments[cell]
                continue
            cut = _OUR_RUN.sub(b"", comment, count=1)
            # NOTE: a copy saved by another tool may hold the text as one plain string
            cut = cut if cut != comment else _OUR_TEXT.sub(b"", comment, count=1)
            self.comments[cell] = _TRAILING_BREAKS.sub(b"", cut)

    def add(self, cell: tuple[int, int], text: str) -> None:
        """sheetsync's ``text`` on ``cell``: after the officer's note, or as a note of its own."""
        existing = self.comments.get(cell)
        if existing is None:
            escaped = xml_escaped(f"sheetsync:\n{text}")  # (escaped once, for both uses)
            # NOTE: formatted in one go, not added up piece by piece (a first check adds tens
            # of thousands of notes)
            self.comments[cell] = _NEW_COMMENT % (_reference(cell), self._our_author_id(),
                                                  _RUN_PROPERTIES, escaped)
            self._made[cell] = (xml_text(escaped), AUTHOR)
            return
        self._made.pop(cell, None)
        start, end = existing.index(b"<text>") + 6, existing.rindex(b"</text>")
        runs = existing[start:end]
        if not runs.lstrip().startswith(b"<r>") and not runs.lstrip().startswith(b"<r "):
            runs = b"<r>" + runs + b"</r>"  # NOTE: plain text becomes a run, so runs can follow
        self.comments[cell] = existing[:start] + runs + _run(SEPARATOR + text) + existing[end:]

    def pieces(self) -> list[bytes]:
        """The part in pieces, a comment each (written as they are, never joined: a first
        check can make tens of thousands of notes)."""
        authors = b"".join(b"<author>" + a + b"</author>" for a in self.authors)
        return [self._head + b"<authors>" + authors + b"</authors><commentList>",
                *(self.comments[cell] for cell in sorted(self.comments)),
                b"</commentList></comments>"]

    def _author_id(self) -> bytes | None:
        """sheetsync's author id in this part, if it has one."""
        if AUTHOR.encode() in self.authors:
            return str(self.authors.index(AUTHOR.encode())).encode()
        return None

    def _our_author_id(self) -> bytes:
        """sheetsync's author id, added to the authors if missing (looked for once: a first
        check adds tens of thousands of notes)."""
        if self._ours is None:
            self._ours = self._author_id()
        if self._ours is None:
            self.authors.append(AUTHOR.encode())
            self._ours = str(len(self.authors) - 1).encode()
        return self._ours


def vml_drawing(existing: bytes | None, cells: set[tuple[int, int]], block: int,
                sizes: dict[tuple[int, int], int]) -> Iterator[bytes]:
    """The legacy drawing with one note shape for each of ``cells`` (and no other note shapes);
    any other shapes kept. ``block`` numbers new shapes (1024 ids each); ``sizes``: heights.
    In pieces, a new shape each, to be written as they are."""
    if existing is None:
        existing = (b'<xml xmlns:v="urn:schemas-microsoft-com:vml" '
                    b'xmlns:o="urn:schemas-microsoft-com:office:office" '
                    b'xmlns:x="urn:schemas-microsoft-com:office:excel">'
                    b'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="%d"/></o:shapelayout>'
                    b"</xml>" % block)
    removed, present = [], set()
    for shape in _SHAPE.finditer(existing):
        cell = _shape_cell(shape.group(0))
        if cell is None or cell in cells:
            present.add(cell)
            continue
        removed.append(shape.span())  # NOTE: a note whose comment is gone goes with it
    xml = existing
    for start, end in reversed(removed):
        xml = xml[:start] + xml[end:]
    if b'id="_x0000_t202"' not in xml:
        xml = xml.replace(b"</xml>", _SHAPE_TYPE + b"</xml>")
    numbers = [int(n) for n in re.findall(rb"_x0000_s(\d+)", xml)]
    first_id = max(numbers + [block * 1024]) + 1
    added = sorted(cells - present)
    xml = _with_id_blocks(xml, first_id + len(added))
    end = xml.rfind(b"</xml>")
    if end < 0:  # NOTE: made as the package is written: the writer falls back on this error
        raise SheetUnsupported("a legacy drawing (notes) without its closing </xml>")
    # NOTE: each shape made as it is written: a first check can add tens of thousands
    shapes = (_note_shape(number, cell, sizes.get(cell, 60))
              for number, cell in enumerate(added, start=first_id))
    return itertools.chain((xml[:end],), shapes, (xml[end:],))


def used_blocks(vml: bytes) -> set[int]:
    found = re.search(rb'<o:idmap\b[^>]*data="([^"]*)"', vml)
    return {int(n) for n in re.findall(rb"\d+", found.group(1))} if found else set()


def _with_id_blocks(xml: bytes, next_id: int) -> bytes:
    """Shape ids belong to 1024-wide blocks listed in the drawing's idmap; list the ones used."""
    found = re.search(rb'(<o:idmap\b[^>]*data=")([^"]*)(")', xml)
    if found is None:
        return xml
    blocks = used_blocks(xml)
    numbers = {int(n) // 1024 for n in re.findall(rb"_x0000_s(\d+)", xml)} | {(next_id - 1) // 1024}
    needed = sorted(blocks | {b for b in numbers if b > 0})
    data = ",".join(str(b) for b in needed).encode()
    return xml[:found.start(2)] + data + xml[found.end(2):]


def _shape_cell(shape: bytes) -> tuple[int, int] | None:
    """The (row, col) of a note shape, 1-based; None for any other shape."""
    if b'ObjectType="Note"' not in shape:
        return None
    row = re.search(rb"<x:Row>\s*(\d+)\s*</x:Row>", shape)
    col = re.search(rb"<x:Column>\s*(\d+)\s*</x:Column>", shape)
    if row is None or col is None:
        return None
    return int(row.group(1)) + 1, int(col.group(1)) + 1


def _note_shape(number: int, cell: tuple[int, int], height: int) -> bytes:
    row, col = cell[0] - 1, cell[1] - 1
    return (
        b'<v:shape id="_x0000_s%d" type="#_x0000_t202" style="position:absolute;margin-left:80pt;'
        b"margin-top:2pt;width:240pt;height:%dpt;z-index:%d;visibility:hidden\" "
        b'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
        b'<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
        b'<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
        b'<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
        b"<x:Anchor>%d, 15, %d, 2, %d, 15, %d, 16</x:Anchor><x:AutoFill>False</x:AutoFill>"
        b"<x:Row>%d</x:Row><x:Column>%d</x:Column></x:ClientData></v:shape>"
        % (number, height, number % 1024, col + 1, row, col + 5, row + max(4, height // 15), row, col))


_SHAPE_TYPE = (b'<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
               b'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
               b'<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')


_NEW_COMMENT = (b'<comment ref="%s" authorId="%s"><text><r>%s<t xml:space="preserve">%s</t></r>'
                b"</text></comment>")  #: A note of sheetsync's own: ref, author, run format, text.


def _run(text: str) -> bytes:
    return _escaped_run(xml_escaped(text))


def _escaped_run(escaped: bytes) -> bytes:
    return b"<r>" + _RUN_PROPERTIES + b'<t xml:space="preserve">' + escaped + b"</t></r>"


def _position(ref: bytes) -> tuple[int, int]:
    column, row = coordinate_from_string(ref.decode())
    return row, column_index_from_string(column)


def _reference(cell: tuple[int, int]) -> bytes:
    return f"{get_column_letter(cell[1])}{cell[0]}".encode()
