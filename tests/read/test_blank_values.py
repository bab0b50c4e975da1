"""A column's blank values, asked of each cell, say what ``is_blank_cell`` says of it."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.read.values import blank_values, is_blank_cell

_CELLS = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.floats(allow_nan=True),
                   st.just(float("nan")), st.just(np.float64("nan")), st.just(np.nan),
                   st.sampled_from(["", " ", "\t\n", "x", " TBC ", dt.date(2023, 1, 2)]),
                   st.text(max_size=3))


@given(st.lists(_CELLS, max_size=25))
def test_blank_values_as_is_blank_cell(column: list[object]) -> None:
    blanks = blank_values(column)
    assert [value in blanks for value in column] == [is_blank_cell(value) for value in column]
