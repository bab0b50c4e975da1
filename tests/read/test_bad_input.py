"""Files that are not good workbooks: a one-line reason each, and the run goes on."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from helpers import run_sheetsync, write_openpyxl

GOOD_ROWS = [["Ref", "Risk", "Owner", "Likelihood", "Impact"], ["R1", "Budget", "CFO", 2, 2]]


def good(folder: Path) -> Path:
    return write_openpyxl(folder / "good.xlsx", {"Risks": GOOD_ROWS})


def outcome(tmp_path: Path, bad: Path) -> tuple[str, str]:
    good(bad.parent)
    run = run_sheetsync([bad.parent], tmp_path / "out")
    statuses = {wb.source.name: (wb.status, wb.message) for wb in run.workbooks}
    assert statuses["good.xlsx"] == ("ok", ""), "one bad file must not stop the run"
    wb01 = [f for f in run.findings if f.rule == "WB01"]
    assert [(f.workbook, f.severity.label) for f in wb01] == [(bad.name, "error")]
    assert run.failed("never") is False and run.failed("error") is True
    return statuses[bad.name]


def test_not_a_workbook(tmp_path) -> None:
    bad = tmp_path / "in" / "notes.xlsx"
    bad.parent.mkdir()
    bad.write_text("Minutes of the meeting", encoding="utf-8")
    assert outcome(tmp_path, bad) == ("error", "this is not an Excel workbook (.xlsx or .xlsm)")


def test_empty_file(tmp_path) -> None:
    bad = tmp_path / "in" / "empty.xlsx"
    bad.parent.mkdir()
    bad.write_bytes(b"")
    assert outcome(tmp_path, bad) == ("error", "the file is empty")


def test_truncated_workbook(tmp_path) -> None:
    whole = good(tmp_path / "whole")
    bad = tmp_path / "in" / "truncated.xlsx"
    bad.parent.mkdir()
    bad.write_bytes(whole.read_bytes()[:2000])
    assert outcome(tmp_path, bad) == ("error", "the file is damaged or truncated (incomplete zip package)")


def test_zip_that_is_not_a_workbook(tmp_path) -> None:
    bad = tmp_path / "in" / "archive.xlsx"
    bad.parent.mkdir()
    with zipfile.ZipFile(bad, "w") as package:
        package.writestr("readme.txt", "hello")
    assert outcome(tmp_path, bad) == ("error", "this is a zip file but not an Excel workbook")


def test_password_protected_workbook(tmp_path) -> None:
    msoffcrypto = pytest.importorskip("msoffcrypto", reason="msoffcrypto-tool encrypts the test file")
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = good(tmp_path / "plain")
    bad = tmp_path / "in" / "protected.xlsx"
    bad.parent.mkdir()
    with plain.open("rb") as source, bad.open("wb") as target:
        OOXMLFile(source).encrypt("secret", target)
    assert msoffcrypto
    assert outcome(tmp_path, bad) == (
        "error", "the workbook is password-protected; save a copy without a password to check it")


def test_old_xls_format(tmp_path) -> None:
    bad = tmp_path / "in" / "legacy.xlsx"
    bad.parent.mkdir()
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    assert outcome(tmp_path, bad) == ("error", "this is an old-format .xls workbook; save it as .xlsx "
                                               "to check it")


def test_xml_entity_expansion_is_refused(tmp_path) -> None:
    source = good(tmp_path / "plain")
    bad = tmp_path / "in" / "laughs.xlsx"
    bad.parent.mkdir()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(bad, "w") as package:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b"<workbook", b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
                                    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><workbook', 1)
            package.writestr(item, data)
    status, message = outcome(tmp_path, bad)
    assert status == "error"
    assert message.startswith("refused: the workbook's XML declares entities")


def test_permission_denied(tmp_path, monkeypatch) -> None:
    """As root the file system would let us read anything, so the refusal is simulated."""
    bad = write_openpyxl(tmp_path / "in" / "locked.xlsx", {"Risks": GOOD_ROWS})
    real_open = Path.open

    def refuse(self, *args, **kwargs):
        if self.name == "locked.xlsx":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    assert outcome(tmp_path, bad) == ("error", "cannot be opened: permission denied (is it open or "
                                               "locked?)")


def test_an_unexpected_problem_in_one_workbook_does_not_stop_the_run(tmp_path, monkeypatch) -> None:
    import sheetsync.pipeline

    real = sheetsync.pipeline._process_sheet

    def fragile(sheet, *args):
        if sheet.title == "Fragile":
            raise RuntimeError("unforeseen layout")
        return real(sheet, *args)

    monkeypatch.setattr(sheetsync.pipeline, "_process_sheet", fragile)
    bad = write_openpyxl(tmp_path / "in" / "odd.xlsx", {"Fragile": GOOD_ROWS})
    assert outcome(tmp_path, bad) == ("error", "sheetsync could not check it (RuntimeError: "
                                               "unforeseen layout); please report this")


def test_a_corrupt_part_is_damaged(tmp_path) -> None:
    whole = good(tmp_path / "whole")
    data = bytearray(whole.read_bytes())
    with zipfile.ZipFile(whole) as package:
        info = package.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for offset in range(start + 5, start + 25):
        data[offset] ^= 0xFF
    bad = tmp_path / "in" / "corrupt.xlsx"
    bad.parent.mkdir()
    bad.write_bytes(bytes(data))
    assert outcome(tmp_path, bad) == ("error", "the file is damaged or truncated (incomplete zip "
                                             "package)")
