"""Header detection over the layouts officers really use."""

from __future__ import annotations

from helpers import keys, run_sheetsync, write_openpyxl, write_xlsxwriter


def single_sheet(run):
    (workbook,) = run.workbooks
    (sheet,) = workbook.sheets
    return sheet


def test_title_rows_blank_rows_and_merged_title(tmp_path) -> None:
    rows = [["Corporate Risk Register"], [], ["Owner: Chief Executive", None, "Version Date:", "16.01.23"],
            [], [], ["Risk No.", "Risk title", "Lead officer", "Probability", "Consequence",
                     "Date reviewed"],
            ["R1", "Budget", "CFO", 2, 3, "01/03/2023"]]
    path = write_openpyxl(tmp_path / "in" / "titled.xlsx", {"Register": rows},
                          lambda wb: wb["Register"].merge_cells("A1:F1"))
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    sheet = single_sheet(run)
    assert (sheet.kind, sheet.header_row, sheet.rows) == ("risk_register", 6, 1)
    assert sheet.metadata == {"title": "Corporate Risk Register", "Owner": "Chief Executive",
                              "Version Date": "16.01.23"}
    record = sheet.records[0]
    assert (record["ref"], record["owner"], record["residual_score"], record["residual_rating"],
            record["review_date"]) == ("R1", "CFO", 6, "Amber", "2023-03-01")
    assert keys(run) == []


def test_seed_layout_plain_impact_is_the_initial_assessment(tmp_path) -> None:
    """As in the OneTeam register: Impact, Likelihood, Initial Risk Score, then Revised ..."""
    header = ["No.", "Programme/ Workstream", "Description of Risk", "Potential Impact", "Impact",
              "Likelihood", "Initial Risk Score", "Mitigating Actions", "Risk Owner", "Revised Impact",
              "Revised Likelihood", "Revised Risk Score", "Notes"]
    row = ["R4", "Programme", "Under resourced", "Benefits lost", 5, 4, 20, "Budget approved", "SRO",
           3, 2, 6, "Ongoing"]
    path = write_xlsxwriter(tmp_path / "in" / "seed.xlsx", {"Risk Register": [header, row]})
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    record = single_sheet(run).records[0]
    assert (record["inherent_impact"], record["inherent_likelihood"], record["inherent_score"],
            record["residual_impact"], record["residual_likelihood"], record["residual_score"],
            record["workstream"]) == (5, 4, 20, 3, 2, 6, "Programme")
    assert keys(run) == []


def test_column_order_line_breaks_and_scale_hints(tmp_path) -> None:
    header = ["Impact (1-5)", "Risk\nOwner", "Likelihood (1 - 5)", "Risk ID", "Description"]
    path = write_openpyxl(tmp_path / "in" / "shuffled.xlsx", {
        "Sheet1": [header, [4, "CFO", 2, "R9", "Fraud"], [9, "CFO", 2, "R10", "Theft"]]})
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert keys(run) == [("RR03", "Sheet1", "A3")]
    finding = run.findings[0]
    assert (finding.column, finding.ref) == ("Impact (1-5)", "R10")


def test_legend_below_the_table_is_not_read_as_risks(tmp_path) -> None:
    rows = [["Ref", "Risk", "Owner", "Likelihood", "Impact"], ["R1", "Budget", "CFO", 2, 2], [],
            ["Key"], ["Impact", "Likelihood"], [1, "Negligible", "Unlikely"]]
    path = write_openpyxl(tmp_path / "in" / "legend.xlsx", {"Risks": rows})
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert single_sheet(run).rows == 1
    assert keys(run) == []


def test_a_blank_row_inside_the_table_is_skipped_not_the_end(tmp_path) -> None:
    rows = [["Ref", "Risk", "Owner", "Likelihood", "Impact"], ["R1", "Budget", "CFO", 2, 2], [],
            ["R2", "Cyber", None, 2, 2]]
    path = write_openpyxl(tmp_path / "in" / "gap.xlsx", {"Risks": rows})
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert keys(run) == [("RR09", "Risks", "C4")]


def test_workbook_without_a_register_is_skipped_with_a_reason(tmp_path) -> None:
    path = write_openpyxl(tmp_path / "in" / "minutes.xlsx", {"Minutes": [["Item", "Decision"],
                                                                        ["1", "Agreed"]]})
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    (result,) = run.workbooks
    assert result.status == "skipped"
    assert result.message == ("no risk register, issues log, KPI sheet, action plan, RAID log or "
                              "financial table found (no sheet has a header row sheetsync "
                              "recognises)")
    assert result.annotated is None


def test_register_and_issues_log_on_two_sheets(tmp_path) -> None:
    path = write_openpyxl(tmp_path / "in" / "both.xlsx", {
        "Risks": [["Ref", "Risk", "Owner", "Likelihood", "Impact"], ["R1", "Budget", "CFO", 2, 2]],
        "Issues": [["Ref", "Date Logged", "Issue", "Impact", "Priority"],
                   ["I1", "24.02.22", "Resources", "Delay", "Critical"]]})
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert [(s.name, s.kind) for s in run.workbooks[0].sheets] == [("Risks", "risk_register"),
                                                                   ("Issues", "issues_log")]


def test_missing_required_column_and_duplicate_column(tmp_path) -> None:
    rows = [["Risk", "Likelihood", "Impact", "Owner", "Risk owner"], ["Budget", 2, 2, "CFO", "CEO"]]
    path = write_openpyxl(tmp_path / "in" / "headers.xlsx", {"Risks": rows})
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert keys(run) == [("HD01", "Risks", "A1"), ("HD02", "Risks", "E1")]
    missing = next(f for f in run.findings if f.rule == "HD01")
    assert missing.message.startswith("The risk register has no 'Reference' column in its header")


def test_extra_header_synonyms_from_config(tmp_path) -> None:
    config = tmp_path / "ours.yaml"
    config.write_text("header_synonyms:\n  risk_register:\n    owner: [Accountable director]\n",
                      encoding="utf-8")
    path = write_openpyxl(tmp_path / "in" / "ours.xlsx", {"Risks": [
        ["Ref", "Risk", "Accountable director", "Likelihood", "Impact"], ["R1", "Budget", None, 2, 2]]})
    run = run_sheetsync([path], tmp_path / "out", config=config, reports=False)
    assert keys(run) == [("RR09", "Risks", "C2")]
