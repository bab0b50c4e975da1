"""The patching writer's quick escaping gives exactly what ``xml_escaped`` gives."""

from __future__ import annotations

import pytest

from sheetsync.read.package import xml_escaped
from sheetsync.write.textxml import escaped_text

TEXTS = ["", "plain", "a & b", "<tag>", "x > y", "tab\tline\nreturn\r", "bell\x07", "\x00\x1f",
         "café", "naïve & <b>", "\ud800 lone", "\ufffe\uffff", "emoji 🙂", "'quotes\"", "\x0b\x0c"]


@pytest.mark.parametrize("text", TEXTS + [chr(c) for c in range(128)])
def test_escaped_text_is_xml_escaped(text: str) -> None:
    assert escaped_text(text) == xml_escaped(text)
