"""The flow for one workbook and for a run: open, locate, read, coerce, derive, validate,
annotate, and collect what the reports need. Nothing here prints or exits."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sheetsync import collector_paused
from sheetsync.copying import workbook_finding, write_copy
from sheetsync.errors import WorkbookUnreadable
from sheetsync.findings import Finding, in_sheet_order
from sheetsync.read.account import (
    SCORECARD_REASON,
    register_account,
    skipped_account,
    table_account,
)
from sheetsync.read.coerce import coerce_sheet, read_all_the_same
from sheetsync.read.discover import Source, find_workbooks, mark_output_folder
from sheetsync.read.grid import SheetGrid, WorkbookGrid
from sheetsync.read.legend import apply_legend, find_legend
from sheetsync.read.levels import settle_scoring
from sheetsync.read.locate import Layout, locate_register
from sheetsync.read.raid import KIND as RAID
from sheetsync.read.raid import merge_parts, raid_parts, settle_raid
from sheetsync.read.rows import RawSheet, read_register
from sheetsync.read.values import blank_values, is_missing
from sheetsync.read.workbook import read_workbook
from sheetsync.report.records import build_records, whole_numbers
from sheetsync.results import ANNOTATED_DIR, RunResult, Settings, SheetResult, WorkbookResult
from sheetsync.rules.columns import Columns
from sheetsync.rules.derive import CALC, Context, derive_frame
from sheetsync.rules.finance import find_financial_table
from sheetsync.rules.performance import ACTION_CODES
from sheetsync.rules.raid import raid_type  # noqa: F401  (registers the RAID log's derivation)
from sheetsync.rules.scorecard import check_scorecard, sum_findings
from sheetsync.rules.validate import header_findings, validate_frame
from sheetsync.settings.config import Config
from sheetsync.write.annotate import AddedColumn, SheetAnnotations


def validate_paths(paths: list[Path], out_dir: Path | None, settings: Settings,
                   progress: Callable[[WorkbookResult], None] | None = None) -> RunResult:
    """Validate every workbook under ``paths`` and write annotated copies into ``out_dir``
    (with ``out_dir`` None, check only: nothing is written)."""
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        mark_output_folder(out_dir)
    run = RunResult(as_of=settings.as_of, out_dir=out_dir or Path("."))
    for source in find_workbooks(paths, exclude=out_dir):
        destination = out_dir / ANNOTATED_DIR / source.name if out_dir is not None else None
        result = safe_process_workbook(source, settings, destination)
        run.workbooks.append(result)
        if progress is not None:
            progress(result)
    return run


def safe_process_workbook(source: Source, settings: Settings,
                          destination: Path | None) -> WorkbookResult:
    """``process_workbook``, with anything unforeseen turned into an error on that workbook."""
    try:
        # NOTE: the collector goes on again once the workbook's cells and package are gone,
        # not while they are still held: its first collection then looks at far fewer objects
        with collector_paused():
            return process_workbook(source, settings, destination)
    except Exception as exc:  # noqa: BLE001  (one bad file must never stop a run)
        return unreadable_result(source, f"sheetsync could not check it ({type(exc).__name__}: "
                                         f"{' '.join(str(exc).split())[:120]}); please report this")


def process_workbook(source: Source, settings: Settings,
                     destination: Path | None) -> WorkbookResult:
    """Check one workbook and write its annotated copy to ``destination`` (None: check only)."""
    # NOTE: openpyxl's writer and the checks make millions of objects: see collector_paused
    # (paused here too for callers of this function itself; a pause within one does nothing)
    with collector_paused():
        try:
            package, grid = read_workbook(source.path)
        except WorkbookUnreadable as exc:
            return unreadable_result(source, exc.reason)
        with package:
            result, annotations = _check_workbook(grid, source, settings)
            if result.status == "ok" and destination is not None:
                write_copy(package, grid, result, annotations, destination)
            return result


def unreadable_result(source: Source, reason: str) -> WorkbookResult:
    """A workbook that could not be read: an error, with ``reason`` as its WB01 finding."""
    return WorkbookResult(source=source, status="error", message=reason, findings=[
        workbook_finding(source, "WB01", f"The workbook cannot be read: {reason}.")])


def _check_workbook(grid: WorkbookGrid, source: Source,
                    settings: Settings) -> tuple[WorkbookResult, list[SheetAnnotations]]:
    """Every register and financial table of ``grid`` checked; what to write on each sheet."""
    result = WorkbookResult(source=source, status="ok")
    annotations = []
    cards = []
    for sheet in grid.sheets:
        layout = settle_raid(sheet, locate_register(sheet, settings.specs), settings.specs)
        if layout is None:
            table = find_financial_table(sheet, settings.finance, source.name)
            if table is not None:
                result.sheets.append(SheetResult(name=sheet.title, kind="financial_table",
                                                 header_row=table.header_row, rows=table.rows,
                                                 records=table.records, account=table_account(
                                                     table.header_row,
                                                     [r["row"] for r in table.records])))
                result.findings.extend(table.findings)
            elif (card := check_scorecard(sheet, settings.config, source.name)) is not None:
                cards.append(card)
                result.sheets.append(SheetResult(name=sheet.title, kind="kpi_sheet",
                                                 header_row=card.header_row, rows=card.rows,
                                                 metadata=card.metadata, records=card.records,
                                                 account=table_account(
                                                     card.header_row, card.card.order,
                                                     SCORECARD_REASON, card.card.notes)))
            else:
                result.skipped_sheets.append(skipped_account(sheet, settings.specs))
            continue
        sheet_result, sheet_findings, sheet_annotations = _process_sheet(
            sheet, layout, settings, source.name, grid)
        result.sheets.append(sheet_result)
        result.findings.extend(sheet_findings)
        annotations.append(sheet_annotations)
    result.findings.extend(sum_findings(cards, settings.specs.get("kpi_sheet"), source.name))
    _name_legends(result)
    if not result.sheets:
        result.status = "skipped"
        titles = [_in_sentence(spec.title) for spec in settings.specs.values()]
        titles.append("financial table")
        kinds = " or ".join([", ".join(titles[:-1]), titles[-1]] if len(titles) > 1 else titles)
        result.message = f"no {kinds} found (no sheet has a header row sheetsync recognises)"
    return result, annotations


def _process_sheet(sheet: SheetGrid, layout: Layout, settings: Settings, workbook: str,
                   book: WorkbookGrid) -> tuple[SheetResult, list[Finding], SheetAnnotations]:
    raw = read_register(sheet, layout)
    # NOTE: a RAID log's risks and issues are read again and checked as their own kinds
    parts = raid_parts(sheet, raw, settings.specs) if layout.kind == RAID else [raw]
    for part in parts:
        _settle_levels(part, settings.config, book, sheet)
    # NOTE: read; what follows works from ``raw`` (memory for a large sheet: a first check of
    # a register with a formula in every score cell has 100,000 of them)
    sheet.rows, sheet.formulas, sheet.cached = [], {}, {}
    checked = [_check_rows(part, settings, workbook) for part in parts]
    findings, records = checked[0][1], checked[0][2]
    if len(parts) > 1:
        findings, records = merge_parts([(part, f, r) for part, f, r, _a in checked])
    annotations = checked[0][3]
    for *_rest, more in checked[1:]:
        annotations.filled.update(more.filled)
        annotations.added += more.added
    result = SheetResult(name=sheet.title, kind=layout.kind, header_row=layout.header_row,
                         rows=len(raw.raw), metadata=layout.metadata, records=records,
                         account=register_account(raw))
    header = header_findings(layout, workbook, sheet.title)
    if header:  # NOTE: the rows' findings are in order already (a heavy register has 24,000)
        findings = sorted(header + findings, key=in_sheet_order)
    return result, findings, annotations


def _check_rows(raw: RawSheet, settings: Settings, workbook: str
                ) -> tuple[RawSheet, list[Finding], Sequence[dict[str, Any]], SheetAnnotations]:
    """One register's rows settled, coerced, derived and checked: their findings (in row
    order), records and what to write on the sheet."""
    layout = raw.layout
    frame, type_findings = coerce_sheet(raw, workbook)
    context = Context(spec=layout.spec, config=settings.config, as_of=settings.as_of,
                      scoring=None if raw.scoring is settings.config.scoring else raw.scoring)
    derived = derive_frame(frame, context)
    del frame  # derived is a copy with the derived columns added
    if raw.uncalculated:
        derived = _trust_product_formulas(raw, derived, context)
    # NOTE: the checks, records and annotations read the finished frame's columns through
    # one Columns, each column taken out of pandas once
    columns = Columns(derived)
    check_findings = validate_frame(derived, raw, context, workbook, columns)
    unreadable = {f.cell for f in type_findings if not read_all_the_same(f)}
    findings = [f for f in check_findings if f.cell not in unreadable]
    if type_findings:  # NOTE: the checks' findings are in order already
        findings = sorted(type_findings + findings, key=in_sheet_order)
    records = build_records(raw.raw, layout.spec, settings.config, workbook, raw.sheet, columns)
    return raw, findings, records, _derived_annotations(raw, columns, settings.config)


def _name_legends(result: WorkbookResult) -> None:
    """A sheet not read as a register whose scales or bands a register was read with is the
    workbook's legend: ``inspect`` says so, rather than how to make it a register."""
    for skipped in result.skipped_sheets:
        quoted = "'" + skipped["name"].replace("'", "''") + "'!"
        users = [s.name for s in result.sheets if quoted in (s.account.get("scale_source") or "")]
        if users:
            skipped["reason"] = f"the workbook's legend: its scales and bands are used for {', '.join(users)}"
            skipped["legend_for"] = users


