"""Excel's ``~$`` owner files: matched as Excel names them, old ones ignored, the user read."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pytest

import sheetsync.read.discover as discover
from sheetsync.read.discover import (
    OUTPUT_MARKER,
    find_workbooks,
    owner_file,
    owner_file_names,
    owner_user,
    too_long_for_windows,
)


def touch(path: Path, content: bytes = b"owner", age: dt.timedelta = dt.timedelta()) -> Path:
    path.write_bytes(content)
    when = (dt.datetime.now() - age).timestamp()
    os.utime(path, (when, when))
    return path


@pytest.mark.parametrize(("name", "owner_names"), [
    ("Book1.xlsx", ["~$Book1.xlsx"]),
    ("Risks12.xlsx", ["~$Risks12.xlsx", "~$isks12.xlsx"]),
    ("Q1 Risk Register.xlsx", ["~$Q1 Risk Register.xlsx", "~$ Risk Register.xlsx"]),
])
def test_owner_file_names_as_excel_gives_them(name, owner_names) -> None:
    assert owner_file_names(name) == owner_names


def test_a_short_name_is_matched_whole_and_only_whole(tmp_path) -> None:
    for name in ("Risks.xlsx", "Xrisks.xlsx"):
        (tmp_path / name).write_bytes(b"")
    touch(tmp_path / "~$Risks.xlsx")
    assert owner_file(tmp_path / "Risks.xlsx") == tmp_path / "~$Risks.xlsx"
    assert owner_file(tmp_path / "Xrisks.xlsx") is None  # (not "~$" + "risks.xlsx"[2:]...)


def test_a_shortened_name_shared_by_two_workbooks_is_told_apart_on_windows(tmp_path,
                                                                           monkeypatch) -> None:
    q1, q2 = tmp_path / "Q1 Risk Register.xlsx", tmp_path / "Q2 Risk Register.xlsx"
    q1.write_bytes(b"")
    q2.write_bytes(b"")
    touch(tmp_path / "~$ Risk Register.xlsx")
    # Elsewhere it cannot be told which one is open; Excel saves by renaming a finished file
    # into place, so either is safe to read.
    assert owner_file(q1) is None and owner_file(q2) is None
    # On Windows, Excel holds the open one against writing.
    monkeypatch.setattr(sys, "platform", "win32")
    real_open = Path.open

    def held(self, mode="r", *args, **kwargs):
        if self == q1 and "+" in mode:
            raise PermissionError(13, "The process cannot access the file")
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", held)
    assert owner_file(q1) == tmp_path / "~$ Risk Register.xlsx"
    assert owner_file(q2) is None


def test_a_shortened_name_of_one_workbook_is_its_owner_file(tmp_path) -> None:
    (tmp_path / "Q1 Risk Register.xlsx").write_bytes(b"")
    (tmp_path / "Risk Register.xlsx").write_bytes(b"")  # (its own owner file is ~$Risk...)
    touch(tmp_path / "~$ Risk Register.xlsx")
    assert owner_file(tmp_path / "Q1 Risk Register.xlsx") == tmp_path / "~$ Risk Register.xlsx"
    assert owner_file(tmp_path / "Risk Register.xlsx") is None


def test_an_owner_file_over_a_day_old_is_ignored(tmp_path) -> None:
    (tmp_path / "Risks.xlsx").write_bytes(b"")
    owner = touch(tmp_path / "~$Risks.xlsx", age=dt.timedelta(hours=23))
    assert owner_file(tmp_path / "Risks.xlsx") == owner
    touch(owner, age=discover.OWNER_FILE_MAX_AGE + dt.timedelta(minutes=1))
    assert owner_file(tmp_path / "Risks.xlsx") is None


@pytest.mark.parametrize("user", ["Jo Smith", "Łukasz Dŵr", "Siân"])
def test_the_user_is_read_from_the_owner_file(tmp_path, user) -> None:
    ansi = user.encode("cp1252", errors="replace")
    data = (bytes([len(ansi)]) + ansi).ljust(54, b" ")
    data += len(user).to_bytes(2, "little") + user.encode("utf-16-le")
    assert owner_user(touch(tmp_path / "~$x.xlsx", data.ljust(165, b"\0"))) == user
    assert owner_user(touch(tmp_path / "~$y.xlsx", bytes([len(ansi)]) + ansi)) == (
        ansi.decode("cp1252"))
    assert owner_user(touch(tmp_path / "~$z.xlsx", b"")) is None
    assert owner_user(tmp_path / "~$missing.xlsx") is None


def test_a_path_too_long_for_windows_is_said_only_on_windows(tmp_path, monkeypatch) -> None:
    long_path = tmp_path / ("x" * (270 - len(str(tmp_path))))
    assert too_long_for_windows(long_path) is None
    monkeypatch.setattr(sys, "platform", "win32")
    assert too_long_for_windows(long_path) == (
        f"its full path is {len(str(long_path))} characters, more than the 259 Windows allows "
        "unless long paths are switched on; move it to a shorter folder or give it a shorter name")
    assert too_long_for_windows(tmp_path / "short.xlsx") is None


def test_a_workbook_too_deep_for_windows_is_said_so(tmp_path, monkeypatch) -> None:
    from sheetsync.errors import WorkbookUnreadable
    from sheetsync.read.workbook import read_workbook

    deep = tmp_path / ("d" * 120) / ("e" * 120) / "risks.xlsx"
    monkeypatch.setattr(sys, "platform", "win32")
    with pytest.raises(WorkbookUnreadable) as raised:  # (missing here; refused on Windows)
        read_workbook(deep)
    assert raised.value.reason == f"cannot be opened: its full path is {len(str(deep))} characters, " \
        "more than the 259 Windows allows unless long paths are switched on; move it to a " \
        "shorter folder or give it a shorter name"


# --- which files are workbooks to check (each folder looked at once) -------------------------


def _touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")


def test_hidden_owner_output_and_excluded_folders_are_skipped(tmp_path) -> None:
    root = tmp_path / "S drive"
    for name in ("a.xlsx", ".hidden/b.xlsx", "Checked/c.xlsx", "Checked/sub/d.xlsx",
                 "Adults/e.xlsx", "Adults/~$e.xlsx", "Adults/.f.xlsx", "Adults/Deep/g.xlsx",
                 "Adults/Deep/notes.txt", "Out/h.xlsx", "Out/x/i.xlsm", "Zeta/j.XLSX"):
        _touch(root / name)
    _touch(root / "Checked" / OUTPUT_MARKER)
    found = find_workbooks([root], exclude=root / "Out")
    assert [s.name for s in found] == ["Adults/Deep/g.xlsx", "Adults/e.xlsx", "Zeta/j.XLSX",
                                       "a.xlsx"]
    assert found[0].path == root / "Adults" / "Deep" / "g.xlsx"


def test_a_folder_holding_output_gives_nothing(tmp_path) -> None:
    _touch(tmp_path / "a.xlsx")
    _touch(tmp_path / "Adults" / "b.xlsx")
    _touch(tmp_path / OUTPUT_MARKER)
    assert find_workbooks([tmp_path]) == []
    assert [s.name for s in find_workbooks([tmp_path / "Adults"])] == ["b.xlsx"]


def test_a_workbook_reached_twice_through_links_is_found_once(tmp_path) -> None:
    """Workbooks are told apart by where they really are: a linked folder, or a linked file,
    leading to one already found gives it once (by the name it is first found under)."""
    root = tmp_path / "S drive"
    _touch(root / "Adults" / "risks.xlsx")
    _touch(root / "Children" / "plan.xlsx")
    (root / "Shortcut").symlink_to(root / "Adults", target_is_directory=True)
    (root / "Children" / "copy of risks.xlsx").symlink_to(root / "Adults" / "risks.xlsx")
    found = find_workbooks([root, root / "Adults" / "risks.xlsx"])
    assert [s.name for s in found] == ["Adults/risks.xlsx", "Children/plan.xlsx"]
