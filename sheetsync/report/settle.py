"""The exceptions files of a ``sheetsync run`` settled: made as a rebuild writes them when
nothing changed since that run (an unchanged re-run's first job, before it reuses them).

Only the "what changed" flags differ from what the run wrote, so they are changed where they
stand in each file (writing the three files again took 0.3 s over 9,600 findings, and this
module imports no report writer: those are for the rare file that cannot be settled so).
"""

from __future__ import annotations

import codecs
import io
import json
import zipfile
from pathlib import Path
from typing import IO

from sheetsync.files import atomic_path, bytes_hash, content_hash, deflated

#: The files settled, in the order their bytes are given.
EXCEPTIONS_FILES = ("exceptions.json", "exceptions.csv", "exceptions.xlsx")
#: The last cell of an exceptions workbook's row is its "New" (text, never blank): the end of
#: a row is the end of its "New", whose text is Yes or No.
_ROW_END = b"</t></is></c></row>"
_NEW_CELL = (b'<t xml:space="preserve">Yes' + _ROW_END, b'<t xml:space="preserve">No' + _ROW_END)
_SHEET = "xl/worksheets/sheet1.xml"
_NEW_TRUE = b'\n      "new": true\n'
_NO_CHANGES = b'\n  "resolved": [],\n  "removed": []\n}\n'
#: The sheet is settled this many bytes at a time (of 9 MB over 9,600 findings).
_CHUNK = 1 << 20
#: A settled file's bytes, in pieces (written and hashed as they are, never joined).
Pieces = list[bytes | memoryview]


def settle_exceptions(out_dir: Path, before: list[bytes], workbooks: int,
                      findings: int) -> dict[Path, str]:
    """``exceptions.{json,csv,xlsx}`` of ``out_dir`` (written by a ``sheetsync run`` of
    ``workbooks`` workbooks and ``findings`` findings; ``before``: their bytes, as read, in
    ``EXCEPTIONS_FILES`` order) as ``write_reports`` writes them when nothing changed since
    that run: no finding new, every workbook reused and none stale, nothing resolved or
    removed. Each file written, and the content hash of what was written (inside
    ``keep_going``, a file left as it was, open in Excel, is still given the hash of what was
    to be written: the caller takes none of them then).

    NOTE: a flag is changed in place only where the count of what is changed proves that
    nothing else matched (a value someone typed that looks like one); else, or if a file was
    not written as the run writes it, the three are written again in full from exceptions.json.
    """
    paths = [out_dir / name for name in EXCEPTIONS_FILES]
    after = [_settled_json(before[0], workbooks, findings), _settled_csv(before[1], findings),
             _settled_xlsx(before[2], findings)]
    if any(pieces is None for pieces in after):
        from sheetsync.report.reports import rewrite_exceptions

        document = json.loads(before[0])
        for workbook in document["workbooks"]:
            workbook["reused"], workbook["stale"] = True, False
        for finding in document["findings"]:
            finding["new"] = False
        document["resolved"], document["removed"] = [], []
        return {path: content_hash(path) for path in rewrite_exceptions(document, out_dir)}
    written = {}
    for path, old, pieces in zip(paths, before, after, strict=True):
        if pieces is not None and not _same(pieces, old):
            with atomic_path(path) as temporary, open(temporary, "wb") as stream:
                stream.writelines(pieces)
            written[path] = bytes_hash(*pieces)
    return written


