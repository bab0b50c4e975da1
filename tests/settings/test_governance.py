"""The appetite, escalation and exempt settings: read as an analyst writes them, mistakes named."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.errors import ConfigError
from sheetsync.settings.config import load_config
from sheetsync.settings.governance import stated_within
from sheetsync.settings.schemas import default_schemas_dir


def settings(tmp_path, text: str):
    path = tmp_path / "ours.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(default_schemas_dir(), path)


def test_defaults(tmp_path) -> None:
    governance = load_config(default_schemas_dir()).governance
    assert governance.appetite.default == 14  # Red (from 15) is beyond appetite
    assert governance.appetite.levels == {"averse": 4, "minimal": 8, "cautious": 12, "open": 16,
                                          "eager": 25}
    assert governance.escalation.from_score == 15  # the top band
    assert governance.escalation.match_on == ("ref", "title")
    assert governance.exempt.references == frozenset()
    assert governance.exempt.replacement == "Exempt information"


def test_appetite_as_score_band_or_level(tmp_path) -> None:
    appetite = settings(tmp_path, """
appetite:
  default: cautious
  categories: {Financial: 9, Safeguarding: Green, People: Open, Legal: minimal}
  levels: {open: 15}
""").governance.appetite
    assert appetite.default == 12
    assert appetite.by_category == {"financial": 9, "safeguarding": 4, "people": 15, "legal": 8}
    assert appetite.ceiling("  FINANCIAL ") == 9
    assert appetite.ceiling("Unknown") == 12
    assert appetite.ceiling("Financial", own="averse") == 4


def test_escalation_from_a_score_or_a_band(tmp_path) -> None:
    assert settings(tmp_path, "escalation: {from_score: 16}\n").governance.escalation \
        .from_score == 16
    escalation = settings(tmp_path, "escalation: {from_band: amber, match_on: title, "
                                    "corporate: '*strategic*'}\n").governance.escalation
    assert (escalation.from_score, escalation.match_on, escalation.corporate) == (
        5, ("title",), ("*strategic*",))
    assert escalation.is_corporate("Registers/Strategic Risks.xlsx")
    assert not escalation.is_corporate("Registers/Housing.xlsx", "Risks", None)


@pytest.mark.parametrize(("text", "problem"), [
    ("appetite: {default: brave}\n", "appetite.default: 'brave' should be a score (such as 12), "
                                     "a band or an appetite level"),
    ("appetite: {categories: [Financial]}\n", "appetite.categories should map categories"),
    ("appetite: {levels: {open: lots}}\n", "appetite.levels.open should be a whole number"),
    ("appetite: {tolerance: 3}\n", "appetite: unknown setting 'tolerance'"),
    ("escalation: {from_band: Purple}\n", "escalation.from_band: 'Purple' is not one of the "
                                          "score bands (Green, Amber, Red)"),
    ("escalation: {from_score: 0}\n", "escalation.from_score should be a whole number"),
    ("escalation: {from_score: 16, from_band: Red}\n", "give from_score or from_band, not both"),
    ("escalation: {match_on: [owner]}\n", "escalation.match_on should list ref, title or both"),
    ("exempt: {references: CR7}\n", "exempt.references should list risk references"),
    ("exempt: {hide: [score]}\n", "exempt.hide should list some of"),
    ("exempt: yes\n", "exempt should be a set of 'name: value' settings"),
])
def test_mistakes_name_the_file(tmp_path, text, problem) -> None:
    with pytest.raises(ConfigError) as raised:
        settings(tmp_path, text)
    assert str(raised.value).startswith(str(tmp_path / "ours.yaml") + ": ")
    assert problem in str(raised.value)


def test_a_four_band_scale_keeps_its_own_top(tmp_path) -> None:
    governance = settings(tmp_path, """
risk_matrix: {likelihood: [A, B, C, D], impact: [1, 2, 3, 4]}
score_bands:
  - {name: Low, from: 1}
  - {name: Medium, from: 5}
  - {name: High, from: 9}
  - {name: Very high, from: 13}
""").governance
    assert governance.appetite.default == 12
    assert governance.escalation.from_score == 13
    assert governance.appetite.read("very high") == 16


@given(st.sampled_from(["Yes", "y", " YES ", "Within", "within appetite", "True", "\u2713"]))
def test_words_for_within(word: str) -> None:
    assert stated_within(word) is True


@given(st.sampled_from(["No", "n", "Outside", "Above appetite", "Exceeds", "false", "Beyond."]))
def test_words_for_beyond(word: str) -> None:
    assert stated_within(word) is False


@given(st.one_of(st.none(), st.integers(), st.text().filter(
    lambda t: " ".join(t.casefold().split()).rstrip(".!") not in {
        "yes", "y", "true", "within", "within appetite", "in appetite", "inside appetite",
        "inside", "accepted", "acceptable", "\u2713", "\u2714", "no", "n", "false", "outside",
        "outside appetite", "above", "above appetite", "beyond", "beyond appetite", "exceeds",
        "exceeds appetite", "over", "over appetite", "not within appetite", "\u2717",
        "\u2718"})))
def test_anything_else_says_nothing(value: object) -> None:
    assert stated_within(value) is None
