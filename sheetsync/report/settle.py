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

from sheetsync.files import atomic_path

#: The last cell of an exceptions workbook's row is its "New" (text, never blank): the end of
#: a row is the end of its "New", whose text is Yes or No.
_ROW_END = b"</t></is></c></row>"
_NEW_CELL = (b'<t xml:space="preserve">Yes' + _ROW_END, b'<t xml:space="preserve">No' + _ROW_END)
_SHEET = "xl/worksheets/sheet1.xml"


def settle_exceptions(out_dir: Path, workbooks: int, findings: int) -> list[Path]:
    """``exceptions.{json,csv,xlsx}`` of ``out_dir`` (written by a ``sheetsync run`` of
    ``workbooks`` workbooks and ``findings`` findings) as ``write_reports`` writes them when
    nothing changed since that run: no finding new, every workbook reused and none stale,
    nothing resolved or removed.

    NOTE: a flag is changed in place only where the count of what is changed proves that
    nothing else matched (a value someone typed that looks like one); else, or if a file was
    not written as the run writes it, the three are written again in full from exceptions.json.
    """
    paths = [out_dir / f"exceptions.{end}" for end in ("json", "csv", "xlsx")]
    before = [_bytes_of(path) for path in paths]
    after = [_settled_json(before[0], workbooks, findings), _settled_csv(before[1], findings),
             _settled_xlsx(before[2], findings)]
    if None in after:
        from sheetsync.report.reports import rewrite_exceptions

        document = json.loads(before[0])
        for workbook in document["workbooks"]:
            workbook["reused"], workbook["stale"] = True, False
        for finding in document["findings"]:
            finding["new"] = False
        document["resolved"], document["removed"] = [], []
        return rewrite_exceptions(document, out_dir)
    for path, old, new in zip(paths, before, after, strict=True):
        if new is not None and new != old:
            with atomic_path(path) as temporary:
                temporary.write_bytes(new)
    return paths


def _settled_json(text: bytes, workbooks: int, findings: int) -> bytes | None:
    """As ``json.dumps(document, indent=2)`` writes it: a key of the document on a line of its
    own two spaces in (``workbooks``, ``findings``, ``warnings``, and last ``resolved`` and
    ``removed``), a key of a workbook's or finding's entry six spaces in (text has no line
    breaks of its own). Each part is searched only for its own flags (4 MB of findings)."""
    start, end = text.find(b'\n  "findings": '), text.rfind(b'\n  "resolved": ')
    if not 0 < start < end:
        return None
    head, body, tail = text[:start], text[start:end], text[end:]
    for old, new, count in ((b'\n      "reused": false,\n', b'\n      "reused": true,\n',
                             workbooks),
                            (b'\n      "stale": true\n', b'\n      "stale": false\n', workbooks)):
        flipped = _flipped(head, old, new, count)
        if flipped is None:
            return None
        head = flipped
    if body.count(b'\n      "new": ') != findings:
        return None
    if not tail.endswith(b"\n}\n") or tail.count(b'\n  "') != 2 \
            or b'\n  "removed": ' not in tail:
        return None
    return (head + body.replace(b'\n      "new": true\n', b'\n      "new": false\n')
            + b'\n  "resolved": [],\n  "removed": []\n}\n')


def _settled_csv(text: bytes, findings: int) -> bytes | None:
    """A row's last field is its "new" flag: True or False (utf-8-sig, lines ending CRLF)."""
    header = text.partition(b"\r\n")[0]
    if not header.startswith(codecs.BOM_UTF8 + b"workbook,") or not header.endswith(b",new"):
        return None
    return _flipped(text, b",True\r\n", b",False\r\n", findings)


def _settled_xlsx(package: bytes, findings: int) -> bytes | None:
    """Every "New" saying "No", the other parts as they are, zipped as ``bulkrows`` zips them."""
    try:
        with zipfile.ZipFile(io.BytesIO(package)) as source:
            parts = [(info, source.read(info)) for info in source.infolist()]
    except (zipfile.BadZipFile, OSError):
        return None
    at = next((n for n, (info, _data) in enumerate(parts) if info.filename == _SHEET), None)
    if at is None:
        return None
    info, sheet = parts[at]
    if sheet.count(_ROW_END) != findings:  # (the header row holds shared strings: not counted)
        return None
    settled = sheet.replace(*_NEW_CELL)
    if settled == sheet:
        return package
    parts[at] = (info, settled)
    written = io.BytesIO()
    with zipfile.ZipFile(written, "w") as target:
        for info, data in parts:
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    return written.getvalue()


def _flipped(text: bytes, old: bytes, new: bytes, count: int) -> bytes | None:
    """``text`` with every ``old`` made ``new``, where each of ``count`` entries holds one of
    the two; None if there are more of them (some are not what they seem)."""
    if text.count(old) + text.count(new) != count:
        return None
    return text.replace(old, new)


def _bytes_of(path: Path) -> bytes:
    """The file's bytes; none if it cannot be read (it is then written in full)."""
    try:
        return path.read_bytes()
    except OSError:
        return b""
