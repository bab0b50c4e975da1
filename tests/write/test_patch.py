"""The patching writer: what sheetsync does not change comes back byte for byte."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from helpers import (
    CORPUS,
    keys,
    needs_corpus,
    run_sheetsync,
    soffice,
    write_openpyxl,
    write_xlsxwriter,
    wrong_formula_register,
)
from helpers.zipsheet import add_register_sheet, add_rows_to_sheet, add_signature_part
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from sheetsync.write.annotate import LEDGER_SHEET

ROWS = [["Ref", "Risk", "Owner", "Likelihood", "Impact"],
        ["R1", "Budget", "CFO", 9, 2], ["R2", "Cyber", None, 2, 2], ["R3", "Staff", "HR", 1, 1]]
#: Parts the writer may change when it annotates one sheet and adds its own sheets.
PACKAGE_PARTS = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                 "xl/styles.xml"}


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def changed_parts(before: Path, after: Path) -> set[str]:
    old, new = parts(before), parts(after)
    return {name for name, data in old.items() if new.get(name) != data}


def corpus_sample(step: int) -> list[str]:
    if not CORPUS.is_dir():
        return ["(corpus absent)"]
    return sorted(p.name for p in CORPUS.iterdir() if p.suffix in (".xlsx", ".xlsm"))[::step]


@needs_corpus()
@pytest.mark.parametrize("name", corpus_sample(8))
def test_every_part_excel_saved_is_kept_byte_for_byte(tmp_path, name) -> None:
    workbook = add_register_sheet(CORPUS / name, tmp_path / "in" / name, ROWS)
    register_part = max((n for n in parts(workbook) if re.match(r"xl/worksheets/sheet\d+\.xml$", n)),
                        key=lambda n: int(re.findall(r"\d+", n)[0]))
    run = run_sheetsync([workbook], tmp_path / "out", reports=False)
    result = run.workbooks[0]
    assert keys(run) == [("RR03", "Register", "D2"), ("RR09", "Register", "C3")]
    assert changed_parts(workbook, result.annotated) <= PACKAGE_PARTS | {register_part}
    ws = openpyxl.load_workbook(result.annotated)["Register"]
    assert ws["D2"].fill.fgColor.rgb[-6:] == "FFC7CE" and "RR03" in ws["D2"].comment.text


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed; CI "
                    "installs libreoffice-calc-nogui")
@needs_corpus()
def test_libreoffice_opens_patched_copies_of_excel_workbooks(tmp_path) -> None:
    """A spread of what Excel saves (charts, pictures, controls, macros) opens and converts."""
    for name in corpus_sample(60):
        workbook = add_register_sheet(CORPUS / name, tmp_path / "in" / name, ROWS)
        annotated = run_sheetsync([workbook], tmp_path / "out" / name, reports=False
                                  ).workbooks[0].annotated
        completed = subprocess.run(
            [soffice(), f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
             "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,"
             "false,-1", "--outdir", str(tmp_path / "csv" / name), str(annotated)],
            capture_output=True, text=True, timeout=180, check=False)
        assert completed.returncode == 0, (name, completed.stderr)
        register = tmp_path / "csv" / name / f"{annotated.stem}-Register.csv"
        assert register.read_text(encoding="utf-8").splitlines()[1].startswith("R1,Budget,CFO,9,2"), name


def test_a_re_run_on_the_annotated_copy_writes_the_same_package(tmp_path) -> None:
    path = write_openpyxl(tmp_path / "in" / "risks.xlsx", {"Risks": ROWS})
    first = run_sheetsync([path], tmp_path / "out", reports=False).workbooks[0].annotated
    second = run_sheetsync([first], tmp_path / "again", reports=False).workbooks[0].annotated
    assert parts(first) == parts(second)


def test_a_sheet_streamed_in_many_chunks_is_the_same_as_in_one(tmp_path, monkeypatch) -> None:
    """Big sheets are compressed chunk by chunk on a thread; small ones in one write."""
    import sheetsync.write.patch

    path = write_openpyxl(tmp_path / "in" / "risks.xlsx", {"Risks": ROWS})
    whole = run_sheetsync([path], tmp_path / "whole", reports=False).workbooks[0].annotated
    monkeypatch.setattr(sheetsync.write.patch, "_CHUNK", 64)
    chunked = run_sheetsync([path], tmp_path / "chunked", reports=False).workbooks[0].annotated
    assert parts(chunked) == parts(whole)


def test_officers_notes_are_kept_and_sheetsync_adds_its_own_after_them(tmp_path) -> None:
    def notes(wb):
        wb["Risks"]["D2"].comment = Comment("Scored at the March board", "Jo Bloggs")
        wb["Risks"]["B3"].comment = Comment("Owner leaving in May", "Sam Patel")

    path = write_openpyxl(tmp_path / "in" / "risks.xlsx", {"Risks": ROWS}, notes)
    copy = run_sheetsync([path], tmp_path / "out", reports=False).workbooks[0].annotated
    ws = openpyxl.load_workbook(copy)["Risks"]
    assert ws["D2"].comment.text.startswith("Scored at the March board\n\n— sheetsync —\nERROR RR03")
    assert (ws["B3"].comment.text, ws["B3"].comment.author) == ("Owner leaving in May", "Sam Patel")
    assert ws["C3"].comment.text.startswith("sheetsync:\nERROR RR09")
    comments = parts(copy)["xl/comments/comment1.xml"].decode()
    original = parts(path)["xl/comments/comment1.xml"].decode()
    untouched = re.search(r'<comment ref="B3".*?</comment>', original).group(0)
    assert untouched in comments, "a note on a cell sheetsync does not mark is copied as written"
    vml = parts(copy)[next(n for n in parts(copy) if n.endswith(".vml"))].decode()
    assert sorted(re.findall(r"<x:Row>(\d+)</x:Row><x:Column>(\d+)</x:Column>", vml)) == [
        ("1", "3"), ("2", "1"), ("2", "2")]

    again = run_sheetsync([copy], tmp_path / "again", reports=False).workbooks[0].annotated
    ws = openpyxl.load_workbook(again)["Risks"]
    assert ws["D2"].comment.text.count("— sheetsync —") == 1
    assert ws["B3"].comment.text == "Owner leaving in May"


def test_a_button_beside_the_notes_keeps_its_shape(tmp_path) -> None:
    def extras(book, ws):
        ws.insert_button("H2", {"caption": "Submit", "macro": "Submit"})
        ws.write_comment("B4", "Reviewed")

    path = write_xlsxwriter(tmp_path / "in" / "button.xlsx", {"Risks": ROWS}, extras)
    copy = run_sheetsync([path], tmp_path / "out", reports=False).workbooks[0].annotated
    vml_name = next(n for n in parts(copy) if n.endswith(".vml"))
    before, after = parts(path)[vml_name].decode(), parts(copy)[vml_name].decode()
    button = re.search(r'<v:shape [^>]*>(?:(?!</v:shape>).)*ObjectType="Button".*?</v:shape>',
                       before, re.DOTALL).group(0)
    assert button in after
    assert after.count('ObjectType="Note"') == 3  # the officer's and sheetsync's two
    wb = openpyxl.load_workbook(copy)
    assert wb["Risks"]["B4"].comment.text == "Reviewed"


def test_a_wrong_formula_keeps_its_cached_result_so_a_re_run_still_flags_it(tmp_path) -> None:
    path = wrong_formula_register(tmp_path / "in")
    first = run_sheetsync([path], tmp_path / "out", reports=False)
    second = run_sheetsync([first.workbooks[0].annotated], tmp_path / "again", reports=False)
    assert keys(first) == keys(second) == [("RR05", "Risks", "F3")]


def test_a_fixed_cell_gets_its_own_format_back_after_another_tool_renumbered_them(tmp_path) -> None:
    def dress(wb):
        wb["Risks"]["D2"].fill = PatternFill("solid", fgColor="DDEBF7")
        wb["Risks"]["D2"].number_format = "0.0"

    path = write_openpyxl(tmp_path / "in" / "risks.xlsx", {"Risks": ROWS}, dress)
    copy = run_sheetsync([path], tmp_path / "out", reports=False).workbooks[0].annotated
    wb = openpyxl.load_workbook(copy)  # openpyxl renumbers every format as it saves
    assert wb["Risks"]["D2"].fill.fgColor.rgb[-6:] == "FFC7CE"
    wb["Risks"]["D2"] = 3
    fixed = tmp_path / "fixed" / "risks.xlsx"
    fixed.parent.mkdir()
    wb.save(fixed)
    again = run_sheetsync([fixed], tmp_path / "again", reports=False)
    assert keys(again) == [("RR09", "Risks", "C3")]
    cell = openpyxl.load_workbook(again.workbooks[0].annotated)["Risks"]["D2"]
    assert (cell.fill.fgColor.rgb[-6:], cell.number_format, cell.comment) == ("DDEBF7", "0.0", None)


def test_a_sheet_written_without_row_numbers_goes_through_openpyxl(tmp_path) -> None:
    workbook = add_register_sheet(write_openpyxl(tmp_path / "base.xlsx", {"Cover": [["Title"]]}),
                                  tmp_path / "in" / "odd.xlsx", ROWS)
    data = parts(workbook)
    sheet = next(n for n, content in data.items() if b"Budget" in content)
    data[sheet] = re.sub(rb'<row r="\d+">', b"<row>", data[sheet])
    with zipfile.ZipFile(workbook, "w") as package:
        for name, content in data.items():
            package.writestr(name, content)
    run = run_sheetsync([workbook], tmp_path / "out", reports=False)
    assert keys(run) == [("RR03", "Register", "D2"), ("RR09", "Register", "C3")]
    wb = openpyxl.load_workbook(run.workbooks[0].annotated)
    assert wb[LEDGER_SHEET]["H1"].value is None, "written by the openpyxl writer"
    assert wb["Register"]["D2"].fill.fgColor.rgb[-6:] == "FFC7CE"


def test_the_exceptions_sheet_links_to_each_cell_and_the_ledger_is_very_hidden(tmp_path) -> None:
    path = write_openpyxl(tmp_path / "in" / "risks.xlsx", {"Risks": ROWS})
    wb = openpyxl.load_workbook(run_sheetsync([path], tmp_path / "out", reports=False
                                              ).workbooks[0].annotated)
    assert wb.sheetnames == ["Risks", "Exceptions", LEDGER_SHEET]
    assert wb[LEDGER_SHEET].sheet_state == "veryHidden"
    exceptions = wb["Exceptions"]
    assert [c.value for c in exceptions[1]] == ["Sheet", "Cell", "Ref", "Column", "Value", "Rule",
                                                "Severity", "Message"]
    assert [(exceptions[f"B{r}"].value, exceptions[f"B{r}"].hyperlink.location) for r in (2, 3)] == [
        ("D2", "'Risks'!D2"), ("C3", "'Risks'!C3")]
    assert exceptions.freeze_panes == "A2" and exceptions.auto_filter.ref == "A1:H3"


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed; CI "
                    "installs libreoffice-calc-nogui")
def test_a_copy_saved_again_by_libreoffice_is_refreshed_and_a_fixed_cell_restored(tmp_path) -> None:
    def note(wb):
        wb["Risks"]["D2"].comment = Comment("Scored at the March board", "Jo Bloggs")

    def resave(path: Path, folder: str) -> Path:
        subprocess.run([soffice(), f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                        "--headless", "--convert-to", "xlsx", "--outdir", str(tmp_path / folder),
                        str(path)], capture_output=True, timeout=180, check=True)
        return tmp_path / folder / path.name

    path = write_openpyxl(tmp_path / "in" / "risks.xlsx", {"Risks": ROWS}, note)
    copy = resave(run_sheetsync([path], tmp_path / "out", reports=False).workbooks[0].annotated, "lo")
    again = run_sheetsync([copy], tmp_path / "again", reports=False)
    assert keys(again) == [("RR03", "Risks", "D2"), ("RR09", "Risks", "C3")]
    ws = openpyxl.load_workbook(again.workbooks[0].annotated)["Risks"]
    assert ws["D2"].comment.text.startswith("Scored at the March board\n\n— sheetsync —\nERROR RR03")
    assert ws["C3"].comment.text.count("sheetsync") == 1

    wb = openpyxl.load_workbook(copy)
    wb["Risks"]["D2"] = 3
    wb.save(tmp_path / "fixed.xlsx")
    fixed = run_sheetsync([resave(tmp_path / "fixed.xlsx", "lo-fixed")], tmp_path / "final",
                          reports=False)
    assert keys(fixed) == [("RR09", "Risks", "C3")]
    ws = openpyxl.load_workbook(fixed.workbooks[0].annotated)["Risks"]
    assert ws["D2"].fill.fgColor.rgb[-6:] != "FFC7CE"
    assert ws["D2"].comment.text == "Scored at the March board"


def test_the_openpyxl_writer_reads_the_patching_writers_ledger(tmp_path) -> None:
    """A copy that can no longer be patched (here: signed since) is refreshed by openpyxl."""
    def dress(wb):
        wb["Risks"]["D2"].fill = PatternFill("solid", fgColor="DDEBF7")

    path = write_openpyxl(tmp_path / "in" / "risks.xlsx", {"Risks": ROWS}, dress)
    copy = run_sheetsync([path], tmp_path / "out", reports=False).workbooks[0].annotated
    wb = openpyxl.load_workbook(copy)
    wb["Risks"]["D2"] = 3
    wb.save(tmp_path / "fixed.xlsx")
    again = run_sheetsync([add_signature_part(tmp_path / "fixed.xlsx")], tmp_path / "again",
                          reports=False)
    assert [k for k in keys(again) if k[0] != "WB02"] == [("RR09", "Risks", "C3")]
    ws = openpyxl.load_workbook(again.workbooks[0].annotated)["Risks"]
    assert (ws["D2"].fill.fgColor.rgb[-6:], ws["D2"].comment) == ("DDEBF7", None)
    assert ws["C3"].comment.text.count("sheetsync") == 1
    assert ws["F1"].value == "Residual score (sheetsync)" and ws["H1"].value is None


@needs_corpus()
@pytest.mark.parametrize("name", ["table06.xlsx", "background07.xlsx", "header_image08.xlsx"])
def test_a_register_on_a_sheet_excel_saved_with_notes_tables_and_pictures(tmp_path, name) -> None:
    """The annotated sheet itself holds Excel's own parts: notes, tables, drawings, headers."""
    workbook = add_rows_to_sheet(CORPUS / name, tmp_path / "in" / name, ROWS, first_row=30)
    run = run_sheetsync([workbook], tmp_path / "out", reports=False)
    sheet = openpyxl.load_workbook(workbook).sheetnames[0]
    assert keys(run) == [("RR03", sheet, "D31"), ("RR09", sheet, "C32")]
    copy = run.workbooks[0].annotated
    old, new = parts(workbook), parts(copy)
    notes = {n for n in old if re.search(r"comments\d*\.xml$|\.vml$", n)}
    changed = changed_parts(workbook, copy)
    assert changed <= PACKAGE_PARTS | notes | {"xl/worksheets/sheet1.xml",
                                               "xl/worksheets/_rels/sheet1.xml.rels"}
    sheet_xml = new["xl/worksheets/sheet1.xml"].decode()
    tail = sheet_xml[sheet_xml.index("</sheetData>"):]
    order = [t for t in ("<drawing ", "<legacyDrawing ", "<legacyDrawingHF", "<picture ",
                         "<tableParts") if t in tail]
    assert order == sorted(order, key=tail.index), "elements in the order Excel requires"
    assert tail.count("<legacyDrawing ") == 1
    for part in old:
        if part.startswith("xl/comments"):
            for comment in re.findall(rb"<comment .*?</comment>", old[part], re.DOTALL):
                assert comment in new[part], "the officer's notes are kept as written"
    ws = openpyxl.load_workbook(copy)[sheet]
    assert ws["D31"].comment.text.startswith("sheetsync:\nERROR RR03")
    if soffice() is not None:
        completed = subprocess.run(
            [soffice(), f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
             "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(copy)],
            capture_output=True, text=True, timeout=180, check=False)
        assert completed.returncode == 0 and (tmp_path / "pdf" / f"{copy.stem}.pdf").is_file()


def test_a_threaded_comment_is_left_alone_and_its_cell_still_marked(tmp_path) -> None:
    legacy = "[Threaded comment]\n\nYour version of Excel allows you to read this threaded comment"

    def note(wb):
        wb["Risks"]["D2"].comment = Comment(legacy, "tc={1}")

    path = write_openpyxl(tmp_path / "in" / "risks.xlsx", {"Risks": ROWS}, note)
    data = parts(path)
    thread = (b'<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/'
              b'threadedcomments"><threadedComment ref="D2" personId="{0}" id="{1}"><text>Is 9 '
              b'right?</text></threadedComment></ThreadedComments>')
    data["xl/threadedComments/threadedComment1.xml"] = thread
    data["xl/worksheets/_rels/sheet1.xml.rels"] = data["xl/worksheets/_rels/sheet1.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rId9" Type="http://schemas.microsoft.com/office/'
        b'2017/10/relationships/threadedComment" Target="../threadedComments/threadedComment1.xml"/>'
        b"</Relationships>")
    with zipfile.ZipFile(path, "w") as package:
        for name, content in data.items():
            package.writestr(name, content)
    copy = run_sheetsync([path], tmp_path / "out", reports=False).workbooks[0].annotated
    assert parts(copy)["xl/threadedComments/threadedComment1.xml"] == thread
    ws = openpyxl.load_workbook(copy)["Risks"]
    assert ws["D2"].comment.text == legacy
    assert ws["D2"].fill.fgColor.rgb[-6:] == "FFC7CE"
    assert ws["C3"].comment.text.startswith("sheetsync:")


def test_a_strict_open_xml_workbook_is_checked_and_says_why_it_has_no_annotated_copy(tmp_path) -> None:
    path = write_openpyxl(tmp_path / "in" / "strict.xlsx", {"Risks": ROWS})
    data = {name: content.replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                                  b"http://purl.oclc.org/ooxml/spreadsheetml/main").replace(
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        b"http://purl.oclc.org/ooxml/officeDocument/relationships") for name, content in parts(path).items()}
    with zipfile.ZipFile(path, "w") as package:
        for name, content in data.items():
            package.writestr(name, content)
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert keys(run) == [("RR03", "Risks", "D2"), ("RR09", "Risks", "C3"), ("WB03", None, None)]
    assert "Strict Open XML" in run.findings[-1].message
    assert run.workbooks[0].annotated is None


