"""Outputs of a run as digests (to pin them, or to compare two runs), and the finding-heavy
register of a first check (a never-calculated score formula in every score cell)."""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from pathlib import Path

import openpyxl
import xlsxwriter

_TIMED = {"docProps/core.xml"}


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
