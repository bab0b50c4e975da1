"""Text for the XML the patching writer makes: escaped as ``xml_escaped`` escapes it, sooner.

A first check's copy escapes some hundred thousand texts (findings' messages in the notes and
on the Exceptions sheet, cell addresses, filled-in values); nearly all are plain ASCII.
"""

from __future__ import annotations

from sheetsync.read.package import xml_escaped

#: The ASCII characters ``xml_escaped`` escapes (&, <, >) or leaves out (controls but tab,
#: line feed and carriage return).
_SPECIAL = bytes(c for c in range(32) if c not in b"\t\n\r") + b"&<>"


def escaped_text(text: str) -> bytes:
    """``xml_escaped(text)``: the same bytes.

    NOTE: plain ASCII text is told apart by deleting those characters from its bytes (a loop
    in C) and seeing that none went, not by ``xml_escaped``'s search for any of 30 characters
    and ranges: 0.21 µs for a finding's message instead of 0.46.
    """
    if text.isascii():
        data = text.encode()
        if len(data.translate(None, _SPECIAL)) == len(data):
            return data
    return xml_escaped(text)
