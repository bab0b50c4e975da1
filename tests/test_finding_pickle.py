"""A finding crosses between the run's processes by pickle: it must come back the same; and
its entry in the reports is its fields."""

from __future__ import annotations

import datetime as dt
import pickle

from hypothesis import given
from hypothesis import strategies as st

from sheetsync.findings import FIELD_NAMES, Finding, Severity, display_value

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


@given(value=st.none() | st.integers() | st.floats(allow_nan=False) | _TEXT | st.datetimes()
       | st.dates(), severity=st.sampled_from(Severity))
def test_a_findings_entry_has_its_fields_in_order(value: object, severity: Severity) -> None:
    finding = Finding(workbook="a.xlsx", sheet="Risks", cell="B2", row=2, column="Score",
                      ref="R1", value=value, rule="RR07", severity=severity, message="m")
    entry = finding.to_dict()
    assert tuple(entry) == FIELD_NAMES
    assert entry == {name: getattr(finding, name) for name in FIELD_NAMES} | {
        "value": display_value(value), "severity": severity.label}
