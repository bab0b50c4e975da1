"""The fallback writer of the annotated copy, through openpyxl's model.

The annotated copy is normally written by patching the package (``patch.py``), which keeps
everything. Where a package cannot be patched safely (a digitally signed workbook, an unusual sheet
XML, a copy from sheetsync's first writer) this writer is used;
``losses.py`` says what openpyxl cannot keep. Both writers share the names and fills here.

Every change is recorded in a very hidden ``_sheetsync`` ledger sheet, so that a run on an
annotated copy first takes the old annotations off (``strip_annotations``): marks are refreshed,
never stacked, and a cell the officer fixed gets its own fill and comment back.
"""

from __future__ import annotations

from collections import defaultdict
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from defusedxml.ElementTree import fromstring as defused_fromstring
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.fills import Fill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from sheetsync.files import atomic_path
from sheetsync.findings import Finding, Severity, display_value

LEDGER_SHEET = "_sheetsync"
EXCEPTIONS_SHEET = "Exceptions"
SUMMARY_SHEET = "Summary"
COMMENT_AUTHOR = "sheetsync"
MARK_COLOURS = {Severity.ERROR: "FFC7CE", Severity.WARNING: "FFEB9C"}
MARK_FILLS = {severity: PatternFill("solid", fgColor=rgb) for severity, rgb in MARK_COLOURS.items()}
HEADER_COLOUR = "D9D9D9"
LINK_COLOUR = "0563C1"
SUMMARY_WIDTHS = (24, 40, 10, 8, 9)
EXCEPTION_COLUMNS = ["Sheet", "Cell", "Ref", "Column", "Value", "Rule", "Severity", "Message"]
EXCEPTION_WIDTHS = (18, 8, 10, 24, 18, 7, 9, 90)
_HEADER_FILL = PatternFill("solid", fgColor=HEADER_COLOUR)
_SEPARATOR = "\n\n— sheetsync —\n"


@dataclass(slots=True)
class AddedColumn:
    """A derived column the sheet lacks, written after its table."""

    header: str
    values: dict[int, Any]  #: Excel row -> value.
    colours: dict[int, str] = field(default_factory=dict)  #: Excel row -> RRGGBB fill.


@dataclass(slots=True)
class SheetAnnotations:
    """What to write on one register sheet."""

    sheet: str
    header_row: int
    after_column: int  #: Added columns start to the right of this one.
    filled: dict[str, Any] = field(default_factory=dict)  #: A1 -> derived value for a blank cell.
    added: list[AddedColumn] = field(default_factory=list)


def strip_annotations(wb: Workbook) -> bool:
    """Take off what an earlier sheetsync run added; True if the workbook was annotated."""
    if LEDGER_SHEET not in wb.sheetnames:
        return False
    ledger = wb[LEDGER_SHEET]
    added_columns: dict[str, list[int]] = defaultdict(list)
    for row in ledger.iter_rows(min_row=2):
        # NOTE: the ledger's cells hold whatever an officer may have typed over them
        values: list[Any] = [c.value for c in row[:6]]
        kind, sheet_name, address, text, author, value = values
        if kind == "sheet" and sheet_name in wb.sheetnames:
            del wb[sheet_name]
            continue
        if sheet_name not in wb.sheetnames:
            continue
        ws = wb[sheet_name]
        if kind == "mark":
            cell = ws[address]
            cell.fill = _original_fill(row)
            cell.comment = Comment(text, author or "") if text else None
        elif kind == "filled" and ws[address].value == value:
            ws[address].value = None
        elif kind == "column":
            added_columns[sheet_name].append(int(address))
    for sheet_name, columns in added_columns.items():
        for index in sorted(columns, reverse=True):
            wb[sheet_name].delete_cols(index)
    del wb[LEDGER_SHEET]
    return True


def _original_fill(ledger_row: tuple[Any, ...]) -> Fill:
    """The fill a marked cell had: kept as the ledger cell's own fill by this writer, as the
    fill's XML (column I) by the patching writer."""
    fill_xml = ledger_row[8].value if len(ledger_row) > 8 else None
    if isinstance(fill_xml, str) and fill_xml.startswith("<fill"):
        try:
            # NOTE: the stubs type its argument as Sequences of elements; openpyxl only iterates it
            fill = Fill.from_tree(defused_fromstring(fill_xml))  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001  (an edited ledger: the cell is left unfilled)
            return PatternFill()
        return fill if fill is not None else PatternFill()  # NOTE: <fill/>: no fill to give back
    return copy(ledger_row[6].fill)


