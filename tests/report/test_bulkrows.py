"""Data rows made as sheet XML and put into a sheet xlsxwriter wrote: every value reads back
as the summary means it (text never a formula, dates as dates), and the table and dimension
cover the new rows."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync.report.bulkrows import bulk_rows, plain_rows, record_values, splice_rows

COLUMNS = ["workbook", "ref", "score", "review_date", "open"]


def spliced(records: list[dict], path: Path) -> openpyxl.Workbook:
    package = io.BytesIO()
    book = xlsxwriter.Workbook(package, {"in_memory": True})
    ws = book.add_worksheet("Risk data")
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    ws.add_table(0, 0, 1, len(COLUMNS) - 1, {"name": "Risks",
                                             "columns": [{"header": c} for c in COLUMNS]})
    rows = bulk_rows(record_values(records, COLUMNS), 2, len(COLUMNS), date_format._get_xf_index(),
                     widens_table=True)
    book.close()
    splice_rows(package.getvalue(), {"xl/worksheets/sheet1.xml": [rows]}, path)
    return openpyxl.load_workbook(path)


def test_values_table_and_dimension(tmp_path) -> None:
    records = [
        {"workbook": "Adults/risks.xlsx", "ref": "R1", "score": 16, "review_date": "2023-03-01",
         "open": True},
        {"workbook": "A & B <x>", "ref": "=SUM(A1)", "score": 2.5, "review_date": "2023-02-30",
         "open": False},
        {"workbook": "", "ref": None, "score": float("nan")},  # (missing keys too)
    ]
    ws = spliced(records, tmp_path / "summary.xlsx")["Risk data"]
    assert [[c.value for c in row] for row in ws.iter_rows()] == [
        COLUMNS,
        ["Adults/risks.xlsx", "R1", 16, dt.datetime(2023, 3, 1), "Yes"],
        ["A & B <x>", "=SUM(A1)", 2.5, "2023-02-30", "No"],  # not a date: kept as text
        [None, None, "#NUM!", None, None],
    ]
    assert ws["D2"].number_format == "dd/mm/yyyy"
    assert ws["B3"].data_type == "s"  # text that looks like a formula stays text
    assert ws.dimensions == "A1:E4"
    assert ws.tables["Risks"].ref == "A1:E4"
    assert ws.tables["Risks"].autoFilter.ref == "A1:E4"


def test_no_records_leaves_the_one_row_table(tmp_path) -> None:
    ws = spliced([], tmp_path / "summary.xlsx")["Risk data"]
    assert ws.tables["Risks"].ref == "A1:E2"
    assert ws.max_row == 1


def test_other_parts_are_copied_unchanged(tmp_path) -> None:
    spliced([{"ref": "R1"}], tmp_path / "summary.xlsx")
    with zipfile.ZipFile(tmp_path / "summary.xlsx") as package:
        styles = package.read("xl/styles.xml")
        assert b"dd/mm/yyyy" in styles
        assert package.testzip() is None


def test_a_range_grows_to_hold_another() -> None:
    from sheetsync.report.bulkrows import _union

    assert _union("A1:W2", "A2:W20001") == "A1:W20001"
    assert _union("A1:B10", "A2:E3") == "A1:E10"
    assert _union("C5", "$A$1:$B$2") == "A1:C5"


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Cn"]), max_size=30)


@settings(max_examples=60, deadline=None)
@given(st.lists(TEXT.filter(lambda t: not t[:1].isdigit())  # (ISO dates become dates: see above)
                | st.integers(-10**12, 10**12) | st.floats(allow_nan=False, allow_infinity=False),
                min_size=1, max_size=5))
def test_any_text_or_number_reads_back(tmp_path_factory, values) -> None:
    """Markup, quotes, any script, any number: back as it went in (an empty text is a blank)."""
    path = tmp_path_factory.mktemp("bulk") / "summary.xlsx"
    ws = spliced([{"ref": value} for value in values], path)["Risk data"]
    read = [ws.cell(row=n, column=2).value for n in range(2, len(values) + 2)]
    assert read == [None if value == "" else value for value in values]


def test_rows_go_in_row_order_among_the_sheets_own_and_blanks_keep_a_border(tmp_path) -> None:
    package = io.BytesIO()
    book = xlsxwriter.Workbook(package, {"in_memory": True})
    ws = book.add_worksheet("Heat map")
    border = book.add_format({"border": 1})
    ws.write_string(0, 0, "Top risks")
    ws.write_string(9, 0, "Closed since the previous quarter")  # row 10, below the fragment
    bordered = border._get_xf_index()  # (before close: a format no cell asked for is not saved)
    fragment = bulk_rows([["R1", None], ["R2", 20]], 2, 2, bordered,
                         style=lambda col, value: bordered)
    book.close()
    path = tmp_path / "summary.xlsx"
    splice_rows(package.getvalue(), {"xl/worksheets/sheet1.xml": [fragment]}, path)
    with zipfile.ZipFile(path) as spliced_package:
        sheet = spliced_package.read("xl/worksheets/sheet1.xml").decode()
    assert [int(n) for n in re.findall(r'<row r="(\d+)"', sheet)] == [1, 2, 3, 10]
    assert '<dimension ref="A1:B10"/>' in sheet
    ws = openpyxl.load_workbook(path)["Heat map"]
    assert [ws[c].value for c in ("A1", "A2", "B2", "A3", "B3", "A10")] == [
        "Top risks", "R1", None, "R2", 20, "Closed since the previous quarter"]
    assert ws["B2"].border.left.style == "thin"  # a blank in a bordered table keeps its border


def test_each_cell_is_made_once_for_its_column_and_value_and_placed_on_its_own_row() -> None:
    """A cell made once serves every row with its column and value; text with a character
    XML cannot hold (the row number's place holder among them) leaves it out."""
    asked: list[tuple[int, object]] = []

    def style(col: int, value: object) -> int | None:
        asked.append((col, value))
        return 3 if col == 1 else None

    rows = [["a\x00b", 1], ["a\x00b", True], ["", 1.0], [None, 1]]
    made = bulk_rows(rows, 7, 2, 5, style)
    assert made.rows == [
        b'<row r="7"><c r="A7" t="inlineStr"><is><t xml:space="preserve">ab</t></is></c>'
        b'<c r="B7" s="3"><v>1</v></c></row>',
        b'<row r="8"><c r="A8" t="inlineStr"><is><t xml:space="preserve">ab</t></is></c>'
        b'<c r="B8" s="3" t="inlineStr"><is><t>Yes</t></is></c></row>',
        b'<row r="9"><c r="B9" s="3"><v>1.0</v></c></row>',
        b'<row r="10"><c r="B10" s="3"><v>1</v></c></row>']
    assert asked == [(0, "a\x00b"), (1, 1), (1, True), (0, ""), (1, 1.0), (0, None)]
    assert bulk_rows(rows, 7, 2, 5).rows[1:3] == [
        b'<row r="8"><c r="A8" t="inlineStr"><is><t xml:space="preserve">ab</t></is></c>'
        b'<c r="B8" t="inlineStr"><is><t>Yes</t></is></c></row>',
        b'<row r="9"><c r="B9"><v>1.0</v></c></row>']
    assert plain_rows([["x\x00", None, 12]], 11, 3).rows == [
        b'<row r="11"><c r="A11" t="inlineStr"><is><t xml:space="preserve">x</t></is></c>'
        b'<c r="C11"><v>12</v></c></row>']


def test_rows_of_any_length_without_formats_have_the_cells_they_hold() -> None:
    """Made a column at a time: a short row still has only its own cells, a long one is cut at
    the width, and a row with none is an empty row."""
    made = plain_rows([["a", None, 1], ["b"], ["c", "d", 2.5, "extra"], []], 2, 3)
    assert made.rows == [
        b'<row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve">a</t></is></c>'
        b'<c r="C2"><v>1</v></c></row>',
        b'<row r="3"><c r="A3" t="inlineStr"><is><t xml:space="preserve">b</t></is></c></row>',
        b'<row r="4"><c r="A4" t="inlineStr"><is><t xml:space="preserve">c</t></is></c>'
        b'<c r="B4" t="inlineStr"><is><t xml:space="preserve">d</t></is></c>'
        b'<c r="C4"><v>2.5</v></c></row>',
        b'<row r="5"></row>']
    assert made.ref == "A2:C5"
    assert plain_rows([[], []], 7, 2).rows == [b'<row r="7"></row>', b'<row r="8"></row>']
    assert plain_rows([], 7, 2).ref == "A7:B7"
