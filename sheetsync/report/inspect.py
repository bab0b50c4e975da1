"""``sheetsync inspect``: what sheetsync took each sheet for, in plain words.

For each sheet read: its kind and why, the header rows, each column's header as shown and the
meaning given to it, the duplicates ignored, the scale and bands used and where they came from,
notes (columns left out, heading rows, legends) and the rows of the entries. For each sheet
skipped: the row that came nearest to a header and which meanings it lacked. The same account
is in ``exceptions.json`` (``sheet_entry`` builds both).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sheetsync.results import RunResult, SheetResult, WorkbookResult

_WIDEST_HEADER = 40


def sheet_entry(sheet: SheetResult) -> dict[str, Any]:
    """A read sheet as ``exceptions.json`` and ``inspect`` give it: name, kind, header row (the
    last row of the header), entries, metadata, and the account of what was read."""
    return {"name": sheet.name, "kind": sheet.kind, "header_row": sheet.header_row,
            "rows": sheet.rows, "metadata": sheet.metadata, **sheet.account}


def workbook_account(wb: WorkbookResult) -> dict[str, Any]:
    """One workbook's sheets as read, and those skipped with the row that came nearest."""
    return {"path": wb.source.name, "status": wb.status, "message": wb.message,
            "sheets": [sheet_entry(s) for s in wb.sheets], "skipped_sheets": wb.skipped_sheets}


def inspect_run(run: RunResult) -> list[dict[str, Any]]:
    """Every workbook's account, in the order the run read them."""
    return [workbook_account(wb) for wb in run.workbooks]


def render(accounts: list[dict[str, Any]]) -> str:
    """The accounts as the text ``sheetsync inspect`` prints."""
    return "\n".join(line for account in accounts for line in _workbook_lines(account)) + "\n"


def _workbook_lines(account: dict[str, Any]) -> Iterator[str]:
    yield account["path"]
    if account["status"] == "error":
        yield f"  not read: {account['message']}"
    for sheet in account["sheets"]:
        yield from _sheet_lines(sheet)
    for skipped in account["skipped_sheets"]:
        yield from _skipped_lines(skipped)
    yield ""


def _sheet_lines(sheet: dict[str, Any]) -> Iterator[str]:
    entries = sheet.get("entry_rows")
    where = f" (rows {entries[0]}-{entries[1]})" if entries else ""
    count = sheet["rows"]
    yield (f"  sheet '{sheet['name']}': {sheet['kind'].replace('_', ' ')}, "
           f"{count} {'entry' if count == 1 else 'entries'}{where}")
    if sheet.get("reason"):
        yield f"    why: {sheet['reason']}"
    first, last = sheet.get("header_rows") or [sheet["header_row"], sheet["header_row"]]
    yield f"    header: row {last}" if first == last else f"    header: rows {first}-{last}"
    columns = sheet.get("columns") or []
    duplicates = sheet.get("duplicates") or []
    width = min(_WIDEST_HEADER, max((len(c["header"]) for c in columns + duplicates), default=0))
    if columns:
        yield "    columns:"
        for column in columns:
            yield f"      {column['column']:<3} {_shown(column['header'], width)}  {column['meaning']}"
    if duplicates:
        yield "    duplicates ignored (the first column with a meaning is used):"
        for column in duplicates:
            used = f", column {column['used']} is used" if column.get("used") else ""
            yield (f"      {column['column']:<3} {_shown(column['header'], width)}  "
                   f"{column['meaning']}{used}")
    if sheet.get("scale"):
        yield f"    scale: {sheet['scale']}"
    notes = sheet.get("notes") or []
    if notes:
        yield "    notes:"
        for note in notes:
            yield f"      - {note}"


def _skipped_lines(skipped: dict[str, Any]) -> Iterator[str]:
    yield f"  sheet '{skipped['name']}': not read ({skipped['reason']})"
    if skipped.get("legend_for"):
        return
    nearest = skipped.get("nearest")
    if nearest is None:
        yield "    nearest: no row in it names a column sheetsync knows"
    else:
        yield f"    nearest: {nearest['advice']}"


def _shown(header: str, width: int) -> str:
    """A header padded to ``width``, a longer one cut with an ellipsis (the JSON has it whole)."""
    if len(header) > width:
        header = header[:width - 3] + "..."
    return f"{header:<{width}}"