def _settle_levels(raw: RawSheet, config: Config, book: WorkbookGrid, sheet: SheetGrid) -> None:
    """Choose the scales the sheet's likelihood and impact are read on (the workbook's own
    legend wins); a level column that holds descriptions is read as neither (it is left out,
    and ``inspect`` says so)."""
    # NOTE: a grid of marks (VL L M H VH) names its whole scale, whichever levels are marked
    levels = {name: raw.raw[name].tolist() + [w for _c, w in raw.layout.columns[name].marks]
              for name in raw.raw.columns if raw.layout.spec.columns[name].type == "level"}
    if not levels:
        return
    legend = find_legend(book, sheet, raw.layout, config.scoring, levels)
    if legend is not None:
        apply_legend(raw, legend)
    raw.scoring, free_text = settle_scoring(raw.layout.columns, levels, config.scoring,
                                            config.word_scales, legend=legend)
    for name in free_text:
        raw.raw = raw.raw.drop(columns=name)
        ref = raw.layout.columns.pop(name)
        raw.layout.duplicates = [d for d in raw.layout.duplicates if d.name != name]
        raw.layout.notes.append(f"{ref.letter} '{ref.header}' holds descriptions, not levels: "
                                "not read as a scale")


def _trust_product_formulas(raw: RawSheet, derived: pd.DataFrame, context: Context) -> pd.DataFrame:
    """A score formula never calculated (``=E7*F7`` saved by a tool that does not calculate)
    that multiplies its own row's likelihood and impact holds the recomputed score.

    NOTE: column by column, not cell by cell: a register written by such a tool has a formula
    in every score cell, and a pandas indexer per cell was most of its checking time.
    """
    layout = raw.layout
    letters_of: dict[str, tuple[str, str]] = {}  # (score column: its likelihood's and impact's)
    for column, spec in layout.spec.columns.items():
        if spec.measure != "score" or CALC + column not in derived:
            continue
        letters = [layout.columns.get(f"{spec.assessment}_{m}") for m in ("likelihood", "impact")]
        if letters[0] is not None and letters[1] is not None:
            letters_of[column] = (letters[0].letter, letters[1].letter)
    by_column: dict[str, list[int]] = {column: [] for column in letters_of}
    uncalculated = raw.uncalculated
    # NOTE: one pass over the formulas in the order they were read (rows in order), not over
    # the set of uncalculated cells (in hash order: the formulas looked up all over memory
    # took twice as long)
    # NOTE: the uncalculated cells are formulas (read, legend and RAID code keep them so): as
    # many of them as formulas, as in a file no tool calculated, is every formula, and none
    # is looked up (100,000 set look-ups took 10 ms)
    every = len(uncalculated) == len(raw.formulas)
    for key, formula in raw.formulas.items():
        column, row = key
        pair = letters_of.get(column)
        if pair is None or not (every or key in uncalculated):
            continue
        if _multiplies(formula, row, *pair):
            by_column[column].append(row)
    for column, trusted in by_column.items():
        if not trusted:
            continue
        trusted.sort()
        # NOTE: derived is indexed as raw.raw is, by the rows read; pandas' indexer handed an
        # Index of a numpy array (of a list: five times as much) took 1-2 ms for 50,000 rows,
        # where a dict of the rows took 7-13 ms
        positions = raw.raw.index.get_indexer(pd.Index(np.array(trusted, dtype=np.int64)))
        values = derived[CALC + column].to_numpy()[positions]
        target = derived[column].to_numpy(copy=True)
        if target.dtype == values.dtype:
            target[positions] = values
            derived[column] = target
        else:
            derived.loc[trusted, column] = values
        typed = raw.raw[column].to_numpy(copy=True)
        # NOTE: a float column's values as _cell_value gives them, by numpy (a comprehension
        # took 7 ms per 50,000)
        plain = whole_numbers(values) if values.dtype == np.float64 else None
        typed[positions] = plain if plain is not None else [_cell_value(v) for v in values.tolist()]
        raw.raw[column] = typed
    # NOTE: trusted cells are uncalculated ones: when they are all of them, the set is emptied
    # rather than each looked up (100,000 took 28 ms)
    if sum(map(len, by_column.values())) == len(uncalculated):
        uncalculated.clear()
    else:
        for column, trusted in by_column.items():
            uncalculated.difference_update(zip(repeat(column), trusted))
    return derived


