"""The fast indented JSON writes exactly the text ``json.dumps(indent=2)`` writes."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync.report.jsontext import json_pieces

_SCALAR = (st.text() | st.integers() | st.floats() | st.booleans() | st.none()
           | st.dates() | st.sampled_from(["},\n      {", '"}, {"', "\\", "\u2028", "—"]))
_FLAT = st.dictionaries(st.text(max_size=8), _SCALAR, max_size=6)
_ANY = st.recursive(_SCALAR, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=12)
_DOCUMENT = st.dictionaries(st.text(max_size=8), st.lists(_FLAT, max_size=6) | _ANY, max_size=5)


def indented_json(document: object) -> str:
    return "".join(json_pieces(document))


def _dumps(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


@settings(max_examples=400, deadline=None)
@given(document=_DOCUMENT | _ANY)
def test_the_text_is_json_dumps_with_indent_2_for_any_document(document) -> None:
    assert indented_json(document) == _dumps(document)


def test_a_report_document_with_findings_is_written_the_same() -> None:
    findings = [{"workbook": "a.xlsx", "sheet": "Risks", "cell": "K5", "row": 5, "value": 12.5,
                 "rule": "RR07", "severity": "warning", "message": "Line one\nline 'two' \"q\"",
                 "new": True, "date": dt.date(2023, 3, 31)} for _ in range(3)]
    document = {"as_of": "2023-03-31", "workbooks": [{"path": "a.xlsx", "sheets": [{"x": 1}]}],
                "findings": findings, "warnings": [], "resolved": [], "removed": []}
    text = indented_json(document)
    assert text == _dumps(document)
    assert '\n    {\n      "workbook": "a.xlsx",\n      "sheet": "Risks",' in text


def test_a_list_longer_than_a_batch_is_written_the_same_in_pieces() -> None:
    findings = [{"cell": f"K{n}", "row": n, "new": n % 3 == 0, "value": n / 7} for n in range(4501)]
    document = {"as_of": "2023-03-31", "findings": findings, "warnings": []}
    pieces = list(json_pieces(document))
    assert "".join(pieces) == _dumps(document)
    assert max(map(len, pieces)) < len("".join(pieces)) / 2  # (not one piece holding the lot)
