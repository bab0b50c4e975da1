"""Workbook templates generated from the schema files and the organisation's settings.

The cheapest error is the one never typed: each template has the schema's own headers, drop-down
lists for every vocabulary, date checks on date columns, formulas for the derived columns (score =
likelihood x impact, rating from the configured bands) coloured by band with the word in the
cell, and a Guidance sheet, so what officers see agrees with what sheetsync checks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from sheetsync.files import atomic_path
from sheetsync.settings.config import Config
from sheetsync.settings.schemas import RegisterSpec

KINDS = ("risk_register", "issues_log", "kpi_sheet", "action_plan")
HEADER_ROW = 4  #: 0-based: the header is on row 5, under the title block.
TEMPLATE_ROWS = 50  #: Rows prepared with formulas, formats and drop-downs.
#: Fixed so a template generated twice is the same file, byte for byte.
CREATED = dt.datetime(2024, 1, 1)
POLARITIES = ["Higher is better", "Lower is better"]

_COLUMNS = {
    "risk_register": ["ref", "description", "owner", "workstream", "controls",
                      "inherent_likelihood", "inherent_impact", "inherent_score", "inherent_rating",
                      "residual_likelihood", "residual_impact", "residual_score", "residual_rating",
                      "target_likelihood", "target_impact", "target_score", "target_rating",
                      "review_date", "status"],
    "issues_log": ["ref", "date_logged", "description", "priority", "status", "owner", "impact",
                   "action", "target_date", "resolution_date", "update"],
    "kpi_sheet": ["kpi", "service", "service_area", "target", "actual", "previous", "polarity",
                  "rag", "comment", "frequency"],
    "action_plan": ["ref", "action", "outcome", "group", "lead", "target_date", "status",
                    "progress", "next_steps"],
}
_WIDE = {"description", "controls", "action", "outcome", "comment", "progress", "next_steps",
         "update", "kpi", "impact"}


@dataclass(frozen=True, slots=True)
class _Column:
    name: str
    label: str
    index: int

    @property
    def letter(self) -> str:
        return xl_col_to_name(self.index)


def write_template(kind: str, path: Path, spec: RegisterSpec, config: Config) -> Path:
    """Write the ``kind`` template to ``path`` (atomically)."""
    columns = [_Column(name, spec.columns[name].label, i) for i, name in enumerate(_COLUMNS[kind])]
    by_name = {c.name: c for c in columns}
    with atomic_path(path) as temporary:
        book = xlsxwriter.Workbook(str(temporary), {"strings_to_formulas": False})
        book.set_properties({"title": f"{spec.title} template", "author": "sheetsync",
                             "created": CREATED})
        ws = book.add_worksheet(spec.title)
        formats = {"title": book.add_format({"bold": True, "font_size": 14}),
                   "label": book.add_format({"bold": True}),
                   "date": book.add_format({"num_format": "dd/mm/yyyy"}),
                   "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
                   "percent": book.add_format({"num_format": "0.0%"}),
                   "derived": book.add_format({"bg_color": "#F2F2F2", "align": "center"})}
        ws.write_string(0, 0, spec.title, formats["title"])
        ws.write_string(1, 0, "Owner:", formats["label"])
        ws.write_string(2, 0, "Version date:", formats["label"])
        ws.write_blank(2, 1, None, formats["date"])
        first, last = HEADER_ROW + 1, HEADER_ROW + TEMPLATE_ROWS
        ws.add_table(HEADER_ROW, 0, last, len(columns) - 1, {
            "name": "".join(w.capitalize() for w in kind.split("_")),
            "style": "Table Style Light 9",
            "columns": [{"header": c.label} for c in columns]})
        for column in columns:
            _prepare_column(book, ws, column, by_name, spec, config, formats, first, last)
        ws.freeze_panes(HEADER_ROW + 1, 1)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(HEADER_ROW)
        ws.set_footer("&L&A&CPage &P of &N")
        _guidance(book, spec, config, columns, kind)
        book.close()
    return path


def _prepare_column(book: xlsxwriter.Workbook, ws: Worksheet, column: _Column,
                    by_name: dict[str, _Column], spec: RegisterSpec, config: Config,
                    formats: dict[str, Any], first: int, last: int) -> None:
    column_spec = spec.columns[column.name]
    ws.set_column(column.index, column.index, 36 if column.name in _WIDE else 14,
                  formats["wrap"] if column.name in _WIDE else None)
    cells = (first, column.index, last, column.index)
    if column_spec.type == "date":
        ws.set_column(column.index, column.index, 13, formats["date"])
        ws.data_validation(*cells, {"validate": "date", "criteria": ">=",
                                    "value": dt.date(1990, 1, 1), "ignore_blank": True,
                                    "error_title": "A date, please",
                                    "error_message": "Type a date, day first, such as 16/01/2023."})
    if column_spec.measure in ("likelihood", "impact"):
        labels = config.likelihood_labels if column_spec.measure == "likelihood" else \
            config.impact_labels
        ws.data_validation(*cells, {
            "validate": "list", "source": [str(n) for n in range(1, len(labels) + 1)],
            "input_title": column.label[:32],
            "input_message": "\n".join(f"{n} {label}" for n, label in enumerate(labels, 1))[:255],
            "error_message": f"Choose 1 to {len(labels)}."})
    vocabulary = _vocabulary(spec.kind, column.name, config)
    if vocabulary:
        ws.data_validation(*cells, {"validate": "list", "source": vocabulary,
                                    "error_message": "Choose from the list."})
    formula = _formula(column, by_name, spec, config)
    if formula is not None:
        for row in range(first, last + 1):
            ws.write_formula(row, column.index, formula.format(r=row + 1), formats["derived"], "")
        _colour_by_status(book, ws, cells, spec, column_spec.measure, config)


def _vocabulary(kind: str, name: str, config: Config) -> list[str]:
    if kind == "issues_log" and name in ("priority", "status"):
        return list(config.vocabulary(f"issue_{name}"))
    if kind == "action_plan" and name == "status":
        return [words[1] if len(words) > 1 else words[0] for words in config.action_status.values()]
    if kind == "kpi_sheet" and name == "polarity":
        return POLARITIES
    return []


def _formula(column: _Column, by_name: dict[str, _Column], spec: RegisterSpec,
             config: Config) -> str | None:
    """The Excel formula of a derived column, with ``{r}`` for the row number."""
    measure = spec.columns[column.name].measure
    assessment = spec.columns[column.name].assessment
    if measure == "score":
        likelihood = by_name[f"{assessment}_likelihood"].letter
        impact = by_name[f"{assessment}_impact"].letter
        return (f'=IF(AND(ISNUMBER({likelihood}{{r}}),ISNUMBER({impact}{{r}})),'
                f'{likelihood}{{r}}*{impact}{{r}},"")')
    if measure == "rating":
        score = by_name[f"{assessment}_score"].letter
        return f'=IF({score}{{r}}="","",{_band_ifs(f"{score}{{r}}", config)})'
    if spec.kind == "kpi_sheet" and column.name == "rag":
        return _kpi_formula(by_name, config)
    return None


def _band_ifs(score: str, config: Config) -> str:
    """Nested IFs giving the band name of a score, from the configured bands."""
    nested = f'"{config.bands[0].name}"'
    for band in config.bands[1:]:
        nested = f'IF({score}<{band.start},{nested},"{band.name}")'
    return nested


def _kpi_formula(by_name: dict[str, _Column], config: Config) -> str:
    target, actual, polarity = (by_name[n].letter for n in ("target", "actual", "polarity"))
    t, a, p = f"{target}{{r}}", f"{actual}{{r}}", f"{polarity}{{r}}"
    tolerance = config.kpi_tolerance
    allowed = f"ABS({t})*{tolerance.amount}" if tolerance.kind == "relative" else str(tolerance.amount)
    lower = f'IF({a}<={t},"Green",IF({a}<={t}+{allowed},"Amber","Red"))'
    higher = f'IF({a}>={t},"Green",IF({a}>={t}-{allowed},"Amber","Red"))'
    default_lower = config.kpi_default_polarity == "lower"
    choose = (f'IF({p}="{POLARITIES[0]}",{higher},{lower})' if default_lower
              else f'IF({p}="{POLARITIES[1]}",{lower},{higher})')
    return f'=IF(OR(NOT(ISNUMBER({t})),NOT(ISNUMBER({a}))),"",{choose})'


def _colour_by_status(book: xlsxwriter.Workbook, ws: Worksheet, cells: tuple[int, int, int, int],
                      spec: RegisterSpec, measure: str | None, config: Config) -> None:
    if measure == "score":
        bands = list(config.bands)
        for number, band in enumerate(bands):
            top = bands[number + 1].start - 1 if number + 1 < len(bands) else config.max_score
            ws.conditional_format(*cells, {"type": "cell", "criteria": "between",
                                           "minimum": band.start, "maximum": top,
                                           "format": book.add_format({"bg_color": f"#{band.colour}"})})
        return
    words = ({b.name: b.colour for b in config.bands} if measure == "rating"
             else {k: v for k, v in config.status_colours.items() if k in ("Green", "Amber", "Red")})
    for word, colour in words.items():
        ws.conditional_format(*cells, {"type": "cell", "criteria": "==", "value": f'"{word}"',
                                       "format": book.add_format({"bg_color": f"#{colour}",
                                                                  "bold": True})})


def _guidance(book: xlsxwriter.Workbook, spec: RegisterSpec, config: Config,
              columns: list[_Column], kind: str) -> None:
    ws = book.add_worksheet("Guidance")
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    ws.write_string(0, 0, f"How to fill in this {spec.title.lower()}", book.add_format(
        {"bold": True, "font_size": 14}))
    ws.write_string(1, 0, "Type into the white cells of the table, one row each. Grey cells work "
                          "themselves out. sheetsync reads this sheet as it is and checks every row.")
    row = 3
    ws.write_row(row, 0, ["Column", "What it means"], head)
    for offset, column in enumerate(columns, start=1):
        ws.write_string(row + offset, 0, column.label, wrap)
        ws.write_string(row + offset, 1, spec.columns[column.name].description or "", wrap)
    row += len(columns) + 2
    if kind == "risk_register":
        row = _matrix(book, ws, row, config, head, bold)
    lists = {name: words for name in ("priority", "status", "polarity")
             if (words := _vocabulary(kind, name, config))}
    for name, words in lists.items():
        ws.write_string(row, 0, f"{spec.columns[name].label}: choose from", bold)
        ws.write_string(row, 1, ", ".join(words))
        row += 1
    if kind == "kpi_sheet":
        ws.write_string(row + 1, 0, "Status", bold)
        ws.write_string(row + 1, 1, f"Green when the target is met (equal counts as met); Amber "
                                    f"when missed by no more than the tolerance "
                                    f"({_tolerance_words(config)}); Red beyond it.")
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 70)
    ws.set_column(2, 12, 14)


def _tolerance_words(config: Config) -> str:
    tolerance = config.kpi_tolerance
    return (f"{tolerance.amount:.0%} of the target" if tolerance.kind == "relative"
            else f"{tolerance.amount:g} points")


def _matrix(book: xlsxwriter.Workbook, ws: Worksheet, row: int, config: Config, head: Any,
            bold: Any) -> int:
    ws.write_string(row, 0, "Risk matrix: score = likelihood x impact, coloured by band", bold)
    row += 1
    ws.write_string(row, 0, "Likelihood / Impact", head)
    for impact, label in enumerate(config.impact_labels, start=1):
        ws.write_string(row, 1 + impact, f"{impact} {label}", head)
    for offset, likelihood in enumerate(range(len(config.likelihood_labels), 0, -1), start=1):
        ws.write_string(row + offset, 0, f"{likelihood} {config.likelihood_labels[likelihood - 1]}",
                        head)
        for impact in range(1, len(config.impact_labels) + 1):
            band = config.band_for(likelihood * impact)
            ws.write_number(row + offset, 1 + impact, likelihood * impact, book.add_format(
                {"bg_color": f"#{band.colour}" if band else "#FFFFFF", "border": 1,
                 "align": "center"}))
    row += len(config.likelihood_labels) + 2
    ws.write_row(row, 0, ["Band", "Scores"], head)
    for offset, band in enumerate(config.bands, start=1):
        top = config.bands[offset].start - 1 if offset < len(config.bands) else config.max_score
        ws.write_string(row + offset, 0, band.name, book.add_format(
            {"bg_color": f"#{band.colour}", "bold": True, "border": 1}))
        ws.write_string(row + offset, 1, f"{band.start} to {top}")
    return row + len(config.bands) + 2
