"""Each score's band name, as ``Series.map`` of a dict of them gives it, whichever way made."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.results import Settings
from sheetsync.rules.derive import _band_name, _banded

SCORING = Settings.load(as_of=dt.date(2023, 3, 31)).config.scoring


def _mapped(scores: pd.Series) -> pd.Series:
    return scores.map({s: _band_name(s, SCORING) for s in scores.dropna().unique()}).astype(object)


@given(st.lists(st.one_of(st.integers(-3, 30).map(float), st.just(np.nan), st.just(-0.0),
                          st.floats(-5, 40)), max_size=20))
def test_banded_as_map(scores: list[float]) -> None:
    series = pd.Series(scores, dtype=np.float64, index=range(4, 4 + len(scores)), name="s")
    got, expected = _banded(series, SCORING), _mapped(series)
    pd.testing.assert_series_equal(got, expected)
    assert [type(v) for v in got.tolist()] == [type(v) for v in expected.tolist()]
