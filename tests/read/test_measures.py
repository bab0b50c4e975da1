"""The target, actual and money readers: every form officers write, and never an exception."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.read.measures import format_measure, money_scale, read_measure, read_money


@pytest.mark.parametrize(("typed", "value", "unit", "comparator"), [
    ("97.00%", 0.97, "%", None), ("5 days", 5, "days", None), ("<26 weeks", 26, "weeks", "<="),
    (">90%", 0.9, "%", ">="), ("<£20,000", 20000, "£", "<="), ("£1.0m", 1e6, "£", None),
    ("£12,000", 12000, "£", None), ("<175", 175, "number", "<="), ("<6 months", 6, "months", "<="),
    ("≥ 95%", 0.95, "%", ">="), ("6.3", 6.3, "number", None), ("Compliant", 1, "yes/no", None),
    ("<10% variance", 0.1, "%", "<="), ("8% variance", 0.08, "%", None),
    ("£20k budget", 20000, "£", None), ("<5 days turnaround", 5, "days", "<="),
])
def test_target_forms(typed, value, unit, comparator) -> None:
    measure = read_measure(typed)
    assert (measure.value, measure.unit, measure.comparator) == (pytest.approx(value), unit, comparator)


def test_percent_formatted_number_and_band() -> None:
    assert (read_measure(0.97, "0.00%").value, read_measure(0.97, "0.00%").unit) == (0.97, "%")
    band = read_measure("between 95% and 98%")
    assert (band.low, band.value, band.unit) == (0.95, 0.98, "%")


@pytest.mark.parametrize("typed", ["TBD", "TBC", "Reactive", "As much as possible during the year",
                                   None, "  "])
def test_placeholders_make_data_only(typed) -> None:
    assert read_measure(typed).placeholder


@pytest.mark.parametrize("typed", ["98.70% (LBH) 99.6% (LBN)", "95%%", "1,20", "#REF!",
                                   # words that change what the figure means, or no unit
                                   "10% reduction", "90% or more", "5 per month", "2 days early",
                                   "95 calls", "10% of calls"])
def test_unreadable_values_say_why(typed) -> None:
    measure = read_measure(typed)
    assert measure.value is None and not measure.placeholder and measure.problem


@pytest.mark.parametrize(("typed", "scale", "value"), [
    ("£1,200", 1, 1200), ("1,200", 1, 1200), ("£1.2m", 1, 1.2e6), ("£50k", 1, 5e4),
    ("£0.727m", 1, 727000), ("(£0.727m)", 1, -727000), ("-£0.5m", 1, -5e5), (563.3, 1e6, 563.3e6),
    ("12.5", 1e3, 12500), ("£2m", 1e3, 2e6), ("- 2,456,000", 1, -2456000),
])
def test_money_forms(typed, scale, value) -> None:
    assert read_money(typed, scale).value == pytest.approx(value)


@pytest.mark.parametrize(("header", "scale"), [("£'000", 1e3), ("Budget £000s", 1e3),
                                                ("Outturn (£m)", 1e6), ("Total £", 1)])
def test_money_scale_from_header(header, scale) -> None:
    assert money_scale(header) == scale


@given(st.one_of(st.text(), st.integers(), st.floats(), st.none(), st.booleans()))
def test_readers_never_raise(value) -> None:
    for measure in (read_measure(value), read_money(value)):
        assert measure.value is None or isinstance(measure.value, float)
        assert measure.value is None or measure.problem is None


@given(st.decimals(min_value=0, max_value=10**7, places=2),
       st.sampled_from(["", "<", ">", "<=", ">="]))
def test_pounds_round_trip(amount, comparator) -> None:
    measure = read_measure(f"{comparator}£{amount:,.2f}")
    assert measure.unit == "£" and measure.value == pytest.approx(float(amount))
    assert measure.comparator == ({"<": "<=", ">": ">="}.get(comparator, comparator) or None)


@given(st.floats(min_value=0, max_value=1, allow_nan=False).map(lambda x: round(x, 4)))
def test_percentages_round_trip(fraction) -> None:
    assert read_measure(format_measure(fraction, "%")).value == pytest.approx(fraction, abs=5.001e-4)


@given(st.decimals(min_value=-10**6, max_value=10**6, places=3), st.sampled_from(["k", "m"]))
def test_scaled_money_round_trip(amount, suffix) -> None:
    text = f"£{abs(amount)}{suffix}"
    if amount < 0:
        text = f"({text})"
    expected = float(amount) * (1e3 if suffix == "k" else 1e6)
    assert read_money(text).value == pytest.approx(expected)