def test_shared_formulas_are_read_cell_by_cell(tmp_path) -> None:
    """Excel writes a column of like formulas once and shares it; each cell reads as its own."""
    from sheetsync.read.grid import read_grid
    from sheetsync.read.package import Package

    rows = [["Ref", "Risk", "Owner", "Likelihood", "Impact", "Score"],
            ["R1", "Budget", "CFO", 4, 4, "=D2*E2"], ["R2", "Cyber", "CIO", 3, 2, "=D3*E3"],
            ["R3", "Staff", "HR", 2, 2, "=D4*E4"]]
    path = write_xlsxwriter(tmp_path / "in" / "shared.xlsx", {"Risks": rows})
    data = parts(path)
    sheet = data["xl/worksheets/sheet1.xml"]
    sheet = sheet.replace(b"<f>D2*E2</f>", b'<f t="shared" ref="F2:F4" si="0">D2*E2</f>')
    sheet = re.sub(rb"<f>D[34]\*E[34]</f>", b'<f t="shared" si="0"/>', sheet)
    data["xl/worksheets/sheet1.xml"] = sheet
    with zipfile.ZipFile(path, "w") as package:
        for name, content in data.items():
            package.writestr(name, content)
    with Package.open(path) as package:
        grid = read_grid(package).sheets[0]
    assert [grid.formulas[(row, 6)] for row in (2, 3, 4)] == ["=D2*E2", "=D3*E3", "=D4*E4"]
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert keys(run) == []  # never calculated, but each multiplies its own row: trusted
    assert [r["residual_score"] for r in run.records("risk_register")] == [16, 6, 4]