def write_annotated_copy(wb: Workbook, findings: list[Finding], sheets: list[SheetAnnotations],
                         destination: Path, summary: list[list[Any]] | None = None) -> None:
    """Annotate ``wb`` in memory and save it atomically to ``destination`` (never the input).

    ``summary`` rows (a header first), when given, go on an added ``Summary`` sheet.
    """
    added_sheets = []
    taken = {name.casefold() for name in wb.sheetnames}
    if summary:
        summary_sheet = wb.create_sheet(free_sheet_name(SUMMARY_SHEET, taken))
        _write_table(summary_sheet, summary, widths=SUMMARY_WIDTHS)
        added_sheets.append(summary_sheet.title)
    exceptions_name = free_sheet_name(EXCEPTIONS_SHEET, taken)
    _write_exceptions_sheet(wb.create_sheet(exceptions_name), findings)
    added_sheets.append(exceptions_name)
    ledger = wb.create_sheet(LEDGER_SHEET)
    ledger.append(["kind", "sheet", "cell", "comment", "author", "value", "original fill"])
    for name in added_sheets:
        ledger.append(["sheet", name])
    for sheet in sheets:
        _write_derived(wb[sheet.sheet], sheet, ledger)
    _mark_cells(wb, findings, ledger)
    ledger.sheet_state = "veryHidden"
    with atomic_path(destination) as temporary:
        wb.save(temporary)


def _mark_cells(wb: Workbook, findings: list[Finding], ledger: Worksheet) -> None:
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.sheet in wb.sheetnames and finding.cell:
            by_cell[(finding.sheet, finding.cell)].append(finding)
    for (sheet_name, address), cell_findings in by_cell.items():
        cell = wb[sheet_name][address]
        original = cell.comment
        ledger.append(["mark", sheet_name, address, original.text if original else None,
                       original.author if original else None])
        ledger.cell(row=ledger.max_row, column=7).fill = copy(cell.fill)
        worst = max(f.severity for f in cell_findings)
        cell.fill = copy(MARK_FILLS[worst])
        ours = "\n".join(f"{f.severity.label.upper()} {f.rule}: {f.message}" for f in cell_findings)
        text = f"{original.text.rstrip()}{_SEPARATOR}{ours}" if original else f"sheetsync:\n{ours}"
        comment = Comment(text, COMMENT_AUTHOR)
        comment.width = 320
        comment.height = min(400, 40 + 18 * (text.count("\n") + len(text) // 45))
        cell.comment = comment


def _write_derived(ws: Worksheet, annotations: SheetAnnotations, ledger: Worksheet) -> None:
    for address, value in annotations.filled.items():
        ws[address].value = value
        ledger.append(["filled", ws.title, address, None, None, value])
    column = annotations.after_column
    for added in annotations.added:
        column += 1
        header = ws.cell(row=annotations.header_row, column=column, value=added.header)
        header.font = Font(bold=True)
        header.fill = copy(_HEADER_FILL)
        fills = {colour: PatternFill("solid", fgColor=colour) for colour in set(added.colours.values())}
        for row, value in added.values.items():
            cell = ws.cell(row=row, column=column, value=value)
            if row in added.colours:
                cell.fill = fills[added.colours[row]]
        width = max(12, min(30, len(added.header) + 2))
        ws.column_dimensions[get_column_letter(column)].width = width
        ledger.append(["column", ws.title, column, None, None, added.header])


def free_sheet_name(wanted: str, taken: set[str]) -> str:
    """``wanted``, or a variant no sheet has (``taken``: names casefolded, as Excel compares
    them); the name chosen is added to ``taken``."""
    name, number = wanted, 2
    while name.casefold() in taken:
        name = f"{wanted} ({number})" if number > 2 else f"sheetsync {wanted}"
        number += 1
    taken.add(name.casefold())
    return name


def exception_row(finding: Finding) -> list[Any]:
    """A finding as a row of the Exceptions sheet (columns ``EXCEPTION_COLUMNS``)."""
    value = display_value(finding.value)  # (as to_dict shows it, without the whole dict)
    return [finding.sheet, finding.cell, finding.ref, finding.column,
            "" if value is None else str(value), finding.rule, finding.severity.label,
            finding.message]


def cell_link(finding: Finding) -> str | None:
    """Where the Exceptions sheet's link for ``finding`` goes ("'Risks'!D5"), if anywhere."""
    if not (finding.sheet and finding.cell):
        return None
    return "'" + finding.sheet.replace("'", "''") + "'!" + finding.cell


def _write_table(ws: Worksheet, rows: list[list[Any]], widths: tuple[int, ...]) -> None:
    """Rows (a header first) as text and numbers, never formulas, with a bold header."""
    for values in rows:
        ws.append([None] * len(values))
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=ws.max_row, column=column)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # NOTE: text an officer typed never becomes a formula
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = copy(_HEADER_FILL)
    for column, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(rows[0]))}{max(ws.max_row, 1)}"


def _write_exceptions_sheet(ws: Worksheet, findings: list[Finding]) -> None:
    _write_table(ws, [EXCEPTION_COLUMNS, *map(exception_row, findings)], widths=EXCEPTION_WIDTHS)
    for number, finding in enumerate(findings, start=2):
        if (location := cell_link(finding)) is not None:
            link = ws.cell(row=number, column=2)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=location)
            link.font = Font(color=LINK_COLOUR, underline="single")
        ws.cell(row=number, column=7).fill = copy(MARK_FILLS[finding.severity])
