"""KPI sheets: every target form, each polarity source, tolerance edges, units, data-only."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import keys, run_sheetsync, write_openpyxl, write_xlsxwriter

HEADER = ["Service", "Service Area", "KPI", "2019/20 Target", "Q1 Actual", "Previous quarter",
          "Polarity", "Tolerance", "RAG", "Commentary"]
S = "KPIs"
AS_OF = dt.date(2019, 7, 31)


def kpi(name="Measure", target="97%", actual="97%", previous=None, polarity=None, tolerance=None,
        rag=None, comment="On plan"):
    return ["Finance", "Council Tax", name, target, actual, previous, polarity, tolerance, rag,
            comment]


def rate(tmp_path, *rows, config=None):
    path = write_openpyxl(tmp_path / "in" / "kpis.xlsx", {S: [["Operational indicators"], [], HEADER,
                                                               *rows]})
    run = run_sheetsync([path], tmp_path / "out", as_of=AS_OF, config=config, reports=False)
    return run, run.workbooks[0].sheets[0].records


@pytest.mark.parametrize(("target", "actual", "polarity", "status"), [
    ("97.00%", "97%", None, "Green"),          # equal counts as met
    ("97.00%", "92.15%", None, "Amber"),       # exactly 5% of the target short
    ("97.00%", "92.14%", None, "Red"),         # just beyond
    ("97.00%", 0.96, None, "Amber"),           # a fraction typed as a number
    ("97.00%", 96, None, "Amber"),             # 96 typed against a % target means 96%
    ("5 days", "5 days", "Lower is better", "Green"),
    ("5 days", "5.25 days", "Smaller values are best", "Amber"),
    ("5 days", "6 days", "Aim to minimise", "Red"),
    ("<26 weeks", "26 weeks", None, "Green"),  # "<" makes lower better; equal is met
    ("<26 weeks", "30 weeks", None, "Red"),
    (">90%", "89%", None, "Amber"),
    ("<£20,000", "£19,000", None, "Green"),
    ("£1.0m", "£0.96m", None, "Amber"),
    ("£12,000", 11000, "High", "Red"),
    ("<175", 180, None, "Amber"),
    ("<6 months", "7 months", None, "Red"),
    ("Compliant", "Compliant", None, "Green"),
    ("Compliant", "Non-compliant", None, "Red"),
    ("between 95% and 98%", "96%", None, "Green"),
    ("between 95% and 98%", "99%", None, "Amber"),
    ("between 95% and 98%", "80%", None, "Red"),
    ("6.3", 6.3, None, "Green"),
    ("TBD", "50%", None, "No target"),
    ("Reactive", 12, None, "No target"),
    ("As much as possible during the year", 3, None, "No target"),
    (None, 3, None, "No target"),
    ("95%", None, None, "No data"),
])
def test_status_against_target(tmp_path, target, actual, polarity, status) -> None:
    _run, records = rate(tmp_path, kpi(target=target, actual=actual, polarity=polarity))
    assert records[0]["status"] == status


def test_polarity_sources(tmp_path) -> None:
    config = tmp_path / "lower.yaml"
    config.write_text("kpi:\n  default_polarity: lower\n", encoding="utf-8")
    _run, records = rate(tmp_path, kpi("A", "10", 12), kpi("B", "10", 12, polarity="Higher is better"),
                         kpi("C", ">10", 12), config=config)
    assert [(r["polarity"], r["status"]) for r in records] == [("lower", "Red"), ("higher", "Green"),
                                                               ("higher", "Green")]


def test_tolerance_from_column_and_config(tmp_path) -> None:
    config = tmp_path / "tolerant.yaml"
    config.write_text("kpi:\n  tolerance: 10%\n  tolerances: {\"Measure D\": 3 points}\n",
                      encoding="utf-8")
    _run, records = rate(tmp_path, kpi("Measure A", "90%", "81%"),
                         kpi("Measure B", "90%", "81%", tolerance="5%"),
                         kpi("Measure C", "90%", "88%", tolerance="2 points"),
                         kpi("Measure D", "90%", "87%"), config=config)
    assert [r["status"] for r in records] == ["Amber", "Red", "Amber", "Amber"]


def test_findings_on_their_cells(tmp_path) -> None:
    run, _records = rate(
        tmp_path,
        kpi("Clean", "97%", "98%", rag="G"),
        kpi("Wrong RAG", "97%", "90%", rag="Amber", comment="Backlog"),
        kpi("Red, no words", "97%", "80%", comment=None),
        kpi("Two targets", "98.70% (LBH) 99.6% (LBN)", "98%"),
        kpi("Units", "£1.0m", "85%"),
        kpi("No data", "95%", None),
        kpi(None, "95%", "96%"),
        kpi("Typo", "80%", "95%%"),
        kpi("Data only", "TBD", "40%", rag="Red", comment=None))
    assert keys(run) == [("KP01", S, "C10"), ("KP02", S, "D7"), ("KP03", S, "E11"),
                         ("KP04", S, "E8"), ("KP05", S, "E9"), ("KP06", S, "I5"),
                         ("KP07", S, "J6")]
    by_rule = {f.rule: f for f in run.findings}
    assert by_rule["KP06"].message == "Against its target the status is Red, but the sheet says Amber."
    assert by_rule["KP04"].message == ("The actual 85% is not in the same units as the target "
                                       "(in £). Use the target's units.")
    assert by_rule["KP02"].severity.label == "warning" and by_rule["KP03"].severity.label == "error"


def test_direction_of_travel(tmp_path) -> None:
    config = tmp_path / "dot.yaml"
    config.write_text("kpi:\n  no_change_threshold: 1 point\n", encoding="utf-8")
    _run, records = rate(tmp_path, kpi("Up", "97%", "96%", previous="94%"),
                         kpi("Down", "97%", "92.9%", previous="94%"),
                         kpi("Flat", "97%", "94.5%", previous="94%"),
                         kpi("Fewer days", "5 days", "6 days", previous="8 days",
                             polarity="Lower is better"),
                         kpi("Exactly one point", "97%", "93%", previous="94%"),
                         kpi("No previous", "97%", "96%"), config=config)
    assert [r["direction"] for r in records] == ["Improved", "Worse", "No change", "Improved",
                                                  "No change", None]


def test_records_and_annotated_status_column(tmp_path) -> None:
    import openpyxl

    path = write_xlsxwriter(tmp_path / "in" / "kpis.xlsx", {S: [HEADER, kpi("Collection", "97.00%",
                                                                          "95%", previous="94%")]})
    run = run_sheetsync([path], tmp_path / "out", as_of=AS_OF)
    record = run.workbooks[0].sheets[0].records[0]
    assert {k: record[k] for k in ("kpi", "service", "service_area", "target", "target_value",
                                   "unit", "polarity", "actual_value", "status", "direction")} == {
        "kpi": "Collection", "service": "Finance", "service_area": "Council Tax",
        "target": "97.00%", "target_value": 0.97, "unit": "%", "polarity": "higher",
        "actual_value": 0.95, "status": "Amber", "direction": "Improved"}
    ws = openpyxl.load_workbook(run.workbooks[0].annotated)[S]
    assert (ws["K1"].value, ws["L1"].value) == ("Status (sheetsync)",
                                                 "Direction of travel (sheetsync)")
    assert (ws["K2"].value, ws["K2"].fill.fgColor.rgb) == ("Amber", "FFFFC000")
    assert (tmp_path / "out" / "records" / "kpis.csv").read_text(encoding="utf-8-sig").splitlines()[0] \
        == ("workbook,sheet,row,kpi,service,service_area,target,target_value,unit,polarity,"
            "actual_value,status,direction,comment")


def test_percent_formatted_cells(tmp_path) -> None:
    def percent(book, ws):
        fmt = book.add_format({"num_format": "0.00%"})
        ws.write_number("D2", 0.97, fmt)
        ws.write_number("E2", 0.95, fmt)

    path = write_xlsxwriter(tmp_path / "in" / "pct.xlsx", {S: [HEADER, kpi("Rate", None, None)]},
                            percent)
    run = run_sheetsync([path], tmp_path / "out", as_of=AS_OF, reports=False)
    record = run.workbooks[0].sheets[0].records[0]
    assert (record["unit"], record["target_value"], record["status"]) == ("%", 0.97, "Amber")


def test_tolerance_typed_in_a_percent_formatted_cell(tmp_path) -> None:
    def percent(book, ws):
        fmt = book.add_format({"num_format": "0%"})
        ws.write_number("H2", 0.10, fmt)  # 10%: relative, like "10%" typed as text

    path = write_xlsxwriter(tmp_path / "in" / "tol.xlsx", {S: [HEADER, kpi("Rate", "90%", "82%")]},
                            percent)
    run = run_sheetsync([path], tmp_path / "out", as_of=AS_OF, reports=False)
    assert run.workbooks[0].sheets[0].records[0]["status"] == "Amber"