@settings(max_examples=200, deadline=None)
@given(text=st.text(st.characters(codec="utf-8"), max_size=60)
       | st.sampled_from(["\uffff<a>&", "x\x01y"]),
       number=st.floats(allow_nan=False, allow_infinity=False)
       | st.integers(min_value=-(2**53), max_value=2**53))
def test_any_text_or_number_written_into_a_sheet_reads_back_the_same(text, number) -> None:
    """Whatever a finding's message or value holds (markup, quotes, line breaks, any script)."""
    from xml.etree import ElementTree

    from sheetsync.write.sheetxml import SheetEdits, patch_sheet

    edits = SheetEdits()
    edits.cell(2, 3).value = text
    edits.cell(2, 1).value = number
    xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b'<sheetData><row r="2"><c r="B2" s="1"><v>7</v></c></row></sheetData></worksheet>')
    root = ElementTree.fromstring(b"".join(patch_sheet([xml], edits)))
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    cells = {c.get("r"): c for c in root.iter(f"{ns}c")}
    assert list(cells) == ["A2", "B2", "C2"]
    assert float(cells["A2"].find(f"{ns}v").text) == number
    def lines(value: str) -> str:  # NOTE: an XML reader reads every line ending as \n
        return value.replace("\r\n", "\n").replace("\r", "\n")

    wanted = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", text)
    assert lines("".join(cells["C2"].itertext())) == lines(wanted)


