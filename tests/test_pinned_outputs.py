"""Nothing found must change: the findings, records and outputs of ``validate`` and ``run`` on
the demo workbooks and on a finding-heavy register are pinned byte for byte.

The digests were taken with the code before the speed work of issue 14 (column-wise formula
handling, findings and records; outputs written as sheet XML in one pass): a change to any of
them is a change in what sheetsync reports, and must be a deliberate one. Each ``.xlsx`` output
is compared part by part, except ``docProps/core.xml`` (its creation time); the log and the
history database hold times and are left out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from helpers import AS_OF

from sheetsync.demo import write_demo_workbooks
from sheetsync.pipeline import validate_paths
from sheetsync.report.quarters import quarter_of
from sheetsync.report.reports import write_reports
from sheetsync.results import Settings
from sheetsync.weekly.job import run_job

_TIMED = {"docProps/core.xml"}
#: Outputs whose writer changed on purpose (issue 14: one pass of sheet XML instead of a cell
#: at a time through xlsxwriter): their bytes differ (inline text for shared strings), so what
#: is pinned for them is what a reader sees (``contents``), taken with the old writer.
REWRITTEN = ("exceptions.xlsx", "owners/")


def heavy_register(path: Path, rows: int = 240) -> Path:
    """A first check's register: a never-calculated product formula in every score cell, the
    residual score above the inherent one on about half the rows, and a few other mistakes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Risk Register")
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, ["Corporate risk register"])
    ws.write_row(2, 0, ["Ref", "Risk description", "Risk owner", "Directorate",
                        "Inherent likelihood", "Inherent impact", "Inherent score", "Controls",
                        "Residual likelihood", "Residual impact", "Residual score",
                        "Residual rating", "Review date"])
    for n in range(rows):
        r = n + 3
        il, ii = 1 + n % 5, 1 + (n // 5) % 5
        rl, ri = max(1, il - 1), max(1, ii - 1)
        if n % 2:
            rl, ri = min(5, il + 1), min(5, ii + 1)
        score = rl * ri
        rating = "Green" if score < 5 else "Amber" if score < 15 else "Red"
        owner = "" if n % 53 == 9 else f"Officer {n % 7}"
        ws.write_row(r, 0, [f"R{n + 1}" if n % 61 != 5 else "", f"Risk {n + 1} to services",
                            owner, f"Directorate {n % 3}", il, ii])
        ws.write_formula(r, 6, f"=E{r + 1}*F{r + 1}" if n % 47 != 3 else f"=E{r + 1}+F{r + 1}")
        ws.write_row(r, 7, ["=SUM(A1) typed as text" if n % 59 == 2 else "Controls", rl, ri])
        ws.write_formula(r, 10, f"=I{r + 1}*J{r + 1}")
        ws.write_string(r, 11, "Red" if n % 43 == 7 else rating)
        if n % 31 == 4:
            ws.write_string(r, 12, "31/02/2023")
        else:
            ws.write_datetime(r, 12, dt.datetime(2022, 10, 1) + dt.timedelta(days=n % 150), date)
    book.close()
    return path


def digests(out: Path) -> dict[str, str]:
    """A short digest of each output under ``out`` (each .xlsx part by part)."""
    found = {}
    for path in sorted(out.rglob("*")):
        name = path.relative_to(out).as_posix()
        if not path.is_file() or name.startswith(("logs/", "history.sqlite", ".")):
            continue
        digest = hashlib.sha256()
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as package:
                for part in sorted(package.namelist()):
                    if part not in _TIMED:
                        digest.update(part.encode() + b"\0" + package.read(part) + b"\0")
        else:
            digest.update(path.read_bytes())
        found[name] = digest.hexdigest()[:16]
    return found


def contents(path: Path) -> str:
    """A digest of what a reader of the workbook sees: every cell's value, type, number format,
    font, fill, border and link; each sheet's tables, filter, panes, widths and print set-up;
    the defined names and the title and comments."""
    book = openpyxl.load_workbook(path)
    seen: list[object] = [book.sheetnames, book.properties.title, book.properties.description,
                          sorted((n, d.attr_text) for n, d in book.defined_names.items())]
    for ws in book.worksheets:
        seen += [ws.title, ws.freeze_panes, ws.auto_filter.ref, ws.page_setup.orientation,
                 ws.page_setup.fitToWidth, ws.page_setup.fitToHeight, ws.sheet_properties.pageSetUpPr
                 and ws.sheet_properties.pageSetUpPr.fitToPage,
                 sorted((k, d.width, d.min, d.max) for k, d in ws.column_dimensions.items()),
                 sorted((t.name, t.ref, t.displayName, t.tableStyleInfo.name if t.tableStyleInfo
                         else None, [c.name for c in t.tableColumns]) for t in ws.tables.values())]
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None and not cell.has_style:
                    continue
                link = cell.hyperlink
                seen.append((cell.coordinate, cell.value, cell.data_type, cell.number_format,
                             cell.font.b, cell.font.u, cell.font.sz,
                             cell.font.color.rgb if cell.font.color else None,
                             cell.fill.fill_type, cell.fill.fgColor.rgb,
                             cell.border.left.style, cell.border.top.style,
                             (link.target, link.location, link.display) if link else None))
    return hashlib.sha256(repr(seen).encode()).hexdigest()[:16]


def _inputs(tmp_path: Path, case: str) -> Path:
    folder = tmp_path / "in"
    if case == "demo":
        write_demo_workbooks(folder)
    else:
        heavy_register(folder / "Corporate" / "heavy register.xlsx")
    return folder


def _validate(tmp_path: Path, case: str) -> dict[str, str]:
    out = tmp_path / "out"
    run = validate_paths([_inputs(tmp_path, case)], out, Settings.load(as_of=AS_OF))
    write_reports(run)
    return digests(out)


def _run(tmp_path: Path, case: str) -> dict[str, str]:
    out = tmp_path / "out"
    run_job([_inputs(tmp_path, case)], out, Settings.load(as_of=AS_OF), quarter_of(AS_OF))
    return digests(out)


def _made(tmp_path: Path, command: str, case: str) -> dict[str, str]:
    found = (_validate if command == "validate" else _run)(tmp_path, case)
    for name in found:
        if name.startswith(REWRITTEN):
            found[name] = "contents " + contents(tmp_path / "out" / name)
    return found


PINNED: dict[tuple[str, str], dict[str, str]] = {
    ("run", "demo"): {
        "annotated/corporate-risk-register.xlsx": "795e2f26ca850b15",
        "annotated/programme-risk-register.xlsx": "6b3ee3fc39284767",
        "annotated/quarterly-performance.xlsx": "b50eeb806e049d22",
        "exceptions.csv": "8bf5a9baffb47b27",
        "exceptions.json": "6d527ae8b1477255",
        "exceptions.xlsx": "contents 71d1180403b0a2a6",
        "owners/C&E WL.xlsx": "contents 2fc936a3d646ea40",
        "owners/Director of Digital.xlsx": "contents 8977ada03dd59d7a",
        "owners/Director of HROD.xlsx": "contents 87c7f9dcac55d690",
        "owners/Director of People.xlsx": "contents 35f9d4616f29dff5",
        "owners/Director of Place.xlsx": "contents 1887b7fa1292f119",
        "owners/HR & WD WL.xlsx": "contents 3f3a4d3397dffdc5",
        "owners/SRO.xlsx": "contents a63369756cede51c",
        "records/actions.csv": "f0c4be4c6c9e3ff3",
        "records/finance.csv": "a4878329b8ac7398",
        "records/issues.csv": "a43968c9c5cec67c",
        "records/kpis.csv": "75887ebddce34c61",
        "records/risks.csv": "565f7768d831c23d",
        "records/rollups.csv": "74b7192bdd45c699",
        "summary.xlsx": "cbe52244122cb74e",
    },
    ("run", "heavy"): {
        "annotated/Corporate/heavy register.xlsx": "ec5fca6d841ef7d8",
        "exceptions.csv": "51f9aab197846371",
        "exceptions.json": "b17f33ddca8b4a79",
        "exceptions.xlsx": "contents 23776a16ec4498e7",
        "owners/Officer 0.xlsx": "contents 1c51a977cbd3ed32",
        "owners/Officer 1.xlsx": "contents ff68db8c3031d190",
        "owners/Officer 2.xlsx": "contents d55e67fe952632a4",
        "owners/Officer 3.xlsx": "contents cc5e5f12ce5e25b4",
        "owners/Officer 4.xlsx": "contents 5b7709afd6f50ab3",
        "owners/Officer 5.xlsx": "contents ed02c0982b97cfeb",
        "owners/Officer 6.xlsx": "contents cb89a6f55cb2265a",
        "records/actions.csv": "6ed2bff69605748b",
        "records/finance.csv": "a8a3d74de5eb9c01",
        "records/issues.csv": "66e79a12512639b0",
        "records/kpis.csv": "8078c1d61872d937",
        "records/risks.csv": "b70060d158c19e88",
        "records/rollups.csv": "96c726698dd27fcb",
        "summary.xlsx": "bc281684827c9ff2",
    },
    ("validate", "demo"): {
        "annotated/corporate-risk-register.xlsx": "795e2f26ca850b15",
        "annotated/programme-risk-register.xlsx": "6b3ee3fc39284767",
        "annotated/quarterly-performance.xlsx": "b50eeb806e049d22",
        "exceptions.csv": "f3251fd37dd1afb3",
        "exceptions.json": "61ca8e05eaa11f35",
        "exceptions.xlsx": "contents 7413384bcde4b25b",
        "records/actions.csv": "f0c4be4c6c9e3ff3",
        "records/finance.csv": "a4878329b8ac7398",
        "records/issues.csv": "a43968c9c5cec67c",
        "records/kpis.csv": "75887ebddce34c61",
        "records/risks.csv": "565f7768d831c23d",
        "records/rollups.csv": "74b7192bdd45c699",
    },
    ("validate", "heavy"): {
        "annotated/Corporate/heavy register.xlsx": "ec5fca6d841ef7d8",
        "exceptions.csv": "cbbd915ddac16caf",
        "exceptions.json": "417148561738f587",
        "exceptions.xlsx": "contents 1db260df1ea5781b",
        "records/actions.csv": "6ed2bff69605748b",
        "records/finance.csv": "a8a3d74de5eb9c01",
        "records/issues.csv": "66e79a12512639b0",
        "records/kpis.csv": "8078c1d61872d937",
        "records/risks.csv": "b70060d158c19e88",
        "records/rollups.csv": "96c726698dd27fcb",
    },
}


@pytest.mark.parametrize(("command", "case"), sorted(PINNED))
def test_outputs_are_as_pinned(tmp_path: Path, command: str, case: str) -> None:
    assert _made(tmp_path, command, case) == PINNED[(command, case)]


def test_digests_see_a_changed_part(tmp_path: Path) -> None:
    first = _validate(tmp_path / "a", "heavy")
    copy = tmp_path / "a" / "out" / "exceptions.xlsx"
    with zipfile.ZipFile(copy) as package, zipfile.ZipFile(tmp_path / "b.xlsx", "w") as changed:
        for part in package.namelist():
            data = package.read(part)
            changed.writestr(part, data.replace(b"</worksheet>", b" </worksheet>"))
    shutil.move(tmp_path / "b.xlsx", copy)
    assert digests(tmp_path / "a" / "out") != first
