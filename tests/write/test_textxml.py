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


@pytest.mark.parametrize("style", [None, 0, 7])
def test_a_new_sheets_text_cell_is_made_as_any_other_value(style: int | None) -> None:
    """The Exceptions sheet's quick way with text gives the bytes its general way gives."""
    from sheetsync.write.newsheet import _cell_tail, _text_tail

    for text in TEXTS:
        assert _text_tail(style, text) == _cell_tail(style, text)
