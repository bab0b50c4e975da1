"""Rules as they meet real registers: a group's RISK column, a column on its own scheme, the
column headed with its own name, probabilities beside likelihoods, appetite on a sheet's own
scale, and the dates and owners registers leave blank."""

from __future__ import annotations

import datetime as dt

from helpers import keys, run_sheetsync, write_openpyxl

from sheetsync.results import Settings
from sheetsync.rules.governance import on_scale
from sheetsync.settings.scales import Band, Scoring

S = "Risks"


def run_on(tmp_path, rows, setup=None, sheet=S):
    path = write_openpyxl(tmp_path / "in" / "register.xlsx", {sheet: rows}, setup)
    return run_sheetsync([path], tmp_path / "out")


def test_risk_under_an_inherent_risk_group_is_its_score_and_words_make_it_the_rating(tmp_path) -> None:
    rows = [["Ref", "Description", "Owner", "Inherent risk", None, None],
            [None, None, None, "Likelihood", "Impact", "Risk"],
            ["R1", "Budget", "CFO", 4, 4, "Red"], ["R2", "Cyber", "CIO", 2, 2, "Red"]]
    run = run_on(tmp_path, rows, lambda wb: wb[S].merge_cells("D1:F1"))
    assert keys(run) == [("RR06", S, "F4")]
    columns = {c["column"]: c["meaning"] for c in run.workbooks[0].sheets[0].account["columns"]}
    assert columns["F"] == "inherent rating"


def test_a_rating_column_that_disagrees_on_every_row_is_a_note_not_ten_findings(tmp_path) -> None:
    rows = [["Ref", "Description", "Owner", "Likelihood", "Impact", "Rating"]] + [
        [f"R{n}", "Risk", "CFO", 1, 2, "Red"] for n in range(1, 13)]
    run = run_on(tmp_path, rows)
    assert keys(run) == []
    notes = run.workbooks[0].sheets[0].account["notes"]
    assert any("'Rating' disagrees with what sheetsync works out on 12 of 12 rows" in n for n in notes)


def test_a_few_wrong_ratings_among_right_ones_are_still_findings(tmp_path) -> None:
    rows = [["Ref", "Description", "Owner", "Likelihood", "Impact", "Rating"]] + [
        [f"R{n}", "Risk", "CFO", 1, 2, "Green"] for n in range(1, 12)] + [
        ["R12", "Risk", "CFO", 1, 2, "Red"]]
    assert keys(run_on(tmp_path, rows)) == [("RR06", S, "F13")]


def test_the_column_headed_status_is_the_status_beside_a_rag(tmp_path) -> None:
    rows = [["Ref", "Action", "RAG", "Lead", "Status"],
            ["A1", "Review budgets", None, "CFO", "Completed"],
            ["A2", "Restructure", "G", "CEX", None]]
    run = run_on(tmp_path, rows, sheet="Actions")
    assert keys(run) == [("AP05", "Actions", "E3"), ("HD02", "Actions", "C1")]


def test_a_blank_date_identified_and_an_issue_with_no_owner(tmp_path) -> None:
    risks = [["Ref", "Description", "Owner", "Likelihood", "Impact", "Date identified"],
             ["R1", "Budget", "CFO", 2, 2, "01/02/2023"], ["R2", "Cyber", "CIO", 2, 2, None],
             ["R3", "Flood", "CEX", 1, 1, "01/05/2023"]]
    issues = [["Ref", "Issue", "Date logged", "Priority", "Status", "Owner"],
              ["I1", "Supplier late", "01/02/2023", "High", "Open", None]]
    path = write_openpyxl(tmp_path / "in" / "both.xlsx", {S: risks, "Issues": issues})
    run = run_sheetsync([path], tmp_path / "out")
    assert keys(run) == [("IL10", "Issues", "F2"), ("RR21", S, "F3"), ("RR22", S, "F4")]
    severities = {f.rule: f.severity.label for f in run.findings}
    assert severities == {"IL10": "error", "RR21": "warning", "RR22": "error"}


def test_a_probability_beside_the_likelihood_must_fall_in_its_level(tmp_path) -> None:
    rows = [["Ref", "Description", "Owner", "Likelihood", "Prob", "Impact"],
            ["R1", "Budget", "CFO", "Likely", 0.6, 3], ["R2", "Cyber", "CIO", "Unlikely", 0.05, 3]]
    run = run_on(tmp_path, rows)
    assert keys(run) == [("RR23", S, "E3")]
    assert run.findings[0].message == ("The residual probability falls in likelihood level 1, but "
                                       "the likelihood beside it is level 2. Make the two agree.")
    assert run.findings[0].value == 0.05


def test_high_times_high_with_no_mitigation_is_beyond_appetite_on_a_word_scale(tmp_path) -> None:
    rows = [["ID", "Risk Description", "Impact (High/Med/Low)", "Likelihood (High/Med/Low)",
             "Mitigation Strategy"],
            ["R1", "Model too slow", "High", "High", None],
            ["R2", "Security", "High", "Medium", "Code reviews"],
            ["R3", "Docs", "Low", "Medium", None]]
    run = run_on(tmp_path, rows)
    assert ("RR12", S, "E2") in keys(run)
    assert not [k for k in keys(run) if k[0] == "RR12" and k[2] != "E2"]


def test_an_appetite_on_the_settings_scale_on_a_sheets_own_scale() -> None:
    settings = Settings.load(as_of=dt.date(2023, 3, 31)).config.scoring
    word = settings.scale("likelihood")
    legend = Scoring(likelihood=word, impact=word, source="'Legend'!A1:B5", bands=(
        Band("Very Low", 1, "00B050"), Band("Low", 26, "00B050"), Band("Medium", 51, "FFC000"),
        Band("High", 76, "FF0000"), Band("Very High", 101, "FF0000")),
        score_matrix=tuple(tuple(float(r * c * 5) for c in range(1, 6)) for r in range(1, 6)))
    assert on_scale(14, settings, legend) == 100  # Amber's top: the band second from the top
    assert on_scale(25, settings, legend) == 125
    assert on_scale(10, settings, legend) == 50  # no band's top: in proportion


def test_an_hml_sheet_rates_in_its_own_words_and_alike(tmp_path) -> None:
    rows = [["Ref", "Description", "Owner", "Likelihood (H/M/L)", "Impact (H/M/L)", "Rating"],
            ["R1", "Budget", "CFO", "M", "H", "M - H"], ["R2", "Cyber", "CIO", "M", "H", "M - H"],
            ["R3", "Flood", "CEX", "M", "H", "M"], ["R4", "Staff", "HR", "L", "L", "L"],
            ["R5", "Data", "CIO", "H", "H", "H"]]
    run = run_on(tmp_path, rows)
    assert keys(run) == [("RR20", S, "F2"), ("RR20", S, "F3"), ("RR24", S, "F4")]
    rr20 = next(f for f in run.findings if f.rule == "RR20")
    assert rr20.message == ("The residual rating should be one of Green (G, Low, l, lo), Amber "
                            "(A, Medium, Moderate, med, m, mod) or Red (R, High, Very high, h, hi), "
                            "but the cell holds 'M - H'.")