def test_a_stray_cell_far_out_is_read_without_asking_for_the_whole_sheet(tmp_path) -> None:
    """calamine makes a dense grid; one value in XFD1048576 would ask it for 500 GB."""
    def stray(wb):
        wb["Risks"]["XFD1048576"] = "x"
        wb["Risks"].merge_cells("F1:G1")

    path = write_openpyxl(tmp_path / "in" / "far.xlsx", {"Risks": ROWS}, stray)
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    assert keys(run) == [("RR03", "Risks", "D2"), ("RR09", "Risks", "C3")]
    ws = openpyxl.load_workbook(run.workbooks[0].annotated)["Risks"]
    assert ws["XFD1048576"].value == "x" and ws["D2"].fill.fgColor.rgb[-6:] == "FFC7CE"


def test_the_scan_finds_how_far_the_cells_reach_formulas_and_errors() -> None:
    from sheetsync.read.sheetscan import scan_sheet

    xml = (b'<worksheet><sheetData><row r="1"><c r="A1"><f>B1*2</f><v>4</v></c>'
           b'<c r="AB1" t="e"><v>#REF!</v></c></row><row r="7"><c r="C7"/></row></sheetData>'
           b'<mergeCells count="1"><mergeCell ref="A1:C2"/></mergeCells></worksheet>')
    scan = scan_sheet(iter([xml[:40], xml[40:90], xml[90:]]))  # cut anywhere
    assert (scan.last_row, scan.last_col, scan.area) == (7, 28, 7 * 28)
    assert scan.formulas == {(1, 1): "=B1*2"} and scan.errors == {(1, 28): "#REF!"}
    assert scan.merged == [(1, 1, 2, 3)]


