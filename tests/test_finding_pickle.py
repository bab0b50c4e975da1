"""A finding crosses between the run's processes by pickle: it must come back the same."""

from __future__ import annotations

import datetime as dt
import pickle

from hypothesis import given
from hypothesis import strategies as st

from sheetsync.findings import Finding, Severity

_TEXT = st.text(max_size=12)
_OPTIONAL = st.none() | _TEXT


@given(workbook=_TEXT, sheet=_OPTIONAL, cell=_OPTIONAL, row=st.none() | st.integers(1, 10**6),
       column=_OPTIONAL, ref=_OPTIONAL, rule=_TEXT, message=_TEXT,
       severity=st.sampled_from(Severity),
       value=st.none() | st.integers() | st.floats(allow_nan=False) | _TEXT | st.datetimes()
       | st.dates())
def test_a_finding_comes_back_from_pickle_as_it_was(**fields) -> None:
    finding = Finding(**fields)
    back = pickle.loads(pickle.dumps(finding, pickle.HIGHEST_PROTOCOL))
    assert back == finding
    assert [type(getattr(back, name)) for name in fields] == [
        type(getattr(finding, name)) for name in fields]
    assert back.severity is finding.severity


def test_findings_with_one_value_keep_it_shared() -> None:
    day = dt.datetime(2023, 3, 31)
    findings = [Finding(workbook="a.xlsx", sheet="Risks", cell=f"A{n}", row=n, column="Date",
                        ref=None, value=day, rule="RR09", severity=Severity.ERROR, message="m")
                for n in range(1, 4)]
    back = pickle.loads(pickle.dumps(findings))
    assert back == findings and back[0].value is back[2].value
