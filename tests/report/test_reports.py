"""exceptions.{json,csv,xlsx} and records: shapes, links, and no user text run as a formula."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl
from helpers import risk_row, run_sheetsync, write_openpyxl
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.read.discover import Source
from sheetsync.report.reports import _record_rows, _safe_column, _safe_rows, csv_safe
from sheetsync.results import RecordTable, RunResult, SheetResult, WorkbookResult

HEADER = ["Ref", "Risk description", "Risk owner", "Likelihood", "Impact", "Score", "Rating",
          "Review date"]


def typed_as_text(wb) -> None:
    """What an officer typed with a leading '=' stays text in their workbook."""
    wb["Risk's"]["A4"].data_type = "s"


def make_run(tmp_path):
    write_openpyxl(tmp_path / "in" / "Adults" / "risks.xlsx", {"Risk's": [
        HEADER, risk_row("R1"), risk_row("R2", score=9),
        risk_row("=HYPERLINK(\"http://x\")", owner="@evil", description="-2+3")]}, typed_as_text)
    (tmp_path / "in" / "junk.xlsx").write_text("nope", encoding="utf-8")
    return run_sheetsync([tmp_path / "in"], tmp_path / "out")


def test_exceptions_json_shape(tmp_path) -> None:
    make_run(tmp_path)
    document = json.loads((tmp_path / "out" / "exceptions.json").read_text(encoding="utf-8"))
    assert document["as_of"] == "2023-03-31"
    sheets = [{key: sheet[key] for key in ("name", "kind", "header_row", "rows", "metadata",
                                           "header_rows", "entry_rows")}
              for sheet in document["workbooks"][0].pop("sheets")]
    assert sheets == [{"name": "Risk's", "kind": "risk_register", "header_row": 1, "rows": 3,
                       "metadata": {}, "header_rows": [1, 1], "entry_rows": [2, 4]}]
    assert document["workbooks"] == [
        {"path": "Adults/risks.xlsx", "status": "ok", "message": "",
         "annotated": "annotated/Adults/risks.xlsx", "skipped_sheets": [],
         "errors": 1, "warnings": 0},
        {"path": "junk.xlsx", "status": "error",
         "message": "this is not an Excel workbook (.xlsx or .xlsm)", "annotated": None,
         "sheets": [], "skipped_sheets": [], "errors": 1, "warnings": 0}]
    assert document["findings"][0] == {
        "workbook": "Adults/risks.xlsx", "sheet": "Risk's", "cell": "F3", "row": 3, "column": "Score",
        "ref": "R2", "value": 9, "rule": "RR05", "severity": "error",
        "message": "The residual score should be likelihood x impact = 6, but the sheet says 9."}
    assert [f["rule"] for f in document["findings"]] == ["RR05", "WB01"]


def test_csv_escapes_text_that_would_run_as_a_formula(tmp_path) -> None:
    make_run(tmp_path)
    with (tmp_path / "out" / "records" / "risks.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["ref"] for r in rows] == ["R1", "R2", "'=HYPERLINK(\"http://x\")"]
    assert (rows[2]["owner"], rows[2]["description"]) == ("'@evil", "'-2+3")
    assert (rows[1]["residual_score"], rows[1]["residual_rating"]) == ("6", "Amber")
    with (tmp_path / "out" / "exceptions.csv").open(encoding="utf-8-sig") as handle:
        findings = list(csv.DictReader(handle))
    assert [(f["cell"], f["rule"], f["severity"]) for f in findings] == [("F3", "RR05", "error"),
                                                                         ("", "WB01", "error")]


def test_exceptions_xlsx_is_a_table_linked_to_annotated_cells(tmp_path) -> None:
    make_run(tmp_path)
    wb = openpyxl.load_workbook(tmp_path / "out" / "exceptions.xlsx")
    ws = wb["Exceptions"]
    assert [c.value for c in ws[1]] == ["Workbook", "Sheet", "Cell", "Row", "Column", "Ref", "Value",
                                        "Rule", "Severity", "Message"]
    assert list(ws.tables) == ["Findings"]
    assert ws["C2"].value == "F3"
    # NOTE: xlsxwriter stores external links as Excel does, with Windows separators.
    assert ws["C2"].hyperlink.target == "annotated\\Adults\\risks.xlsx"
    assert ws["C2"].hyperlink.location == "'Risk''s'!F3"
    assert ws["A3"].value == "junk.xlsx" and ws["C3"].hyperlink is None
    assert ws.freeze_panes == "A2"


def test_values_of_date_cells_read_as_dates(tmp_path) -> None:
    import datetime as dt

    path = write_openpyxl(tmp_path / "in" / "dated.xlsx", {"Risks": [
        HEADER, risk_row("R1", review=dt.datetime(2022, 6, 1))]})
    run = run_sheetsync([path], tmp_path / "out")
    assert [f.to_dict()["value"] for f in run.findings] == ["2022-06-01"]


_VALUES = st.one_of(st.none(), st.integers(), st.floats(allow_nan=False),
                    st.text(alphabet="=+-@\t\rab 1", max_size=4))


@given(st.lists(st.sampled_from(["ref", "owner", "score", "rating"]), unique=True),
       st.integers(0, 5).flatmap(lambda n: st.lists(st.lists(_VALUES, min_size=n, max_size=n),
                                                    min_size=4, max_size=4)))
def test_records_rows_from_columns_are_the_rows_from_dicts(names, columns) -> None:
    """A sheet's records written straight from its columns give the rows its dicts would."""
    table = RecordTable(names, columns[:len(names)])
    fields = ("ref", "owner", "score", "rating", "review_date")
    run = RunResult(as_of=dt.date(2023, 3, 31), out_dir=Path("."), workbooks=[WorkbookResult(
        source=Source(Path("r.xlsx"), "r.xlsx"), status="ok",
        sheets=[SheetResult(name="Risks", kind="risk_register", header_row=1,
                            rows=len(table), records=table)])])
    expected = [[csv_safe(record.get(name)) for name in fields] for record in table]
    assert [list(row) for row in _record_rows(run, "risk_register", fields)] == expected


class _Text(str):
    """Text of another type than str (numpy's, say): csv_safe leaves it as it is."""


def test_a_column_is_made_csv_safe_as_each_of_its_values_would_be() -> None:
    for column in (["=1", None, "a"], ["a", "", None], ["a", "@b"], [_Text("=x"), "b"],
                   [_Text("=x"), None], [1, "-2", None], ["+", 2.5], [None, None], [3, 4]):
        assert _safe_column(column) == [csv_safe(v) for v in column]
    rows = [{"a": "=1", "b": 2}, {"a": "x"}]
    assert list(_safe_rows(("a", "b"), rows)) == [("'=1", 2), ("x", None)]