def test_a_cell_in_the_middle_of_a_row_is_restyled_where_it_stands() -> None:
    """The in-place path finds the cell by its address (it once missed every cell, because the
    space after ``<c`` is the one before ``r=``, and split the whole row instead)."""
    from sheetsync.write.sheetxml import CellEdit, _patch_in_place

    inner = (b'<c r="A5" t="inlineStr"><is><t>R2</t></is></c><c r="K5"><f>I5*J5</f><v>0</v></c>'
             b'<c r="M5" s="1"><v>44928</v></c>')
    patched = _patch_in_place(inner, 5, {11: CellEdit(style=8), 14: CellEdit(value="Green")}, 13)
    assert patched == (b'<c r="A5" t="inlineStr"><is><t>R2</t></is></c>'
                       b'<c r="K5" s="8"><f>I5*J5</f><v>0</v></c><c r="M5" s="1"><v>44928</v></c>'
                       b'<c r="N5" t="inlineStr"><is><t xml:space="preserve">Green</t></is></c>')


@settings(max_examples=300, deadline=None)
@given(text=st.text() | st.sampled_from(["a&b<c>", "\x01\ud800\uffff", "Siân\n"]))
def test_text_is_escaped_for_xml_as_the_full_escape_does_it(text) -> None:
    """The fast path for plain text gives what escaping every time gave."""
    from xml.sax.saxutils import escape

    from sheetsync.read.package import xml_escaped

    wanted = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", text)
    assert xml_escaped(text) == escape(wanted).encode("utf-8", "surrogatepass")


