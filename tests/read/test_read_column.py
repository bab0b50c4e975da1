"""A text column reads each cell as ``read_text`` does, whether its texts repeat (each distinct
text tidied once) or not (cell by cell)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from sheetsync.read.coerce import read_column
from sheetsync.read.values import read_text

_CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True),
    st.sampled_from(["Low", " Low ", "low  risk", "TBC", " n/a", "#REF!", "#1 priority", "",
                     "  ", "Officer\u00a0one", "R1", dt.datetime(2023, 1, 2)]),
    st.text(max_size=8))


def _as_read_text(cells: list[object]) -> None:
    read, problems = read_column(cells, "text")
    readings = [read_text(cell) for cell in cells]
    assert read == [reading.value for reading in readings]
    assert all(type(a) is type(b) for a, b in zip(read, [r.value for r in readings], strict=True))
    assert problems == {n: r for n, r in enumerate(readings) if r.problem is not None}


@given(st.lists(_CELLS, max_size=12))
def test_a_column_of_mostly_distinct_cells(cells: list[object]) -> None:
    _as_read_text(cells)


@given(st.lists(_CELLS, min_size=1, max_size=4), st.integers(4, 12))
def test_a_column_of_repeated_cells(pool: list[object], times: int) -> None:
    _as_read_text(pool * times)
