"""A checked frame's columns, each taken out of pandas once for all who read it."""

from __future__ import annotations

import pandas as pd


class Columns:
    """The columns of a frame that no longer changes, by name, each taken out once.

    NOTE: ``frame[name]`` makes a new Series at every look (pandas 3 keeps none), and a
    register's checks, records and annotations look at many of its columns several times:
    a heavy register of a hundred rows made 73 of them. The Series handed out are shared:
    read them, never change them.
    """

    __slots__ = ("_taken", "frame", "index")

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.index = frame.index
        self._taken: dict[str, pd.Series] = {}

    def __contains__(self, name: object) -> bool:
        return name in self.frame.columns

    def __getitem__(self, name: str) -> pd.Series:
        column = self._taken.get(name)
        if column is None:
            column = self._taken[name] = self.frame[name]
        return column

    def get(self, name: str, default: pd.Series | None = None) -> pd.Series | None:
        """The column, or ``default`` when the frame has none of that name.

        NOTE: not by catching pandas' KeyError, as ``DataFrame.get`` does: most record
        fields are missing from most sheets."""
        return self[name] if name in self.frame.columns else default
