"""Scorecards kept with indicators as columns and periods as rows: found, read, ordered."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import run_sheetsync, write_openpyxl, write_xlsxwriter
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.read.grid import SheetGrid
from sheetsync.read.scorecard import find_scorecard, read_period

HEADER = ["Date", "Open", "New", "Assigned", "Not Assigned"]
WEEKS = [dt.date(2019, 9, 23) + dt.timedelta(days=7 * i) for i in range(4)]


def grid(rows: list[list[object]]) -> SheetGrid:
    return SheetGrid(title="S", part="", rows=[list(r) for r in rows], merged=[])


@pytest.mark.parametrize(("text", "key"), [
    ("Apr-23", ("month", 2023, 4)), ("April 2023", ("month", 2023, 4)),
    ("Sept 2023", ("month", 2023, 9)), ("2023 Mar", ("month", 2023, 3)),
    ("Q1 2023/24", ("quarter", 2023, 1)), ("2023/24 Q3", ("quarter", 2023, 3)),
    ("Quarter 2", ("quarter", 0, 2)), ("2023/24", ("year", 2023)), ("FY 2022-23", ("year", 2022)),
    ("Week 12", ("week", 12)), ("Wk 3", ("week", 3)), ("P3", ("period", 3)),
    ("Month 11", ("month", 11)), ("w/c 12/06/2023", ("date", dt.date(2023, 6, 12).toordinal())),
    ("12/06/2023", ("date", dt.date(2023, 6, 12).toordinal())), ("Jan", None), ("May", None),
])
def test_period_labels(text, key) -> None:
    period = read_period(text)
    assert period is not None and period.label == text and period.key == key


@pytest.mark.parametrize("text", ["Date", "Open", "Total", "Average", "Q5", "Week", "", "R12",
                                  "Head of Finance", 12, 3.5, True, None])
def test_not_periods(text) -> None:
    assert read_period(text) is None


def test_a_date_cell_is_a_period_shown_day_first() -> None:
    assert read_period(dt.datetime(2019, 9, 23)).label == "23/09/2019"


@given(st.one_of(st.text(max_size=30), st.integers(), st.floats(), st.none(), st.booleans(),
                 st.dates()))
def test_read_period_never_raises(value) -> None:
    period = read_period(value)
    assert period is None or isinstance(period.label, str)


def test_weekly_scorecard_is_read_with_its_series() -> None:
    rows = [HEADER, *([w, 7 + i, 3, 5, 2 + i] for i, w in enumerate(WEEKS))]
    card = find_scorecard(grid(rows))
    assert card is not None
    assert (card.header_row, card.period_column, card.period_header) == (1, 1, "Date")
    assert [s.name for s in card.indicators] == HEADER[1:]
    assert [s.letter for s in card.indicators] == ["B", "C", "D", "E"]
    assert card.order == [2, 3, 4, 5] and (card.latest, card.previous) == (5, 4)
    assert card.indicators[0].values == {2: 7, 3: 8, 4: 9, 5: 10}


def test_title_rows_comments_and_weeks_not_yet_filled_in() -> None:
    rows = [["Helpdesk scorecard"], [], ["Month", "Calls", "Answered", "Notes"],
            ["Apr-23", 120, 100, "new system"], ["May-23", 130, None, None],
            ["Jun-23", 125, 110, "ok"], ["Jul-23", None, None, None], ["Aug-23", None, None, None]]
    card = find_scorecard(grid(rows))
    assert card is not None and card.header_row == 3
    assert [s.name for s in card.indicators] == ["Calls", "Answered"]  # Notes holds words
    assert card.order == [4, 5, 6]  # July and August are dated in advance, not yet filled
    assert card.indicators[1].values == {4: 100, 6: 110}


def test_newest_period_at_the_top_is_still_the_latest() -> None:
    rows = [["Quarter", "Complaints", "Compliments"], ["Q3 2023/24", 9, 4], ["Q2 2023/24", 12, 3],
            ["Q1 2023/24", 15, 2]]
    card = find_scorecard(grid(rows))
    assert card is not None and card.order == [4, 3, 2] and card.latest == 2


@pytest.mark.parametrize("rows", [
    [["Date", "Open"], *([w, 1] for w in WEEKS)],                      # one indicator
    [["Date", "Open", "New"], [WEEKS[0], 1, 2], [WEEKS[1], 3, 4]],      # two periods
    [["Ref", "Open", "New"], *(["R1", 1, 2] for _ in WEEKS)],          # not periods
    [["Date", "Owner", "Status"], *([w, "Ann", "Open"] for w in WEEKS)],  # words, not figures
    [["KPI", "Apr-23", "May-23", "Jun-23"], ["Calls", 1, 2, 3], ["Answered", 1, 2, 3]],  # across
])
def test_what_is_not_a_periods_as_rows_scorecard(rows) -> None:
    assert find_scorecard(grid(rows)) is None


def test_scorecard_sheet_is_a_kpi_sheet_with_one_record_per_indicator(tmp_path) -> None:
    rows = [["Week", "Calls", "Answered %"], ["Week 1", 100, 0.90], ["Week 2", 120, 0.95],
            ["Week 3", 120, 0.93]]

    def percent(book, ws) -> None:
        ws.set_column(2, 2, None, book.add_format({"num_format": "0%"}))

    path = write_xlsxwriter(tmp_path / "in" / "scorecard.xlsx", {"Contact centre": rows},
                            setup=percent)
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    sheet = run.workbooks[0].sheets[0]
    assert (run.workbooks[0].status, sheet.kind, sheet.header_row, sheet.rows) == \
        ("ok", "kpi_sheet", 1, 3)
    assert [(r["kpi"], r["row"], r["actual_value"], r["unit"], r["status"], r["direction"])
            for r in sheet.records] == [("Calls", 4, 120, "number", "No target", "No change"),
                                        ("Answered %", 4, 0.93, "%", "No target", "Worse")]
    assert run.workbooks[0].findings == []


def test_a_register_the_locator_finds_is_not_taken_for_a_scorecard(tmp_path) -> None:
    rows = [["Date", "KPI", "Target", "Actual"], *([w, "Calls", 100, 90 + i] for i, w in
                                                   enumerate(WEEKS))]
    path = write_openpyxl(tmp_path / "in" / "kpis.xlsx", {"KPIs": rows})
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert [(s.kind, s.rows) for s in run.workbooks[0].sheets] == [("kpi_sheet", 4)]
    assert run.workbooks[0].sheets[0].records[0]["kpi"] == "Calls"
