"""New cells' XML after their address, kept for the next cell of the same format and value:
a column or sheet sheetsync adds repeats a few values ("Green", a rule code, a sheet name) with
a few formats down tens of thousands of rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class CellTails:
    """``make(style, value)``, made once for each (format, type, value) and kept, up to
    ``most`` of them (then emptied). A value that cannot be a key (unhashable) or that equals
    another written apart (0.0 and -0.0) is made each time."""

    __slots__ = ("_make", "_kept", "_most")

    def __init__(self, make: Callable[[Any, Any], bytes], most: int = 4096) -> None:
        self._make, self._most = make, most
        self._kept: dict[tuple[Any, type, Any], bytes] = {}

    def get(self, style: Any, value: Any) -> bytes:
        try:
            key = (style, type(value), value) if value or not isinstance(value, float) else None
            tail = self._kept.get(key) if key is not None else None
        except TypeError:
            key, tail = None, None
        if tail is None:
            tail = self._make(style, value)
            if key is not None:
                if len(self._kept) >= self._most:
                    self._kept.clear()
                self._kept[key] = tail
        return tail


class TextTails(dict[tuple[Any, str], bytes]):
    """``tails[style, text]``: ``make(style, text)`` for a text value, made once and kept, up to
    ``most`` of them (then emptied).

    NOTE: a dict looked up by subscript, with ``__missing__`` making what it lacks: the Exceptions
    sheet of a first check has hundreds of thousands of text cells, and a ``CellTails.get``
    call for each was a tenth of writing that sheet.
    """

    __slots__ = ("_make", "_most")

    def __init__(self, make: Callable[[Any, str], bytes], most: int = 4096) -> None:
        super().__init__()
        self._make, self._most = make, most

    def __missing__(self, key: tuple[Any, str]) -> bytes:
        tail = self._make(*key)
        if len(self) >= self._most:
            self.clear()
        self[key] = tail
        return tail
