"""The annotated copy: marks and comments on the right cells, nothing else changed, refreshable."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from helpers import CORPUS, keys, needs_corpus, run_sheetsync, write_openpyxl, write_xlsxwriter
from helpers.zipsheet import add_register_sheet, add_signature_part
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from sheetsync.write.annotate import LEDGER_SHEET

HEADER = ["Ref", "Risk description", "Risk owner", "Likelihood", "Impact", "Review date"]


def register_with_features(path: Path) -> Path:
    """A register an officer has dressed up: fills, a comment, drop-downs, CF, merged title."""
    rows = [["Service risk register"], [], HEADER,
            ["R1", "Budget gap", "CFO", 2, 3, "01/03/2023"],
            ["R2", "Cyber attack", None, 7, 3, "01/03/2023"],
            ["R3", "Recruitment", "HR lead", 2, 2, "01/10/2022"]]

    def dress(wb):
        ws = wb["Risks"]
        ws.merge_cells("A1:F1")
        ws["C5"].fill = PatternFill("solid", fgColor="DDEBF7")
        ws["D5"].comment = Comment("Checked with the service lead", "Jo Bloggs")
        ws["D4"].number_format = "0"
        ws.column_dimensions["B"].width = 40
        ws.freeze_panes = "A4"
        validation = DataValidation(type="whole", operator="between", formula1="1", formula2="5")
        ws.add_data_validation(validation)
        validation.add("D4:E50")
        ws.conditional_formatting.add("E4:E50", CellIsRule(operator="greaterThan", formula=["4"],
                                                           fill=PatternFill("solid", fgColor="FF0000")))
        notes = wb.create_sheet("Notes")
        notes["A1"] = "Reviewed at DMT"
        notes["B2"] = "=Risks!D4*2"

    return write_openpyxl(path, {"Risks": rows}, dress)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def annotated(tmp_path):
    source = register_with_features(tmp_path / "in" / "service.xlsx")
    before = sha(source)
    run = run_sheetsync([source], tmp_path / "out")
    assert sha(source) == before, "the input workbook must never change"
    return source, run, run.workbooks[0].annotated


def test_findings_of_the_dressed_register(annotated) -> None:
    _source, run, copy = annotated
    assert keys(run) == [("RR03", "Risks", "D5"), ("RR09", "Risks", "C5"), ("RR11", "Risks", "F6")]
    assert copy.name == "service.xlsx" and copy.parent.name == "annotated"


def test_marks_comments_and_exceptions_sheet(annotated) -> None:
    _source, _run, copy = annotated
    wb = openpyxl.load_workbook(copy)
    ws = wb["Risks"]
    assert ws["D5"].fill.fgColor.rgb == "FFFFC7CE"  # error: red
    assert ws["F6"].fill.fgColor.rgb == "FFFFEB9C"  # warning: amber
    assert ws["C5"].fill.fgColor.rgb == "FFFFC7CE"
    assert ws["D4"].fill.fgColor.rgb == "00000000"  # a clean cell is untouched
    assert ws["D5"].comment.text.startswith("Checked with the service lead\n\n— sheetsync —\nERROR RR03:")
    assert "whole number from 1 to 5" in ws["D5"].comment.text
    assert ws["F6"].comment.text.startswith("sheetsync:\nWARNING RR11: This risk was last reviewed")
    exceptions = wb["Exceptions"]
    rows = list(exceptions.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[2], r[5], r[6]) for r in rows] == [
        ("Risks", "C5", "R2", "RR09", "error"), ("Risks", "D5", "R2", "RR03", "error"),
        ("Risks", "F6", "R3", "RR11", "warning")]
    assert exceptions["B2"].hyperlink.location == "'Risks'!C5"
    assert wb[LEDGER_SHEET].sheet_state == "veryHidden"


def test_derived_columns_added_after_the_table(annotated) -> None:
    _source, _run, copy = annotated
    ws = openpyxl.load_workbook(copy)["Risks"]
    assert (ws["G3"].value, ws["H3"].value) == ("Residual score (sheetsync)",
                                                 "Residual rating (sheetsync)")
    assert [ws[f"G{r}"].value for r in (4, 5, 6)] == [6, None, 4]
    assert [ws[f"H{r}"].value for r in (4, 5, 6)] == ["Amber", None, "Green"]
    assert ws["H4"].fill.fgColor.rgb == "FFFFC000"


def test_everything_else_is_kept(annotated) -> None:
    source, _run, copy = annotated
    before, after = openpyxl.load_workbook(source), openpyxl.load_workbook(copy)
    for name in before.sheetnames:
        old, new = before[name], after[name]
        for row in old.iter_rows():
            for cell in row:
                assert new[cell.coordinate].value == cell.value, cell.coordinate
                assert new[cell.coordinate].number_format == cell.number_format
    ws = after["Risks"]
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:F1"]
    assert ws.freeze_panes == "A4"
    assert ws.column_dimensions["B"].width == 40
    assert [str(v.sqref) for v in ws.data_validations.dataValidation] == ["D4:E50"]
    assert [str(r.sqref) for r in ws.conditional_formatting] == ["E4:E50"]
    assert after["Notes"]["B2"].value == "=Risks!D4*2"
    assert after.sheetnames == ["Risks", "Notes", "Exceptions", LEDGER_SHEET]


def test_rerun_on_the_annotated_copy_refreshes_not_stacks(tmp_path, annotated) -> None:
    _source, first, copy = annotated
    second = run_sheetsync([copy], tmp_path / "again")
    assert [f.to_dict() | {"workbook": ""} for f in second.findings] == [
        f.to_dict() | {"workbook": ""} for f in first.findings]
    once, twice = openpyxl.load_workbook(copy), openpyxl.load_workbook(second.workbooks[0].annotated)
    assert once.sheetnames == twice.sheetnames
    for name in ("Risks",):
        comments_once = {c.coordinate: c.comment.text for row in once[name].iter_rows()
                         for c in row if c.comment}
        comments_twice = {c.coordinate: c.comment.text for row in twice[name].iter_rows()
                          for c in row if c.comment}
        assert comments_once == comments_twice
    assert twice["Risks"]["G3"].value == "Residual score (sheetsync)"
    assert twice["Risks"]["I3"].value is None


def test_a_fixed_cell_loses_its_mark_and_gets_its_own_look_back(tmp_path, annotated) -> None:
    _source, _run, copy = annotated
    wb = openpyxl.load_workbook(copy)
    wb["Risks"]["D5"] = 3  # the officer fixes the likelihood in the annotated copy
    wb["Risks"]["C5"] = "Head of ICT"
    fixed = tmp_path / "fixed" / "service.xlsx"
    fixed.parent.mkdir()
    wb.save(fixed)
    run = run_sheetsync([fixed], tmp_path / "again")
    assert keys(run) == [("RR11", "Risks", "F6")]
    ws = openpyxl.load_workbook(run.workbooks[0].annotated)["Risks"]
    assert ws["D5"].fill.fgColor.rgb == "00000000"
    assert ws["D5"].comment.text == "Checked with the service lead"
    assert ws["D5"].comment.author == "Jo Bloggs"
    assert ws["C5"].fill.fgColor.rgb == "00DDEBF7"
    assert ws["C5"].comment is None


def test_blank_derived_cells_are_filled_and_formulas_kept(tmp_path) -> None:
    rows = [["Ref", "Risk", "Owner", "Likelihood", "Impact", "Score", "Rating"],
            ["R1", "Budget", "CFO", 4, 4, None, None], ["R2", "Cyber", "CIO", 2, 2, "=D3*E3", "n/a"]]
    path = write_xlsxwriter(tmp_path / "in" / "blanks.xlsx", {"Risks": rows})
    run = run_sheetsync([path], tmp_path / "out")
    assert keys(run) == []
    ws = openpyxl.load_workbook(run.workbooks[0].annotated)["Risks"]
    assert (ws["F2"].value, ws["G2"].value) == (16, "Red")
    assert (ws["F3"].value, ws["G3"].value) == ("=D3*E3", "n/a")
    assert ws["H1"].value is None  # nothing added: the sheet has both derived columns


def test_text_in_findings_never_becomes_a_formula(tmp_path) -> None:
    rows = [["Ref", "Risk", "Owner", "Likelihood", "Impact"],
            ["R1", "Budget", "CFO", "=1+1", 2]]
    path = write_xlsxwriter(tmp_path / "in" / "inject.xlsx", {"Risks": [rows[0]]},
                            lambda book, ws: [ws.write_string(1, c, str(v)) for c, v in
                                              enumerate(rows[1])])
    run = run_sheetsync([path], tmp_path / "out")
    assert keys(run) == [("TY04", "Risks", "D2")]
    exceptions = openpyxl.load_workbook(run.workbooks[0].annotated)["Exceptions"]
    assert exceptions["E2"].value == "=1+1"
    assert exceptions["E2"].data_type == "s"


def test_a_text_box_survives_the_patching_writer(tmp_path) -> None:
    rows = [["Ref", "Risk", "Owner", "Likelihood", "Impact"], ["R1", "Budget", "CFO", 2, 9]]
    path = write_xlsxwriter(tmp_path / "in" / "shapes.xlsx", {"Risks": rows},
                            lambda book, ws: ws.insert_textbox("H2", "Officer's note"))
    run = run_sheetsync([path], tmp_path / "out")
    assert keys(run) == [("RR03", "Risks", "E2")]
    with zipfile.ZipFile(path) as before, zipfile.ZipFile(run.workbooks[0].annotated) as after:
        assert after.read("xl/drawings/drawing1.xml") == before.read("xl/drawings/drawing1.xml")


def test_a_signed_workbook_goes_through_openpyxl_and_its_losses_are_reported(tmp_path) -> None:
    rows = [["Ref", "Risk", "Owner", "Likelihood", "Impact"], ["R1", "Budget", "CFO", 2, 2]]
    path = add_signature_part(write_xlsxwriter(
        tmp_path / "in" / "shapes.xlsx", {"Risks": rows},
        lambda book, ws: ws.insert_textbox("H2", "Officer's note")))
    run = run_sheetsync([path], tmp_path / "out")
    assert [k[0] for k in keys(run)] == ["WB02", "WB02"]
    assert {f.severity.label for f in run.findings} == {"warning"}
    messages = " ".join(f.message for f in run.findings)
    assert "shapes and text boxes" in messages and "its digital signature" in messages
    assert "it is digitally signed" in messages
    with zipfile.ZipFile(run.workbooks[0].annotated) as after:
        assert "_xmlsignatures/origin.sigs" not in after.namelist()


@needs_corpus()
def test_macros_survive_in_xlsm(tmp_path) -> None:
    source = CORPUS / "macro01.xlsm"
    if not source.exists():
        pytest.skip(f"{source.name} is not in the corpus")
    workbook = add_register_sheet(source, tmp_path / "in" / "macros.xlsm",
                                  [["Ref", "Risk", "Owner", "Likelihood", "Impact"],
                                   ["R1", "Budget", None, 2, 2]])
    run = run_sheetsync([workbook], tmp_path / "out")
    assert keys(run) == [("RR09", "Register", "C2")]
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(run.workbooks[0].annotated) as after:
        assert after.read("xl/vbaProject.bin") == before.read("xl/vbaProject.bin")


def corpus_sample() -> list[str]:
    """Every eighth Excel-made workbook, in name order: a fixed spread of features."""
    if not CORPUS.is_dir():
        return ["(corpus absent)"]
    return sorted(p.name for p in CORPUS.iterdir() if p.suffix in (".xlsx", ".xlsm"))[::8]


def content_type_counts(path: Path) -> dict[str, int]:
    """Independent of sheetsync's own loss check: parts per content type, harmless ones left out."""
    import re
    from collections import Counter

    with zipfile.ZipFile(path) as package:
        types = package.read("[Content_Types].xml").decode("utf-8")
        names = [n for n in package.namelist() if not n.endswith("/")]
    defaults = dict(re.findall(r'Extension="([^"]+)" ContentType="([^"]+)"', types))
    overrides = dict(re.findall(r'PartName="/([^"]+)" ContentType="([^"]+)"', types))
    counts = Counter(overrides.get(n) or defaults.get(n.rsplit(".", 1)[-1], n) for n in names)
    return {t: c for t, c in counts.items() if not re.search(
        r"calcChain|sharedStrings|relationships|Content_Types", t)}


