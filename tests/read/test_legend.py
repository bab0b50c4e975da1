"""The workbook's own legend wins: bands, level lists and matrices found on legend sheets, above
the register's header or to its right are used for that workbook, and said so; a workbook with
none, or with one sheetsync cannot read with confidence, is read with the settings."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import keys, run_sheetsync, write_openpyxl, write_xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync.read.legend import find_legend
from sheetsync.read.locate import locate_register
from sheetsync.read.rows import read_register
from sheetsync.read.workbook import read_workbook
from sheetsync.results import Settings
from sheetsync.settings.scales import Scoring

SETTINGS = Settings.load(as_of=dt.date(2023, 3, 31))
HEADER = ["Ref", "Risk description", "Risk owner", "Likelihood", "Impact", "Score", "Rating"]


def legend_of(path: Path, sheet: str = "Register") -> Scoring | None:
    """The legend ``find_legend`` makes for the register on ``sheet``."""
    package, book = read_workbook(path)
    with package:
        grid = next(s for s in book.sheets if s.title == sheet)
        layout = locate_register(grid, SETTINGS.specs)
        assert layout is not None
        raw = read_register(grid, layout)
        levels = {n: raw.raw[n].tolist() for n in raw.raw.columns
                  if layout.spec.columns[n].type == "level"}
        return find_legend(book, grid, layout, SETTINGS.config.scoring, levels)


def messages(run: Any) -> dict[str | None, str]:
    return {f.cell: f.message for f in run.findings}


def risk_findings(run: Any) -> list[tuple[str, str | None, str | None]]:
    """Findings other than missing optional columns (HD01: no review date and the like)."""
    return [k for k in keys(run) if k[0] != "HD01"]


# --- a Legend sheet of score bands ------------------------------------------------------------


def bands_workbook(path: Path, writer: Any = write_openpyxl) -> Path:
    return writer(path, {
        "Register": [["Cyber risk register"], HEADER,
                     ["R1", "Phishing", "IT lead", 4, 4, 16, "High"],
                     ["R2", "Patching", "IT lead", 3, 5, 15, "High"],    # 15 is Medium: RR06
                     ["R3", "USB drives", "IT lead", 3, 3, 9, "Amber"],  # Amber is Medium's colour
                     ["R4", "Backups", "Ops lead", 1, 4, 4, "Low"]],
        "Legend": [["Risk Score Levels"], ["Risk Level", "Score Range", "Colour Indicator"],
                   ["High", "16–25"], ["Medium", "9–15"], ["Low", "1–8"], [],
                   ["Likelihood (1–5)", "Probability of the risk occurring"],
                   ["Impact (1–5)", "Severity of the risk's effect"]],
    })


def test_a_legend_sheet_of_bands_gives_the_bands_and_keeps_their_names(tmp_path: Path) -> None:
    legend = legend_of(bands_workbook(tmp_path / "in" / "cyber.xlsx"))
    assert legend is not None
    assert [(b.name, b.start, b.colour) for b in legend.bands] == [
        ("Low", 1, "00B050"), ("Medium", 9, "FFC000"), ("High", 16, "FF0000")]
    assert legend.source == "'Legend'!A3:B5"
    assert legend.method == "product" and legend.likelihood.source == "settings"
    assert legend.notes == ("bands Low from 1, Medium from 9, High from 16 from 'Legend'!A3:B5",)


def test_a_rating_against_the_legend_bands_is_checked_by_them(tmp_path: Path) -> None:
    run = run_sheetsync([bands_workbook(tmp_path / "in" / "cyber.xlsx")], tmp_path / "out")
    assert risk_findings(run) == [("RR06", "Register", "G4")]
    assert messages(run)["G4"] == ("A residual score of 15 is rated Medium under the workbook's "
                                   "score bands, but the sheet says High.")


def test_the_legend_sheet_is_named_as_the_legend_not_as_a_register_to_fix(tmp_path: Path) -> None:
    run = run_sheetsync([bands_workbook(tmp_path / "in" / "cyber.xlsx")], tmp_path / "out")
    [skipped] = run.workbooks[0].skipped_sheets
    assert (skipped["name"], skipped["legend_for"]) == ("Legend", ["Register"])
    assert skipped["reason"] == ("the workbook's legend: its scales and bands are used for "
                                 "Register")


def test_the_sheets_account_says_the_scoring_came_from_the_legend(tmp_path: Path) -> None:
    import sheetsync.pipeline

    package, book = read_workbook(bands_workbook(tmp_path / "in" / "cyber.xlsx"))
    with package:
        grid = book.sheets[0]
        layout = locate_register(grid, SETTINGS.specs)
        assert layout is not None
        raw = read_register(grid, layout)
        sheetsync.pipeline._settle_levels(raw, SETTINGS.config, book, grid)
    assert raw.scoring is not None and raw.scoring.source == "'Legend'!A3:B5"
    assert raw.layout.notes[:2] == [
        "scale and bands from the workbook's legend 'Legend'!A3:B5",
        "bands Low from 1, Medium from 9, High from 16 from 'Legend'!A3:B5"]


@settings(deadline=None, max_examples=15)
@given(order=st.permutations([0, 1, 2]), dash=st.sampled_from(["-", "–", " - ", " to "]),
       one_cell=st.booleans())
def test_bands_are_read_in_any_order_with_any_dash_in_one_cell_or_two(
        tmp_path_factory: pytest.TempPathFactory, order: list[int], dash: str, one_cell: bool) -> None:
    bands = [("Low", 1, 8), ("Medium", 9, 15), ("High", 16, 25)]
    rows: list[list[Any]] = [["Key"]]
    for i in order:
        name, low, high = bands[i]
        rows.append([f"{name} {low}{dash}{high}"] if one_cell else [name, f"{low}{dash}{high}"])
    path = write_openpyxl(tmp_path_factory.mktemp("bands") / "b.xlsx", {
        "Register": [HEADER, ["R1", "Fraud", "CFO", 3, 3, 9, "Medium"]], "Key": rows})
    legend = legend_of(path)
    assert legend is not None
    assert [(b.name, b.start) for b in legend.bands] == [("Low", 1), ("Medium", 9), ("High", 16)]


# --- level lists ---------------------------------------------------------------------------------


def test_level_lists_give_a_4x4_scale_with_probabilities(tmp_path: Path) -> None:
    path = write_xlsxwriter(tmp_path / "in" / "lists.xlsx", {
        "Register": [HEADER,
                     ["R1", "Flooding", "Estates", "Likely", "Major", 9, "Amber"],
                     ["R2", "Pay award", "HR", 5, 2, None, None],          # 5 is off a 1-4 scale
                     ["R3", "Supplier", "Procurement", "30%", "minor", 2, "Green"]],
        "Scoring": [["Likelihood", None, "Probability"],
                    [1, "Rare", "<10%"], [2, "Possible", "10%-40%"], [3, "Likely", "40%-70%"],
                    [4, "Almost certain", ">70%"], [],
                    ["Impact levels"], ["1 Minor"], ["2 Moderate"], ["3 Major"], ["4 Severe"]],
    })
    legend = legend_of(path)
    assert legend is not None
    assert legend.likelihood.labels == ("Rare", "Possible", "Likely", "Almost certain")
    assert legend.likelihood.probabilities == ((0.0, 0.1), (0.1, 0.4), (0.4, 0.7), (0.7, 1.0))
    assert legend.impact.labels == ("Minor", "Moderate", "Major", "Severe")
    assert legend.source == "'Scoring'!A2:C5; 'Scoring'!A8:A11"
    # NOTE: no bands of its own: the settings' bands, scaled to a top score of 16
    assert [(b.name, b.start) for b in legend.bands] == [("Green", 1), ("Amber", 3), ("Red", 10)]
    run = run_sheetsync([path], tmp_path / "out")
    assert risk_findings(run) == [("RR03", "Register", "D3")]
    assert messages(run)["D3"] == ("The residual likelihood should be a whole number from 1 to 4, "
                                   "but the cell holds 5.")


def test_a_list_of_words_with_no_heading_naming_its_axis_is_not_a_legend(tmp_path: Path) -> None:
    path = write_openpyxl(tmp_path / "in" / "bare.xlsx", {
        "Register": [HEADER, ["R1", "Fraud", "CFO", 3, 3, 9, "Amber"]],
        "Key": [["Colour"], [1, "Rare"], [2, "Possible"], [3, "Likely"]],
    })
    assert legend_of(path) is None


# --- grids -----------------------------------------------------------------------------------------

RATINGS_4X4 = [  # impact down the side, highest first; likelihood along the top
    ["Severe", "Medium", "High", "Extreme", "Extreme"],
    ["Major", "Low", "Medium", "High", "Extreme"],
    ["Moderate", "Low", "Medium", "Medium", "High"],
    ["Minor", "Low", "Low", "Medium", "Medium"],
]


def test_a_grid_of_ratings_on_a_matrix_sheet_is_looked_up(tmp_path: Path) -> None:
    path = write_openpyxl(tmp_path / "in" / "grid.xlsx", {
        "Register": [HEADER,
                     ["R1", "Flooding", "Estates", "Likely", "Major", None, "High"],
                     ["R2", "Pay award", "HR", "Rare", "Severe", None, "High"],  # matrix: Medium
                     ["R3", "Supplier", "Procurement", "Possible", "Minor", None, "Low"]],
        "Risk Matrix": [["Risk rating table"], [None, "LIKELIHOOD"],
                        ["IMPACT", "Rare", "Possible", "Likely", "Almost certain"], *RATINGS_4X4],
    })
    legend = legend_of(path)
    assert legend is not None
    assert legend.method == "matrix" and legend.source == "'Risk Matrix'!A3:E7"
    assert legend.likelihood.labels == ("Rare", "Possible", "Likely", "Almost certain")
    assert legend.impact.labels == ("Minor", "Moderate", "Major", "Severe")
    assert legend.rating_matrix == (("Low", "Low", "Low", "Medium"),
                                    ("Low", "Medium", "Medium", "High"),
                                    ("Medium", "Medium", "High", "Extreme"),
                                    ("Medium", "High", "Extreme", "Extreme"))
    assert [b.name for b in legend.bands] == ["Low", "Medium", "High", "Extreme"]
    run = run_sheetsync([path], tmp_path / "out")
    assert risk_findings(run) == [("RR06", "Register", "G3")]
    assert messages(run)["G3"] == ("A residual score of 4 is rated Medium by the workbook's risk "
                                   "matrix, but the sheet says High.")


def test_a_grid_of_scores_to_the_right_of_the_register_is_looked_up(tmp_path: Path) -> None:
    header = ["Risk", "Risk statement", "Owner", "Likelihood", "Impact", "Risk Level", None, None,
              None, None, "Impact"]
    path = write_openpyxl(tmp_path / "in" / "side.xlsx", {"Register": [
        header,
        ["Internet", "No connection", "Dev", "Medium", "Low", "2", None, None, None, None,
         "Low", "Medium", "High"],
        ["Illness", "Time lost", "Dev", "Medium", "Medium", "5", None, None, "Likelihood", "Low",
         1, 4, 7],
        ["Hardware", "Laptop fails", "Dev", "Low", "High", "7", None, None, None, "Medium",
         2, 5, 8],
        ["Software", "Glitches", "Dev", "Low", "Medium", "5", None, None, None, "High", 3, 6, 9],
        ["Fire", "Office fire", "Dev", "Low", "High", 7],
    ]})
    legend = legend_of(path)
    assert legend is not None
    assert legend.score_matrix == ((1, 4, 7), (2, 5, 8), (3, 6, 9))
    assert legend.source == "'Register'!J2:M5"
    run = run_sheetsync([path], tmp_path / "out")
    # NOTE: 7 for Low x High is the matrix's (a product gives 3); 5 for Low x Medium is not (4)
    assert [k for k in risk_findings(run) if k[0].startswith("RR")] == [("RR05", "Register", "F5")]
    assert messages(run)["F5"] == ("The residual score should be the workbook's matrix's score for "
                                   "its likelihood and impact = 4, but the sheet says 5.")


def test_a_matrix_above_the_header_names_the_levels_and_other_words_are_findings(
        tmp_path: Path) -> None:
    path = write_openpyxl(tmp_path / "in" / "above.xlsx", {"Register": [
        [None, "Consequences"],
        ["Likelyhood", "Minor\nshort delay", "Moderate\nup to 10% over budget",
         "Major\nup to 30% over", "Severe\nproject stops"],
        ["Certain\n>70% chance", "Medium", "High", "Extreme", "Extreme"],
        ["Likely\n40% - 70% chance", "Low", "Medium", "High", "Extreme"],
        ["Possible\n10% - 40% chance", "Low", "Medium", "Medium", "High"],
        ["Rare\n<10% chance", "Low", "Low", "Medium", "Medium"],
        [], [],
        ["Ref", "Risk", "Likelihood", "Impact Level", "Responsibility", "Response"],
        ["R1", "Effort underestimated", "Possible", "Moderate", "Developers", "Replan"],
        ["R2", "Power cut", "Low", "Extreme", "Energy company", "UPS"],
        ["R3", "Flood", "0.5", "Major", "Estates", "Relocate"],
    ]})
    legend = legend_of(path)
    assert legend is not None
    assert legend.likelihood.labels == ("Rare", "Possible", "Likely", "Certain")
    assert legend.likelihood.probabilities == ((0.0, 0.1), (0.1, 0.4), (0.4, 0.7), (0.7, 1.0))
    assert legend.source == "'Register'!A2:E6"
    run = run_sheetsync([path], tmp_path / "out")
    assert [k for k in keys(run) if k[0] == "TY04"] == [("TY04", "Register", "C11"),
                                                       ("TY04", "Register", "D11")]
    assert messages(run)["D11"] == ("Impact Level holds 'Extreme', which is not a level of this "
                                    "sheet's scale. Enter one of Minor, Moderate, Major or Severe "
                                    "(or 1 to 4).")


def test_a_heat_map_of_counts_is_not_a_matrix(tmp_path: Path) -> None:
    path = write_openpyxl(tmp_path / "in" / "heat.xlsx", {
        "Register": [HEADER, ["R1", "Fraud", "CFO", 3, 3, 9, "Amber"]],
        "Risk Matrix": [[None, "Impact"], ["Likelihood", "Low", "Medium", "High"],
                        ["Low", 0, 2, 1], ["Medium", 3, 0, 0], ["High", 1, 0, 4]],
    })
    assert legend_of(path) is None


# --- bands past the matrix: a likelihood that is itself a product ---------------------------------


def test_bands_over_a_product_likelihood_give_that_axis_its_range(tmp_path: Path) -> None:
    header = ["Risk ID", "Threat", "Owner", "Likelihood", "Impact", "Rating"]
    path = write_openpyxl(tmp_path / "in" / "iso.xlsx", {
        "Register": [header, ["R1", "Phishing", "CEO", 16, 4, "MEDIUM"],
                     ["R2", "Malware", "CIO", 15, 4, "HIGH"],       # 60 is Medium: RR06
                     ["R3", "Theft", "CIO", 21, 5, "VERY HIGH"]],
        "Metrics": [["Risk Impact"], ["Value", "Description"], [1, "Very Low"], [2, "Low"],
                    [3, "Medium"], [4, "High"], [5, "Very High"], ["Risk Value Ranking"],
                    ["Value", "Description"], ["1 to 25", "Very Low"], ["26 to 50", "Low"],
                    ["51 to 75", "Medium"], ["76 to 100", "High"], ["101 to 125", "Very High"]],
    })
    legend = legend_of(path)
    assert legend is not None
    assert legend.likelihood.size == 25 and legend.impact.size == 5
    assert [(b.name, b.start) for b in legend.bands] == [
        ("Very Low", 1), ("Low", 26), ("Medium", 51), ("High", 76), ("Very High", 101)]
    run = run_sheetsync([path], tmp_path / "out")
    assert risk_findings(run) == [("RR06", "Register", "F3")]


# --- no legend ------------------------------------------------------------------------------------


def test_a_workbook_with_no_legend_is_read_with_the_settings(tmp_path: Path) -> None:
    path = write_openpyxl(tmp_path / "in" / "plain.xlsx", {
        "Register": [HEADER, ["R1", "Fraud", "CFO", 3, 5, 15, "Red"],
                     ["R2", "Flood", "Estates", 6, 2, 12, "Amber"]],
        "Notes": [["Owner", "Phone"], ["CFO", "0123"]],
    })
    assert legend_of(path) is None
    run = run_sheetsync([path], tmp_path / "out")
    assert risk_findings(run) == [("RR03", "Register", "D3")]
    assert messages(run)["D3"] == ("The residual likelihood should be a whole number from 1 to 5, "
                                   "but the cell holds 6.")


def test_bands_with_a_gap_are_not_used(tmp_path: Path) -> None:
    path = write_openpyxl(tmp_path / "in" / "gap.xlsx", {
        "Register": [HEADER, ["R1", "Fraud", "CFO", 3, 5, 15, "Red"]],
        "Legend": [["High", "16-25"], ["Medium", "10-15"], ["Low", "1-8"]],
    })
    assert legend_of(path) is None
    assert risk_findings(run_sheetsync([path], tmp_path / "out")) == []


def test_the_readmes_scale_examples_are_settings_sheetsync_reads(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Scales, legends and matrices")[1].split("\n## ")[0]
    examples = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert len(examples) == 2
    described = []
    for number, text in enumerate(examples):
        config = tmp_path / f"example{number}.yaml"
        config.write_text(text, encoding="utf-8")
        described.append(Settings.load(config_file=config).config.scoring.describe())
    assert described[0].startswith("likelihood Rare, Possible, Likely or Almost certain (or 1 to 4)")
    assert "bands Low from 1, Moderate from 4, High from 8, Extreme from 12" in described[0]
    assert "scores looked up in the matrix" in described[1]
