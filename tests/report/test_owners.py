"""Owner lists: one list per person however their name is typed, a file name Windows accepts,
never shared by two owners on a file system that ignores case, and an index of whose is whose."""

from __future__ import annotations

import csv
import unicodedata

import openpyxl
from helpers import run_sheetsync, write_openpyxl
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pathvalidate import is_valid_filename

from sheetsync.report.owners import owner_file_names, owner_key, write_owner_lists

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