_ENTITY_TEXT = st.lists(st.sampled_from(list("ab &<>\"';#x10") + [
    "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&amp;lt;", "&#10;", "\ud800"])).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=_ENTITY_TEXT | st.text())
def test_attributes_and_text_are_escaped_and_read_as_saxutils_does(text) -> None:
    """package.py's escaping and reading of entities, made without xml.sax.saxutils (whose
    import costs every process 10 ms), give exactly what saxutils gave."""
    from xml.sax.saxutils import escape, unescape

    from sheetsync.read.package import xml_attr, xml_text

    wanted = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", text)
    assert xml_attr(text) == escape(wanted, {'"': "&quot;"})
    assert xml_text(text) == unescape(text, {"&quot;": '"', "&apos;": "'"})
    if "\ud800" not in text:
        assert xml_text(text.encode("utf-8")) == xml_text(text)


_ROW_ELEMENT = st.sampled_from([b'<row r="3"/>', b'<row r="4" spans="1:2"><c r="A4"><v>1</v></c></row>',
                                b'<row r="5" >\n<c r="B5"/></row>', b'<rowBreaks count="1"/>',
                                b'<row\tr="9"></row>', b"<c/>",
                                b'<row r="7"><is><t>&lt;/row&gt;</t></is></row>'])


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(_ROW_ELEMENT, max_size=8), cut=st.integers(min_value=0, max_value=400))
def test_rows_are_found_as_the_row_pattern_finds_them(pieces, cut) -> None:
    """The plain-search row finder gives the rows a regex for whole <row> elements gives; a
    row cut off at the end of what has been read so far waits for the rest."""
    from sheetsync.write.sheetxml import _whole_rows

    region = b"".join(pieces)[:cut]
    pattern = re.compile(rb"<row\b([^>]*?)(/>|>.*?</row>)", re.DOTALL)
    wanted = [(found.start(), found.end(), found.group(1), found.group(2) == b"/>")
              for found in pattern.finditer(region)]
    assert [(r.start, r.end, r.attributes, r.empty) for r in _whole_rows(region)] == wanted


