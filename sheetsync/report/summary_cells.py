"""Cells, tables, charts and print set-up for the summary workbook (xlsxwriter)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from sheetsync.report.bulkrows import BulkRows, bulk_rows
from sheetsync.report.summary_data import SummaryData
from sheetsync.rules.performance import ACTION_CODES


class Formats:
    """The workbook's formats, made once."""

    def __init__(self, book: xlsxwriter.Workbook, data: SummaryData) -> None:
        self.book = book
        self.title = book.add_format({"bold": True, "font_size": 16})
        self.subtitle = book.add_format({"bold": True, "font_size": 12})
        self.header = book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1,
                                       "text_wrap": True, "valign": "top"})
        # NOTE: no wrapping: spreadsheets do not grow row heights for it, so wrapped text would
        # run over the next row when printed; long text is cut at the column's edge instead.
        self.cell = book.add_format({"border": 1, "valign": "top"})
        self.number = book.add_format({"border": 1, "valign": "top"})
        self.percent = book.add_format({"border": 1, "num_format": "0%"})
        self.date = book.add_format({"border": 1, "num_format": "dd/mm/yyyy", "align": "left"})
        self.plain_date = book.add_format({"num_format": "dd/mm/yyyy"})
        self.note = book.add_format({"italic": True, "font_color": "#595959"})
        #: Rows of long tables, put into each sheet after xlsxwriter has written it.
        self.bulk: dict[Worksheet, list[BulkRows]] = {}
        self._status: dict[str, Any] = {}
        colours = dict(data.config.status_colours)
        colours.update({band.name: band.colour for band in data.config.bands})
        self.colours = {name: f"#{colour}" for name, colour in colours.items()}

    def status(self, word: str | None) -> Any:
        """A bordered cell filled with the status colour; the word is always written too."""
        key = ACTION_CODES.get(word or "", word or "")
        if key not in self._status:
            colour = self.colours.get(key)
            spec: dict[str, Any] = {"border": 1, "bold": True, "align": "center"}
            if colour:
                spec["bg_color"] = colour
                spec["font_color"] = "#FFFFFF" if key in ("Red", "Green", "Blue") else "#000000"
            self._status[key] = self.book.add_format(spec)
        return self._status[key]

    @staticmethod
    def index(fmt: Any) -> int:
        """The style index of a format, for rows written as XML (see ``bulkrows``).

        NOTE: xlsxwriter fixes an index when a cell first uses the format; this asks for it.
        """
        return fmt._get_xf_index()

    def heat(self, colour: str, letter: str) -> Any:
        key = f"heat:{colour}:{letter}"
        if key not in self._status:
            self._status[key] = self.book.add_format({
                "border": 2, "align": "center", "valign": "vcenter", "bold": True, "font_size": 12,
                "bg_color": f"#{colour}", "num_format": f'0" {letter}"'})
        return self._status[key]


def set_widths(ws: Worksheet, widths: tuple[int, ...]) -> None:
    """Column widths from the first column on, in characters."""
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)


def print_setup(ws: Worksheet, data: SummaryData, header_row: int | None = None) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    if header_row is not None:
        ws.repeat_rows(header_row)
        ws.freeze_panes(header_row + 1, 0)
    ws.set_footer(f"&L{data.quarter.label}&CPage &P of &N&RGenerated {dt.date.today():%d/%m/%Y}")


def write_table(ws: Worksheet, row: int, headers: list[str], rows: list[list[Any]], formats: Formats,
                status_cols: tuple[int, ...] = (), autofilter: bool = False) -> int:
    """A bordered table (with the sheet's one autofilter, if asked); returns the next free row.

    The rows are written in one pass (see ``bulkrows``): a top-risk list of a few thousand rows
    would otherwise cost a fifth of a second.
    """
    for col, header in enumerate(headers):
        ws.write_string(row, col, header, formats.header)
    if rows:
        cell = formats.index(formats.cell)

        def style(col: int, value: Any) -> int:
            return formats.index(formats.status(value)) if col in status_cols and value else cell

        formats.bulk.setdefault(ws, []).append(bulk_rows(
            rows, row + 2, len(headers), formats.index(formats.date), style))
    else:
        ws.write_string(row + 1, 0, "None", formats.note)
    last = row + max(len(rows), 1)
    if autofilter:
        ws.autofilter(row, 0, last, len(headers) - 1)
    return last + 2


def source_of(record: dict[str, Any]) -> str:
    return f"{record['workbook']} / {record['sheet']} / row {record['row']}"


def count_block(ws: Worksheet, row: int, title: str, rows: list[tuple[str, Any, int]],
                 formats: Formats) -> tuple[int, int]:
    """A titled two-column block of (label, formula or None, count); returns (first, last) rows."""
    ws.write_string(row, 0, title, formats.subtitle)
    ws.write_string(row + 1, 0, "Status", formats.header)
    ws.write_string(row + 1, 1, "Count", formats.header)
    for offset, (label, formula, value) in enumerate(rows, start=2):
        ws.write_string(row + offset, 0, label, formats.status(label))
        if formula:
            ws.write_formula(row + offset, 1, formula, formats.number, value)
        else:
            ws.write_number(row + offset, 1, value, formats.number)
    return row + 2, row + 1 + len(rows)


def add_chart(book: xlsxwriter.Workbook, ws: Worksheet, first: int, labels: list[str], title: str,
           formats: Formats, anchor_row: int) -> None:
    """A native column chart of a count block, each bar in its status colour."""
    chart = book.add_chart({"type": "column"})
    points = [{"fill": {"color": formats.colours.get(ACTION_CODES.get(label, label), "#A6A6A6")},
               "border": {"color": "#404040"}} for label in labels]
    last = first + len(labels) - 1
    chart.add_series({"categories": [ws.name, first, 0, last, 0],
                      "values": [ws.name, first, 1, last, 1], "points": points,
                      "data_labels": {"value": True}, "name": title})
    chart.set_title({"name": title, "name_font": {"size": 11}})
    chart.set_legend({"none": True})
    chart.set_size({"width": 420, "height": 220})
    ws.insert_chart(anchor_row, 2, chart, {"x_offset": 20})