REGISTER_ROWS = [["Ref", "Risk", "Owner", "Likelihood", "Impact"], ["R1", "Budget", "CFO", 9, 2]]


@needs_corpus()
@pytest.mark.parametrize("name", corpus_sample())
def test_no_part_of_an_excel_workbook_is_lost_silently(tmp_path, name) -> None:
    """Beside whatever Excel saved, a register is annotated, and any part lost is reported."""
    workbook = add_register_sheet(CORPUS / name, tmp_path / "in" / name, REGISTER_ROWS)
    run = run_sheetsync([workbook], tmp_path / "out")
    result = run.workbooks[0]
    assert result.status == "ok"
    assert ("RR03", "Register", "D2") in keys(run)
    before, after = content_type_counts(workbook), content_type_counts(result.annotated)
    lost = {t for t, count in before.items() if after.get(t, 0) < count}
    reported = [f for f in result.findings if f.rule == "WB02"]
    assert not lost or reported, f"{name} lost {sorted(lost)} without saying so"


@needs_corpus()
@pytest.mark.parametrize(("name", "words"), [
    ("textbox01.xlsx", "shapes and text boxes"),
    ("header_image01.xlsx", "pictures in headers or footers"),
    ("background02.xlsx", "a background picture"),
    ("checkbox02.xlsx", "check boxes in cells"),
    ("button02.xlsx", "form controls"),
    ("embed_image01.xlsx", "pictures placed in cells"),
    ("array_formula01.xlsx", None),
    ("table02.xlsx", None),
])
def test_known_losses_are_named(tmp_path, name, words) -> None:
    """Where the openpyxl writer must be used (here: a signed package), what it drops is named."""
    workbook = add_signature_part(add_register_sheet(CORPUS / name, tmp_path / "in" / name,
                                                     REGISTER_ROWS))
    run = run_sheetsync([workbook], tmp_path / "out")
    messages = [f.message for f in run.workbooks[0].findings if f.rule == "WB02"]
    if words is None:
        assert [m for m in messages if "digital signature" not in m] == []
    else:
        assert any(words in m for m in messages), messages


def test_output_folder_mirrors_input_folders(tmp_path) -> None:
    rows = [["Ref", "Risk", "Owner", "Likelihood", "Impact"], ["R1", "Budget", "CFO", 2, 2]]
    write_openpyxl(tmp_path / "in" / "Adults" / "register.xlsx", {"Risks": rows})
    write_openpyxl(tmp_path / "in" / "Children" / "register.xlsx", {"Risks": rows})
    (tmp_path / "in" / "Adults" / "~$register.xlsx").write_bytes(b"owner file")
    run = run_sheetsync([tmp_path / "in"], tmp_path / "in" / "checked")
    assert [wb.source.name for wb in run.workbooks] == ["Adults/register.xlsx",
                                                        "Children/register.xlsx"]
    assert (tmp_path / "in" / "checked" / "annotated" / "Children" / "register.xlsx").is_file()
    again = run_sheetsync([tmp_path / "in"], tmp_path / "in" / "checked2")
    assert len(again.workbooks) == 2, "outputs of earlier runs are not inputs"
    shutil.rmtree(tmp_path / "in" / "checked2")
