"""LibreOffice, as the real spreadsheet application, opens every output sheetsync writes."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import pytest
from helpers import soffice

from sheetsync.demo import write_demo_workbooks
from sheetsync.pipeline import validate_paths
from sheetsync.report.reports import write_reports
from sheetsync.results import Settings

pytestmark = pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed; "
                                "CI installs libreoffice-calc-nogui")


def convert(path: Path, target: str, out_dir: Path, profile: Path) -> Path:
    completed = subprocess.run(
        [soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", target,
         "--outdir", str(out_dir), str(path)], capture_output=True, text=True, timeout=180,
        check=False)
    converted = out_dir / f"{path.stem}.{target.split(':')[0]}"
    assert completed.returncode == 0, completed.stderr
    assert converted.is_file() and converted.stat().st_size > 0, completed.stdout + completed.stderr
    return converted


@pytest.fixture(scope="module")
def demo_outputs(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("lo")
    write_demo_workbooks(root / "in")
    run = validate_paths([root / "in"], root / "out", Settings.load())
    write_reports(run)
    return root / "out", root / "profile"


def test_every_annotated_copy_and_the_exceptions_workbook_convert(demo_outputs, tmp_path) -> None:
    out, profile = demo_outputs
    outputs = sorted((out / "annotated").glob("*.xlsx")) + [out / "exceptions.xlsx"]
    assert len(outputs) == 4
    for path in outputs:
        pdf = convert(path, "pdf", tmp_path, profile)
        assert pdf.read_bytes().startswith(b"%PDF")


def test_libreoffice_reads_the_marks_and_added_columns(demo_outputs, tmp_path) -> None:
    out, profile = demo_outputs
    converted = convert(out / "annotated" / "programme-risk-register.xlsx", "csv", tmp_path, profile)
    rows = list(csv.reader(converted.read_text(encoding="utf-8", errors="replace").splitlines()))
    header = rows[4]
    assert header[:3] == ["No.", "Programme/ Workstream", "Description of Risk"]
    assert header[14:] == ["Inherent rating (sheetsync)", "Residual rating (sheetsync)"]
    assert rows[5][0] == "R4" and rows[5][14:] == ["Red", "Amber"]
    assert rows[6][6] == "15", "the officer's score is kept, marked, never overwritten"