def _settled_json(text: bytes, workbooks: int, findings: int) -> Pieces | None:
    """As ``json.dumps(document, indent=2)`` writes it: a key of the document on a line of its
    own two spaces in (``workbooks``, ``findings``, ``warnings``, and last ``resolved`` and
    ``removed``), a key of a workbook's or finding's entry six spaces in (text has no line
    breaks of its own). Each part is searched only for its own flags (4 MB of findings).

    NOTE: the findings are not cut out of the text and joined again (fresh copies of 4 MB:
    15 ms became 9): the whole text has its findings' flags set (a workbook has no "new"
    before them; the tail after them is not kept) and the findings are written from it."""
    start, end = text.find(b'\n  "findings": '), text.rfind(b'\n  "resolved": ')
    if not 0 < start < end:
        return None
    head = text[:start]
    for old, new, count in ((b'\n      "reused": false,\n', b'\n      "reused": true,\n',
                             workbooks),
                            (b'\n      "stale": true\n', b'\n      "stale": false\n', workbooks)):
        flipped = _flipped(head, old, new, count)
        if flipped is None:
            return None
        head = flipped
    if text.count(b'\n      "new": ', start, end) != findings \
            or text.count(_NEW_TRUE, 0, start):
        return None
    if not text.endswith(b"\n}\n") or text.count(b'\n  "', end) != 2 \
            or text.find(b'\n  "removed": ', end) < 0:
        return None
    settled = text.replace(_NEW_TRUE, b'\n      "new": false\n')
    findings_end = settled.rfind(b'\n  "resolved": ')
    return [head, memoryview(settled)[start:findings_end], _NO_CHANGES]


def _settled_csv(text: bytes, findings: int) -> Pieces | None:
    """A row's last field is its "new" flag: True or False (utf-8-sig, lines ending CRLF)."""
    end = text.find(b"\r\n")  # (not partition: its rest would be a copy of 2 MB, 1.2 ms)
    header = text[:end] if end >= 0 else text
    if not header.startswith(codecs.BOM_UTF8 + b"workbook,") or not header.endswith(b",new"):
        return None
    settled = _flipped(text, b",True\r\n", b",False\r\n", findings)
    return None if settled is None else [settled]


def _settled_xlsx(package: bytes, findings: int) -> Pieces | None:
    """Every "New" saying "No", the other parts as they are, zipped as ``bulkrows`` zips them.

    NOTE: the sheet is read, settled and written a megabyte at a time, never whole: 9 MB
    unzipped, settled and zipped again whole took 52-56 ms, not 46-50 (the first touch of
    each fresh 9 MB copy's memory)."""
    written = io.BytesIO()
    try:
        with zipfile.ZipFile(io.BytesIO(package)) as source, \
                zipfile.ZipFile(written, "w") as target:
            rows = changed = None
            for info in source.infolist():
                if info.filename == _SHEET:
                    with source.open(info) as reading, target.open(deflated(info), "w") as stream:
                        rows, changed = _settle_sheet(reading, stream)
                else:
                    target.writestr(info, source.read(info), compress_type=zipfile.ZIP_DEFLATED,
                                    compresslevel=1)
    except (zipfile.BadZipFile, OSError):
        return None
    if rows != findings:  # (the header row holds shared strings: not counted)
        return None
    return [written.getvalue()] if changed else [package]


def _settle_sheet(reading: IO[bytes], stream: IO[bytes]) -> tuple[int, bool]:
    """The sheet's rows, each "New" saying "No", from ``reading`` to ``stream``, cut at the
    end of a row (where no "New" is cut in two); how many rows, and whether any said "Yes"."""
    rows, changed, rest = 0, False, b""
    while True:
        block = reading.read(_CHUNK)
        text = rest + block
        cut = len(text)
        if block:  # (the rest waits for the next block: its row may end there)
            cut = text.rfind(_ROW_END) + len(_ROW_END) if _ROW_END in text else 0
        piece, rest = text[:cut], text[cut:]
        rows += piece.count(_ROW_END)
        settled = piece.replace(*_NEW_CELL)
        changed = changed or len(settled) != len(piece)
        stream.write(settled)
        if not block:
            return rows, changed


def _flipped(text: bytes, old: bytes, new: bytes, count: int) -> bytes | None:
    """``text`` with every ``old`` made ``new``, where each of ``count`` entries holds one of
    the two; None if there are more of them (some are not what they seem)."""
    if text.count(old) + text.count(new) != count:
        return None
    return text.replace(old, new)


def _same(pieces: Pieces, old: bytes) -> bool:
    """The pieces are ``old`` (its flags already as settled)."""
    return sum(len(piece) for piece in pieces) == len(old) and b"".join(pieces) == old