def _multiplies(formula: str, row: int, first: str, second: str) -> bool:
    """``=E7*F7`` or ``=F7*E7`` on row 7 for columns E and F (any case, ``$`` and spaces anywhere).

    NOTE: the formula as written is compared first (a tool writes ``=E7*F7`` as it is, and
    tidying every formula cost more than the comparison); the second form is made only when
    the first is not it (a first check has one per row)."""
    if formula == f"={first}{row}*{second}{row}":
        return True
    text = formula.replace("$", "").replace(" ", "").upper()
    return text == f"={first}{row}*{second}{row}" or text == f"={second}{row}*{first}{row}"


def _derived_annotations(raw: RawSheet, derived: Columns, config: Config) -> SheetAnnotations:
    """Derived values to fill into blank cells, and derived columns the sheet lacks."""
    layout = raw.layout
    spec = layout.spec
    annotations = SheetAnnotations(sheet=raw.sheet, header_row=layout.header_row,
                                   after_column=layout.last_column)
    targets = [(c.name, c.label) for c in spec.columns.values() if c.derived]
    targets += [(name, label) for name, (label, _compute) in spec.derived.items()]
    rows = [int(row) for row in derived.index.tolist()]
    for name, label in targets:
        calc = CALC + name
        if calc not in derived:
            continue
        computed = derived[calc].tolist()
        if name in layout.columns:
            # NOTE: a value made only for a blank cell (raw.raw is indexed as derived is)
            letter = layout.columns[name].letter
            typed_values = raw.raw[name].tolist()
            # NOTE: a column with no blank cell (most) is not gone through again
            blanks = blank_values(typed_values)
            if blanks:
                annotations.filled.update({
                    f"{letter}{row}": _cell_value(value)
                    for row, value, typed in zip(rows, computed, typed_values, strict=True)
                    if typed in blanks and (name, row) not in raw.formulas
                    and not is_missing(value)})
            continue
        # NOTE: text (a rating's band) as it is, without a call of each helper per cell
        values = {row: v if type(v) is str else _cell_value(v)
                  for row, v in zip(rows, computed, strict=True)
                  if type(v) is str or not is_missing(v)}
        if not values:  # (every value missing, as pandas' isna would say)
            continue
        words = {v for v in values.values() if isinstance(v, str)}
        colour_of = {word: colour for word in words if (colour := _status_colour(word, config))}
        colours = {row: colour_of[value] for row, value in values.items() if value in colour_of}
        annotations.added.append(AddedColumn(header=f"{label} (sheetsync)", values=values,
                                             colours=colours))
    return annotations


def _status_colour(word: str, config: Config) -> str | None:
    """Fill for a rating or status cell: the band's colour, or the configured status colour."""
    band = config.band_named(word)
    if band is not None:
        return band.colour
    return config.status_colours.get(ACTION_CODES.get(word, word))


def _in_sentence(title: str) -> str:
    """"Risk register" -> "risk register"; "KPI sheet" keeps its capitals."""
    return title if title[:2].isupper() else title[:1].lower() + title[1:]


def _cell_value(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
