"""The command line: outputs, stdout lines and exit codes a scheduler can use."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner
from helpers import risk_row, write_openpyxl

from sheetsync.cli import cli
from sheetsync.demo import PLANTED

HEADER = ["Ref", "Risk description", "Risk owner", "Likelihood", "Impact", "Score", "Rating",
          "Review date"]


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def folder(tmp_path, *rows):
    write_openpyxl(tmp_path / "in" / "risks.xlsx", {"Risks": [HEADER, *rows]})
    return str(tmp_path / "in")


def test_clean_run_exits_0_and_says_where_outputs_are(tmp_path) -> None:
    result = invoke("validate", folder(tmp_path, risk_row("R1")), "--out", str(tmp_path / "out"),
                    "--as-of", "2023-03-31")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "risks.xlsx: Risks (risk register, 1 rows): 0 errors, 0 warnings",
        "1 workbook (1 checked, 0 skipped, 0 unreadable): 0 errors, 0 warnings",
        f"Outputs in {tmp_path / 'out'}: annotated/, exceptions.xlsx, exceptions.csv, "
        "exceptions.json, records/"]
    for name in ("exceptions.xlsx", "exceptions.csv", "exceptions.json", "records/risks.csv",
                 "records/issues.csv", "annotated/risks.xlsx"):
        assert (tmp_path / "out" / name).is_file(), name


def test_errors_exit_1_and_fail_on_moves_the_threshold(tmp_path) -> None:
    inputs = folder(tmp_path, risk_row("R1"), risk_row("R2", score=9))
    out = str(tmp_path / "out")
    assert invoke("validate", inputs, "--out", out, "--as-of", "2023-03-31").exit_code == 1
    assert invoke("validate", inputs, "--out", out, "--as-of", "2023-03-31",
                  "--fail-on", "never").exit_code == 0


def test_warnings_only(tmp_path) -> None:
    inputs = folder(tmp_path, risk_row("R1", review="01/01/2022"))
    out = str(tmp_path / "out")
    assert invoke("validate", inputs, "--out", out, "--as-of", "2023-03-31").exit_code == 0
    assert invoke("validate", inputs, "--out", out, "--as-of", "2023-03-31",
                  "--fail-on", "warning").exit_code == 1


def test_as_of_makes_runs_reproducible(tmp_path) -> None:
    inputs = folder(tmp_path, risk_row("R1", review="01/01/2023"))
    out = tmp_path / "out"
    invoke("validate", inputs, "--out", str(out), "--as-of", "2023-03-31")
    assert json.loads((out / "exceptions.json").read_text())["findings"] == []
    invoke("validate", inputs, "--out", str(out), "--as-of", "2023-06-30")
    document = json.loads((out / "exceptions.json").read_text())
    assert document["as_of"] == "2023-06-30"
    assert [f["rule"] for f in document["findings"]] == ["RR11"]


def test_unreadable_workbook_exits_1_and_the_rest_are_checked(tmp_path) -> None:
    inputs = folder(tmp_path, risk_row("R1"))
    (tmp_path / "in" / "broken.xlsx").write_bytes(b"PK\x03\x04 not really")
    result = invoke("validate", inputs, "--out", str(tmp_path / "out"), "--as-of", "2023-03-31")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == ("broken.xlsx: error: the file is damaged or truncated "
                                             "(incomplete zip package)")
    assert "Traceback" not in result.output


def test_usage_mistakes_exit_2(tmp_path) -> None:
    inputs = folder(tmp_path, risk_row("R1"))
    assert invoke("validate", inputs).exit_code == 2  # no --out
    assert invoke("validate", str(tmp_path / "missing"), "--out", "x").exit_code == 2
    result = invoke("validate", inputs, "--out", str(tmp_path / "o"), "--as-of", "31/03/2023")
    assert result.exit_code == 2
    assert "'31/03/2023' is not a date written YYYY-MM-DD" in result.stderr


def test_config_mistake_exits_2_naming_the_file(tmp_path) -> None:
    config = tmp_path / "ours.yaml"
    config.write_text("score_bands:\n  - {name: Red, from: 15}\n  - {name: Green, from: 1}\n",
                      encoding="utf-8")
    result = invoke("validate", folder(tmp_path, risk_row("R1")), "--out", str(tmp_path / "o"),
                    "--config", str(config))
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"Error: {config}: score_bands should be listed lowest first, "
                                     "each starting higher than the last")


def test_schema_mistake_exits_2_naming_the_file(tmp_path) -> None:
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    from sheetsync.settings.schemas import default_schemas_dir

    for source in default_schemas_dir().glob("*.yaml"):
        (schemas / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    text = (schemas / "issues_log.yaml").read_text(encoding="utf-8")
    (schemas / "issues_log.yaml").write_text(text.replace("check: not_overdue", "check: not_late"),
                                             encoding="utf-8")
    result = invoke("validate", folder(tmp_path, risk_row("R1")), "--out", str(tmp_path / "o"),
                    "--schemas", str(schemas))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {schemas / 'issues_log.yaml'}: check 9 (IL08): unknown "
                                    "check 'not_late'")


def test_demo_finds_every_planted_mistake_and_exits_0(tmp_path) -> None:
    result = invoke("demo", str(tmp_path / "demo"))
    assert result.exit_code == 0
    document = json.loads((tmp_path / "demo" / "checked" / "exceptions.json").read_text())
    found = sorted((f["workbook"], f["sheet"], f["cell"], f["rule"], f["severity"])
                   for f in document["findings"])
    assert found == sorted(PLANTED)
    assert "Open " in result.stdout


def test_rules_lists_the_catalogue() -> None:
    result = invoke("rules")
    assert result.exit_code == 0
    assert "RR05  error    Stored score disagrees with likelihood x impact" in result.stdout


def test_module_entry_point_runs() -> None:
    completed = subprocess.run([sys.executable, "-m", "sheetsync", "--help"], capture_output=True,
                               text=True, check=False)
    assert completed.returncode == 0
    assert "validate" in completed.stdout and "demo" in completed.stdout