def test_cells_filled_on_rows_that_are_not_there_go_in_before_the_rows_after_them() -> None:
    from xml.etree import ElementTree

    from sheetsync.write.sheetxml import SheetEdits, patch_sheet

    edits = SheetEdits()
    edits.cell(2, 1).value = "new"
    edits.cell(4, 2).value = 5
    edits.cell(9, 1).value = "last"
    xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="5"><c r="A5"><v>7</v></c>'
           b"</row></sheetData></worksheet>")
    root = ElementTree.fromstring(b"".join(patch_sheet([xml[:70], xml[70:130], xml[130:]], edits)))
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    assert [row.get("r") for row in root.iter(f"{ns}row")] == ["1", "2", "4", "5", "9"]
    assert [c.get("r") for c in root.iter(f"{ns}c")] == ["A1", "A2", "B4", "A5", "A9"]


def test_a_rows_extension_list_stays_last_and_formats_are_set_as_the_attribute_setter_does() -> None:
    """A row's <extLst> (looked for only where the row ends with one) stays after the cells
    added to it; a cell's format is read and set in one search (a tab before it becomes a
    space, a format of None takes the attribute away)."""
    from sheetsync.write.sheetxml import SheetEdits, patch_sheet

    edits = SheetEdits()
    edits.cell(1, 3).value = "new"
    edits.cell(2, 1).style = 4
    edits.cell(3, 2).style = lambda current: None if current is None else current + 1
    edits.cell(3, 3).style = None
    xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           b'<row r="1"><c r="A1"><v>1</v></c><extLst><ext uri="x"/></extLst></row>'
           b'<row r="2"><c r="A2" s="2"/><c r="B2"><v>2</v></c><extLst><ext uri="y"/></extLst>\n</row>'
           b'<row r="3"><c r="A3"/><c r="B3"\ts="6" t="n"><v>3</v></c><c r="C3" s="1"/><c r="D3"/></row>'
           b"</sheetData></worksheet>")
    assert b"".join(patch_sheet([xml], edits)).split(b"<sheetData>")[1] == (
        b'<row r="1"><c r="A1"><v>1</v></c><c r="C1" t="inlineStr"><is><t xml:space="preserve">new'
        b'</t></is></c><extLst><ext uri="x"/></extLst></row>'
        b'<row r="2"><c r="A2" s="4"/><c r="B2"><v>2</v></c><extLst><ext uri="y"/></extLst></row>'
        b'<row r="3"><c r="A3"/><c r="B3" s="7" t="n"><v>3</v></c><c r="C3"/><c r="D3"/></row>'
        b"</sheetData></worksheet>")


def test_a_notes_drawing_without_its_end_goes_through_openpyxl(tmp_path) -> None:
    """The drawing is made as the package is written: its error still means the fallback
    writer, not a workbook that cannot be checked."""
    def notes(wb):
        wb["Risks"]["B3"].comment = Comment("Owner leaving in May", "Sam Patel")

    path = write_openpyxl(tmp_path / "base.xlsx", {"Risks": ROWS}, notes)
    data = parts(path)
    vml = next(n for n in data if n.endswith(".vml"))
    data[vml] = data[vml].replace(b"</xml>", b"")
    odd = tmp_path / "in" / "odd.xlsx"
    odd.parent.mkdir()
    with zipfile.ZipFile(odd, "w") as package:
        for name, content in data.items():
            package.writestr(name, content)
    run = run_sheetsync([odd], tmp_path / "out", reports=False)
    assert run.workbooks[0].status == "ok"
    assert keys(run) == [("RR03", "Risks", "D2"), ("RR09", "Risks", "C3")]
    wb = openpyxl.load_workbook(run.workbooks[0].annotated)
    assert wb[LEDGER_SHEET]["H1"].value is None, "written by the openpyxl writer"
    assert wb["Risks"]["D2"].comment.text.startswith("sheetsync:\nERROR RR03")


