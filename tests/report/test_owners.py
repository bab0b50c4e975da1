"""Owner lists: one list per person however their name is typed, a file name Windows accepts,
never shared by two owners on a file system that ignores case, and an index of whose is whose."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path
from typing import Any

import openpyxl
from helpers import AS_OF, run_sheetsync, write_openpyxl
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pathvalidate import is_valid_filename

from sheetsync.findings import Finding, Severity
from sheetsync.read.discover import Source
from sheetsync.report.owners import open_items, owner_file_names, owner_key, write_owner_lists
from sheetsync.results import RecordTable, RunResult, Settings, SheetResult, WorkbookResult

HEADER = ["Ref", "Risk", "Owner", "Likelihood", "Impact", "Score", "Review date"]

#: Names built to collide: case and spacing variants, Windows' reserved device names, the
#: characters Windows refuses, trailing dots and spaces, and names past 255 characters.
_parts = st.sampled_from(["J Smith", "j smith", "J  SMITH", "J. Smith.", "J. Smith", "CON", "nul",
                          "COM1", "lpt9 ", "AUX.", "a/b", "c\\d", "e:f", "g*h", "i?j", 'k"l',
                          "m<n>o", "p|q", " ", ".", "..", "Łukasz", "Dŵr", "Siân", "x" * 300,
                          "ẞ", "ss", "SS", "\u00e9", "e\u0301", "\t", "~$"])
owner_names = st.lists(st.one_of(_parts, st.text(min_size=1, max_size=40),
                                 st.lists(_parts, min_size=1, max_size=4).map("".join)),
                       min_size=1, max_size=25)


def windows_key(name: str) -> str:
    """Two names Windows (or a share in front of it) could take for one file."""
    return unicodedata.normalize("NFC", name).casefold()


@settings(max_examples=300, deadline=None)
@given(owner_names)
@example(["J Smith", "j smith", "J. Smith.", "J. Smith", "CON", "con", "NUL", "COM1",
          'a/b\\c:d*e?f"g<h>i|j', "trailing dot.", "trailing space ", "x" * 300, "x" * 301])
def test_distinct_owners_never_share_a_file_and_every_name_is_valid_on_windows(names) -> None:
    people = {owner_key(n): n for n in names if n.strip()}
    files = owner_file_names(people.values())
    assert set(files) == set(people.values())
    for name in files.values():
        assert is_valid_filename(name, platform="windows"), name
        assert name.endswith(".xlsx") and len(name) <= 255
        assert name == name.strip()
    assert len({windows_key(f) for f in files.values()}) == len(files)
    assert owner_file_names(reversed(list(people.values()))) == files  # (stable week to week)


def test_owners_are_grouped_and_indexed(tmp_path) -> None:
    drive = tmp_path / "drive"
    write_openpyxl(drive / "risks.xlsx", {"Risks": [
        HEADER,
        ["R1", "Budget", "J Smith", 4, 4, 12, "01/03/2023"],      # RR05: 4 x 4 is 16
        ["R2", "Cyber", "j  smith", 3, 3, 8, "01/03/2023"],       # RR05, same person
        ["R3", "Fraud", "J. Smith.", 2, 2, 3, "01/03/2023"],      # RR05, another name
        ["R4", "Flood", "CON", 2, 2, 5, "01/03/2023"],            # RR05
        ["R5", "Roads", "Ops: North/South", 1, 1, 2, "01/03/2023"]]})  # RR05
    run = run_sheetsync([drive], tmp_path / "out", reports=False)
    out = tmp_path / "out"
    written = write_owner_lists(run, out)
    assert sorted(p.name for p in written) == ["CON_.xlsx", "J Smith.xlsx", "J. Smith.xlsx",
                                               "Ops North South.xlsx", "index.csv"]
    with (out / "owners" / "index.csv").open(encoding="utf-8-sig", newline="") as handle:
        index = list(csv.DictReader(handle))
    assert [(row["file"], row["owner"]) for row in index] == [
        ("CON_.xlsx", "CON"), ("J Smith.xlsx", "J Smith"), ("J. Smith.xlsx", "J. Smith."),
        ("Ops North South.xlsx", "Ops: North/South")]
    smith = openpyxl.load_workbook(out / "owners" / "J Smith.xlsx")["Open findings"]
    assert [row[3] for row in smith.iter_rows(min_row=4, values_only=True)] == ["R1", "R2"]


def _records_run(table: bool) -> RunResult:
    """A risk register and an action plan, their records as a RecordTable (a fresh check) or
    a list of dicts (read back from the history)."""
    risks = [{"workbook": "a.xlsx", "sheet": "Risks", "row": 4 + n, "ref": f"R{n}",
              "owner": owner, "owner_email": email, "residual_score": 20}
             for n, (owner, email) in enumerate([("J Smith", " j@x.org"), ("j  smith", "j@x.org"),
                                                 (" ", None), (0, "k@x.org"), ("Siân", "s@x.org"),
                                                 ("J Smith", "j2@x.org")])]
    actions = [{"workbook": "a.xlsx", "sheet": "Plan", "row": 2 + n, "ref": f"A{n}",
                "lead": lead, "overdue": overdue, "action": "Do it"}
               for n, (lead, overdue) in enumerate([("Siân", "Yes"), ("J SMITH", "Yes"),
                                                    (None, "Yes"), ("Siân", "No")])]

    def records(rows: list[dict]) -> Any:
        return RecordTable(list(rows[0]), [[r[k] for r in rows] for k in rows[0]]) if table \
            else rows
    findings = [Finding(workbook="a.xlsx", sheet=sheet, cell=f"B{row}", row=row, column=None,
                        ref=None, value=None, rule=rule, severity=Severity.ERROR, message="m")
                for sheet, row, rule in [("Risks", 4, "RR05"), ("Risks", 5, "RR11"),
                                         ("Risks", 6, "RR05"), ("Plan", 3, "AP01")]]
    return RunResult(as_of=AS_OF, out_dir=Path(), workbooks=[WorkbookResult(
        source=Source(Path("a.xlsx"), "a.xlsx"), status="ok", findings=findings,
        sheets=[SheetResult("Risks", "risk_register", 3, 6, records=records(risks)),
                SheetResult("Plan", "action_plan", 1, 4, records=records(actions))])])


def test_records_as_columns_or_as_dicts_give_the_same_lists() -> None:
    config = Settings.load(as_of=AS_OF).config
    fresh, kept = open_items(_records_run(True), config), open_items(_records_run(False), config)
    assert fresh == kept
    assert {owner: (len(i.findings), len(i.actions), len(i.candidates), i.emails, i.file_name)
            for owner, i in fresh.items()} == {
        "J Smith": (3, 1, 3, ["j@x.org", "j2@x.org"], "J Smith.xlsx"),
        "Siân": (0, 1, 1, ["s@x.org"], "Siân.xlsx")}
