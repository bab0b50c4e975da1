"""Text escaped for the XML the writers make, and the Exceptions sheet's quick text cells:
exactly the bytes of the general way."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.read.package import _NOT_XML, xml_escaped

TEXTS = ["", "plain", "a & b", "<tag>", "x > y", "tab\tline\nreturn\r", "bell\x07", "\x00\x1f",
         "café", "naïve & <b>", "\ud800 lone", "\ufffe\uffff", "emoji 🙂", "'quotes\"", "\x0b\x0c",
         "\x7f del", "ascii then é & <"]


def _escaped_in_full(text: str) -> bytes:
    """What the quick paths must give: every text escaped and cleaned the long way."""
    return html.escape(_NOT_XML.sub("", text), quote=False).encode("utf-8", "surrogatepass")


@pytest.mark.parametrize("text", TEXTS + [chr(c) for c in range(128)])
def test_text_is_escaped_as_in_full(text: str) -> None:
    assert xml_escaped(text) == _escaped_in_full(text)


@given(st.text(st.characters(exclude_categories=())) | st.text(st.characters(max_codepoint=127)))
def test_any_text_is_escaped_as_in_full(text: str) -> None:
    assert xml_escaped(text) == _escaped_in_full(text)


@pytest.mark.parametrize("style", [None, 0, 7])
def test_a_new_sheets_text_cell_is_made_as_any_other_value(style: int | None) -> None:
    """The Exceptions sheet's quick way with text gives the bytes its general way gives."""
    from sheetsync.write.newsheet import _cell_tail, _text_tail

    for text in TEXTS:
        assert _text_tail(style, text) == _cell_tail(style, text)
