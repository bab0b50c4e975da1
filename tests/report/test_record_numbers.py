"""A float column's record (and trusted score) values, made by numpy, are the ones a value at
a time gives."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.report.records import _SHORT, _plain_float, _plain_floats, whole_numbers


def _same(numbers: list[float]) -> None:
    whole = whole_numbers(np.array(numbers, dtype=np.float64))
    if whole is not None:  # (as the pipeline's _cell_value gives a float)
        cells = [int(v) if v.is_integer() else v for v in numbers]
        assert [(type(v), v) for v in whole.tolist() if v == v] == \
            [(type(v), v) for v in cells if v == v]
        assert [v != v for v in whole.tolist()] == [v != v for v in cells]
    for column in (numbers, numbers * (_SHORT // max(1, len(numbers)) + 1)):  # (short, long)
        expected = [_plain_float(v) for v in column]
        got = _plain_floats(np.array(column, dtype=np.float64))
        assert [(type(v), v) for v in got] == [(type(v), v) for v in expected]


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True)
                | st.integers(-10**6, 10**6).map(float), max_size=30))
def test_any_floats_read_as_one_at_a_time(numbers: list[float]) -> None:
    _same(numbers)


def test_the_edges() -> None:
    _same([])
    _same([-0.0, 0.5, float("nan"), 2.0 ** 62, -(2.0 ** 63), 2.0 ** 61, 1e300, float("inf")])
    _same([3.0, float("nan"), 12.0, 2.5])
