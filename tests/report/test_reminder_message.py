"""Building a reminder: the subject's counts, links under link_root, long lists cut short."""

from __future__ import annotations

import datetime as dt
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from hypothesis import given
from hypothesis import strategies as st

from sheetsync.findings import Finding, Severity
from sheetsync.read.discover import Source
from sheetsync.report.owners import OwnerItems
from sheetsync.report.reminders import MAX_ROWS, build_reminders, link, subject_line
from sheetsync.results import RunResult, SheetResult, WorkbookResult
from sheetsync.settings.email import EmailSettings

NAMES = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/\\:"),
                min_size=1, max_size=12).filter(lambda n: n.strip(" .") == n and n not in (".", ".."))


def finding(row: int, rule: str = "RR05", message: str = "Wrong score") -> Finding:
    return Finding(workbook="risks.xlsx", sheet="Risks", cell=f"G{row}", row=row, column="Score",
                   ref=f"R{row}", value=7, rule=rule, severity=Severity.ERROR, message=message)


def test_the_subject_counts_what_is_open_and_names_the_week() -> None:
    items = OwnerItems("J Smith", findings=[finding(2), finding(3), finding(4),
                                            finding(5, rule="RR11")])
    assert subject_line(items, dt.date(2026, 12, 3)) == (
        "Risk register: 3 problems to fix, 1 review overdue (w/c 30 Nov 2026)")
    items = OwnerItems("J Smith", actions=[{"workbook": "a.xlsx", "sheet": "Plan", "row": 2}])
    assert subject_line(items, dt.date(2026, 11, 30)) == (
        "Risk register: 1 action overdue (w/c 30 Nov 2026)")


@given(st.lists(NAMES, min_size=1, max_size=4))
def test_a_share_link_reaches_the_file(parts: list[str]) -> None:
    relative = PurePosixPath("annotated", *parts)
    shown, href = link("\\\\council\\share\\Risk\\Checked", Path("/out"), relative)
    assert shown == "\\\\council\\share\\Risk\\Checked\\annotated\\" + "\\".join(parts)
    assert href.startswith("file://council/share/Risk/Checked/annotated/")
    assert unquote(href) == "file://council/share/Risk/Checked/annotated/" + "/".join(parts)
    assert " " not in href and "#" not in href.partition("file:")[2].replace("%23", "")


def test_links_for_a_drive_a_web_address_and_the_output_folder(tmp_path) -> None:
    relative = PurePosixPath("annotated", "Adults", "Siân's risks.xlsx")
    assert link("S:\\Risk\\Checked", tmp_path, relative) == (
        "S:\\Risk\\Checked\\annotated\\Adults\\Siân's risks.xlsx",
        "file:///S:/Risk/Checked/annotated/Adults/Si%C3%A2n%27s%20risks.xlsx")
    assert link("https://intranet.council.example/risk/", tmp_path, relative)[1] == (
        "https://intranet.council.example/risk/annotated/Adults/Si%C3%A2n%27s%20risks.xlsx")
    shown, href = link(None, tmp_path, relative)
    assert shown == str(tmp_path.resolve() / "annotated" / "Adults" / "Siân's risks.xlsx")
    assert href == (tmp_path.resolve() / "annotated" / "Adults" / "Siân's risks.xlsx").as_uri()


def test_a_long_list_is_cut_short_and_the_rest_is_in_the_attachment(tmp_path) -> None:
    rows = range(2, MAX_ROWS + 7)
    run = RunResult(as_of=dt.date(2026, 11, 30), out_dir=tmp_path, workbooks=[WorkbookResult(
        source=Source(tmp_path / "risks.xlsx", "risks.xlsx"), status="ok",
        sheets=[SheetResult("Risks", "risk_register", 1, len(rows), records=[
            {"workbook": "risks.xlsx", "sheet": "Risks", "row": r, "owner": "J Smith",
             "owner_email": "j.smith@council.example"} for r in rows])],
        findings=[finding(r, message=f"Problem {r}") for r in rows])])
    [reminder], warnings = build_reminders(run, EmailSettings(), is_new=lambda f: f.row == 9,
                                           since=lambda f: dt.date(2026, 11, 23))
    assert reminder.address == "j.smith@council.example" and warnings == []
    text = reminder.message.get_body(("plain",)).get_content()
    assert text.count(": Problem ") == MAX_ROWS
    assert "... and 5 more in the attached list." in text
    first = next(line for line in text.splitlines() if line.startswith("  - "))
    assert first == "  - risks.xlsx, Risks G9 (new this week): Problem 9"  # (new ones first)
    assert "risks.xlsx, Risks G2 (23 Nov 2026): Problem 2" in text
