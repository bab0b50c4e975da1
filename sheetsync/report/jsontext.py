"""JSON text as ``json.dumps(value, indent=2, ensure_ascii=False, default=str)`` writes it,
made faster for the long lists of flat objects a report holds (its findings, one per cell).

NOTE: Python's JSON encoder is written in C only for text without indentation; with
``indent=2`` each value goes through pure Python, a second for a first check's 24,500
findings. A list of flat objects is encoded by the C encoder with the indented form's line
breaks as its separators; other values go through ``json.dumps`` as before. A test checks the
text is the same for any value.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

_OPTIONS: dict[str, Any] = {"ensure_ascii": False, "default": str}
#: Inside a list of objects at the document's top level, an object's fields are indented 6.
_FIELDS = json.JSONEncoder(separators=(",\n      ", ": "), **_OPTIONS)
#: Types the encoder writes as one scalar: nothing in them is a list or an object.
_SCALARS = frozenset({str, int, float, bool, type(None)})


def json_pieces(document: Any) -> Iterator[str]:
    """``json.dumps(document, indent=2, ensure_ascii=False, default=str)``, the same text, in
    pieces to be written as they come (a long list of objects goes a batch at a time: never
    whole in memory, nor copied)."""
    if not isinstance(document, dict) or not document or \
            not all(isinstance(key, str) for key in document):
        yield json.dumps(document, indent=2, **_OPTIONS)
        return
    yield "{\n  "
    for number, (key, value) in enumerate(document.items()):
        if number:
            yield ",\n  "
        yield json.dumps(key, **_OPTIONS) + ": "
        yield from _member(value)
    yield "\n}"


def _member(value: Any) -> Iterator[str]:
    """A top-level member's value, as indented at depth 1."""
    if isinstance(value, list) and value and all(_flat(item) for item in value):
        # NOTE: a line break in the text is always a separator (in strings it is escaped),
        # and "},<break>{" only ever joins two objects: their values are scalars.
        yield "[\n    {\n      "
        for start in range(0, len(value), _BATCH):
            if start:
                yield "\n    },\n    {\n      "
            batch = _FIELDS.encode(value[start:start + _BATCH])
            yield batch[2:-2].replace("},\n      {", "\n    },\n    {\n      ")
        yield "\n    }\n  ]"
        return
    yield json.dumps(value, indent=2, **_OPTIONS).replace("\n", "\n  ")


_BATCH = 2000  #: Objects encoded at once.


def _flat(item: Any) -> bool:
    # NOTE: the types of its keys and values checked in C first: a generator over them took
    # 0.03 s over a first check's findings
    return (type(item) is dict and bool(item) and _TEXT.issuperset(map(type, item))
            and (_SCALARS.issuperset(map(type, item.values()))
                 or all(type(v) in _SCALARS or _default_scalar(v) for v in item.values())))


_TEXT = frozenset({str})


def _default_scalar(value: Any) -> bool:
    """A value the encoder turns into text with ``default=str`` (a date, a Decimal)."""
    return not isinstance(value, (list, tuple, dict, str, int, float, bool)) and value is not None
