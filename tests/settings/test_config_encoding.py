"""A settings file as Windows editors save it: UTF-8 with or without a BOM, or UTF-16 (Notepad's
"Unicode"); an "ANSI" file is a clear mistake naming the file, not a guess."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from sheetsync.cli import cli
from sheetsync.errors import ConfigError
from sheetsync.settings.config import load_config
from sheetsync.settings.schemas import default_schemas_dir

SETTINGS = ("# Łukasz's settings for Dŵr Cymru\n"
            "vocabularies:\n  issue_priority: [Uchel, Canolig, Isel, Pwysig – £]\n")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_utf8_and_utf16_settings_are_read(tmp_path, encoding) -> None:
    path = tmp_path / "ours.yaml"
    data = SETTINGS.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):  # (a BOM, as Notepad writes, in either order)
        data = "\ufeff".encode(encoding) + data
    path.write_bytes(data)
    config = load_config(default_schemas_dir(), path)
    assert config.vocabulary("issue_priority") == ("Uchel", "Canolig", "Isel", "Pwysig – £")


def test_an_ansi_settings_file_is_a_clear_mistake_naming_the_file(tmp_path) -> None:
    path = tmp_path / "ours.yaml"
    path.write_bytes("review_staleness_months: 6\n# Siân's £ settings\n".encode("cp1252"))
    with pytest.raises(ConfigError) as raised:
        load_config(default_schemas_dir(), path)
    assert str(raised.value) == (
        f"{path}: is not saved as UTF-8 (line 2 has a character in another encoding, such as "
        "Windows' 'ANSI'); open it in Notepad, choose File > Save as, set Encoding to UTF-8 and "
        "save it again")


def test_an_ansi_config_exits_2_from_the_command_line(tmp_path) -> None:
    path = tmp_path / "ours.yaml"
    path.write_bytes("# Łukasz\n".encode("cp1250"))
    (tmp_path / "in").mkdir()
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "in"), "--out",
                                      str(tmp_path / "out"), "--config", str(path)])
    assert result.exit_code == 2
    assert f"{path}: is not saved as UTF-8 (line 1 has" in result.output