def test_a_format_asked_for_again_is_the_same_one_and_new_ones_go_at_the_end() -> None:
    from sheetsync.write.stylesxml import Styles

    xml = (b'<styleSheet><fonts count="1"><font><sz val="11"/></font></fonts><fills count="2">'
           b'<fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
           b'</fill></fills><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0"/>'
           b'<xf numFmtId="0" fontId="0" fillId="0"/></cellXfs></styleSheet>')
    styles = Styles(xml)
    red = styles.fill("FFC7CE")
    assert red == 2 and styles.fill("ffc7ce") == 2
    assert styles.cell_format(0) == 0, "the first of two equal formats"
    marked = styles.cell_format(1, fill=red)
    assert marked == 2 and styles.cell_format(1, fill=red) == 2 and styles.cell_format(0, fill=red) == 2
    assert styles.cell_format_xml(2) == b'<xf numFmtId="0" fontId="0" fillId="2" applyFill="1"/>'
    assert styles.fill_of(2) == 2 and styles.fill_xml(99) == styles.fill_xml(0)
    assert b'<cellXfs count="3">' in styles.xml() and b'<fills count="3">' in styles.xml()


def test_new_cells_of_equal_values_written_apart_are_not_mixed_up() -> None:
    """New cells are kept by (format, type, value) for the next row and workbook: 0.0 and -0.0
    (equal, written apart) and 1, 1.0 and True (equal, of other types) each get their own."""
    from sheetsync.write.newsheet import Table, table_pieces
    from sheetsync.write.sheetxml import CellEdit, _new_cell

    values = [0.0, -0.0, 0.0, 1, 1.0, True, -0.0]
    cells = [_new_cell(2, 3, CellEdit(style=None, value=v)) for v in values]
    assert cells == [b'<c r="C2"><v>0.0</v></c>', b'<c r="C2"><v>-0.0</v></c>',
                     b'<c r="C2"><v>0.0</v></c>', b'<c r="C2"><v>1</v></c>',
                     b'<c r="C2"><v>1.0</v></c>', b'<c r="C2" t="b"><v>1</v></c>',
                     b'<c r="C2"><v>-0.0</v></c>']
    sheet = b"".join(table_pieces(Table(rows=[[v] for v in values])))
    assert re.findall(rb"<v>([^<]*)</v>", sheet) == [b"0.0", b"-0.0", b"0.0", b"1", b"1.0",
                                                    b"1", b"-0.0"]


def test_text_cells_kept_past_the_most_are_made_again_the_same() -> None:
    """Text cells' XML is kept by (format, text) up to a bound, then the store is emptied: a
    text met again is made again, the same; equal texts in other formats are kept apart."""
    from sheetsync.write.celltails import TextTails

    made: list[tuple[object, str]] = []

    def make(style: object, text: str) -> bytes:
        made.append((style, text))
        return f"{style}:{text}".encode()

    tails = TextTails(make, most=2)
    got = [tails[None, "a"], tails[None, "a"], tails[3, "a"], tails[None, "b"], tails[None, "a"]]
    assert got == [b"None:a", b"None:a", b"3:a", b"None:b", b"None:a"]
    assert made == [(None, "a"), (3, "a"), (None, "b"), (None, "a")]
    assert len(tails) <= 2


def test_a_sheet_compressed_on_a_thread_lowers_the_switch_interval_then_restores_it(
        tmp_path, monkeypatch) -> None:
    """While a sheet is written in chunks compressed on a thread, Python's switch interval is
    1 ms (the thread gets the GIL back sooner); afterwards it is back as it was, and the copy
    is the one written in one piece."""
    import sys

    import sheetsync.write.patch as patch

    rows = [["Ref", "Risk", "Owner", "Likelihood", "Impact"]] + [
        [f"R{n}", f"Risk {n}", "CFO", 9 if n % 3 == 0 else 2, 2] for n in range(1, 60)]
    path = write_openpyxl(tmp_path / "in" / "big.xlsx", {"Risks": rows})
    whole = run_sheetsync([path], tmp_path / "whole", reports=False)
    intervals: list[float] = []
    real = sys.setswitchinterval

    def record(interval: float) -> None:
        intervals.append(interval)
        real(interval)

    before = sys.getswitchinterval()
    monkeypatch.setattr(patch, "_CHUNK", 256)  # (every sheet in chunks: the threaded path)
    monkeypatch.setattr(sys, "setswitchinterval", record)  # (as the writer calls it)
    chunked = run_sheetsync([path], tmp_path / "chunked", reports=False)
    assert intervals and intervals[0::2] == [min(before, 0.001)] * (len(intervals) // 2)
    assert intervals[1::2] == [before] * (len(intervals) // 2)
    assert sys.getswitchinterval() == before
    assert parts(chunked.workbooks[0].annotated) == parts(whole.workbooks[0].annotated)
