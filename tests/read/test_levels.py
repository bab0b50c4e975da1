"""Likelihood and impact as officers write them: numbers, labels in any case, label-and-number
forms, word scales and probabilities; a word the scale does not know is TY04 naming the words."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import keys, run_sheetsync, write_openpyxl
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.read.levels import choose_scale, read_level
from sheetsync.results import Settings

CONFIG = Settings.load(as_of=dt.date(2023, 3, 31)).config
LIKELIHOOD = CONFIG.scoring.likelihood
IMPACT = CONFIG.scoring.impact
HML = CONFIG.word_scales[0]


@pytest.mark.parametrize(("written", "level"), [
    (4, 4), (4.0, 4), ("4", 4), (" 4 ", 4), ("almost certain", 5), ("ALMOST  CERTAIN", 5),
    ("Almost Certain", 5), ("4 - Likely", 4), ("Likely (4)", 4), ("4 Likely", 4), ("4. Likely", 4),
    ("(4) Likely", 4), ("Very likely", 5), ("Certain", 5), ("0.45", 3), (0.45, 3), ("45%", 3),
    (0.05, 1), ("Remote", 1),
])
def test_likelihood_as_written(written: object, level: int) -> None:
    assert read_level(written, LIKELIHOOD) == (level, None, "")


@pytest.mark.parametrize("written", ["Moderate/High", "HIGHISH", "4 - Rare", True, "X"])
def test_a_word_the_scale_does_not_know_lists_the_words_it_knows(written: object) -> None:
    reading = read_level(written, LIKELIHOOD)
    assert reading.problem == "TY04"
    assert reading.value is None


def test_numbers_off_the_scale_are_read_for_rr03_to_report() -> None:
    assert read_level(16, LIKELIHOOD).value == 16
    assert read_level(0, LIKELIHOOD).value == 0


@pytest.mark.parametrize(("written", "level"), [
    ("H", 3), ("high", 3), ("Med", 2), ("M", 2), ("Low", 1), ("l", 1), ("Moderate", 2)])
def test_high_medium_low(written: str, level: int) -> None:
    assert read_level(written, HML).value == level


def test_the_scale_that_reads_most_of_a_column_wins_but_numbers_keep_the_matrix() -> None:
    assert choose_scale(["High", "Medium", "Low", "HIgh"], None, LIKELIHOOD,
                        CONFIG.word_scales) is HML
    assert choose_scale(["V High", "Very Low", "Low"], None, LIKELIHOOD,
                        CONFIG.word_scales).size == 5
    assert choose_scale([1, 3, "high"], None, LIKELIHOOD, CONFIG.word_scales) is LIKELIHOOD
    assert choose_scale(["Rare", "Almost certain", "Likely"], None, LIKELIHOOD,
                        CONFIG.word_scales) is LIKELIHOOD


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                 st.text(max_size=30), st.dates()))
def test_reading_a_level_never_raises(value: object) -> None:
    reading = read_level(value, IMPACT)
    assert reading.value is None or isinstance(reading.value, float)
    assert (reading.problem is None) or reading.value is None


@given(st.integers(1, 5), st.sampled_from(["{n} - {w}", "{w} ({n})", "{n} {w}", "{W}", "{w}"]))
def test_every_label_form_reads_as_its_level(number: int, form: str) -> None:
    label = LIKELIHOOD.labels[number - 1]
    text = form.format(n=number, w=label, W=label.upper())
    assert read_level(text, LIKELIHOOD).value == number


def test_a_register_in_high_medium_low_is_scored_on_that_scale(tmp_path) -> None:
    rows = [["Ref", "Risk", "Owner", "Likelihood", "Impact", "Rating"],
            ["R1", "Budget", "CFO", "High", "High", "High"],
            ["R2", "Cyber", "CIO", "Medium", "Low", "Low"],
            ["R3", "Staff", "HR", "Low", "HIgh", "Medium"],
            ["R4", "Flood", "CEX", "Hihg", "Low", None]]
    path = write_openpyxl(tmp_path / "in" / "hml.xlsx", {"Risks": rows})
    run = run_sheetsync([path], tmp_path / "out")
    assert keys(run) == [("TY04", "Risks", "D5")]
    finding = run.findings[0]
    assert finding.message == ("Likelihood holds 'Hihg', which is not a level of this sheet's scale. "
                               "Enter one of Low, Medium or High (or 1 to 3).")
    records = run.workbooks[0].sheets[0].records
    assert [(r["residual_score"], r["residual_rating"]) for r in records][:3] == [
        (9.0, "Red"), (2.0, "Green"), (3.0, "Amber")]
