"""The flow for one workbook and for a run: open, locate, read, coerce, derive, validate,
annotate, and collect what the reports need. Nothing here prints or exits."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from sheetsync.errors import WorkbookUnreadable
from sheetsync.files import OutputInUse
from sheetsync.findings import STRUCTURAL_RULES, Finding
from sheetsync.read.coerce import coerce_sheet
from sheetsync.read.discover import OUTPUT_MARKER, Source, find_workbooks
from sheetsync.read.grid import SheetGrid, WorkbookGrid
from sheetsync.read.levels import settle_scoring
from sheetsync.read.locate import Layout, locate_register
from sheetsync.read.package import Package, is_strict
from sheetsync.read.rows import RawSheet, read_register
from sheetsync.read.values import is_blank_cell, is_missing
from sheetsync.read.workbook import open_workbook, read_workbook
from sheetsync.report.record_fields import rollups
from sheetsync.report.records import build_records
from sheetsync.results import ANNOTATED_DIR, RunResult, Settings, SheetResult, WorkbookResult
from sheetsync.rules.derive import CALC, Context, derive_frame
from sheetsync.rules.finance import find_financial_table
from sheetsync.rules.performance import ACTION_CODES
from sheetsync.rules.scorecard import check_scorecard, sum_findings
from sheetsync.rules.validate import header_findings, validate_frame
from sheetsync.settings.config import Config
from sheetsync.write import losses
from sheetsync.write.annotate import AddedColumn, SheetAnnotations, strip_annotations, write_annotated_copy
from sheetsync.write.patch import PatchUnsupported, unpatchable_reason, write_patched_copy


def validate_paths(paths: list[Path], out_dir: Path | None, settings: Settings,
                   progress: Callable[[WorkbookResult], None] | None = None) -> RunResult:
    """Validate every workbook under ``paths`` and write annotated copies into ``out_dir``
    (with ``out_dir`` None, check only: nothing is written)."""
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / OUTPUT_MARKER).write_text("sheetsync output folder; skipped when searching\n")
    run = RunResult(as_of=settings.as_of, out_dir=out_dir or Path("."))
    for source in find_workbooks(paths, exclude=out_dir):
        destination = out_dir / ANNOTATED_DIR / source.name if out_dir is not None else None
        result = safe_process_workbook(source, settings, destination)
        run.workbooks.append(result)
        if progress is not None:
            progress(result)
    return run


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while openpyxl builds and writes millions of cell objects.

    NOTE: the collector would otherwise scan them again and again (a fifth of a 50,000-row
    load-and-save); what little cyclic garbage a workbook leaves is collected afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def safe_process_workbook(source: Source, settings: Settings,
                          destination: Path | None) -> WorkbookResult:
    """``process_workbook``, with anything unforeseen turned into an error on that workbook."""
    try:
        return process_workbook(source, settings, destination)
    except Exception as exc:  # noqa: BLE001  (one bad file must never stop a run)
        return unreadable_result(source, f"sheetsync could not check it ({type(exc).__name__}: "
                                         f"{' '.join(str(exc).split())[:120]}); please report this")


def process_workbook(source: Source, settings: Settings,
                     destination: Path | None) -> WorkbookResult:
    """Check one workbook and write its annotated copy to ``destination`` (None: check only)."""
    with _collector_paused():
        try:
            package, grid = read_workbook(source.path)
        except WorkbookUnreadable as exc:
            return unreadable_result(source, exc.reason)
        with package:
            result, annotations = _check_workbook(grid, source, settings)
            if result.status == "ok" and destination is not None:
                _write_copy(package, grid, result, annotations, destination)
            return result


def unreadable_result(source: Source, reason: str) -> WorkbookResult:
    """A workbook that could not be read: an error, with ``reason`` as its WB01 finding."""
    return WorkbookResult(source=source, status="error", message=reason, findings=[
        _workbook_finding(source, "WB01", f"The workbook cannot be read: {reason}.")])


def _release(wb: Any) -> None:
    """Close the in-memory package openpyxl keeps for a macro workbook's VBA parts."""
    archive = getattr(wb, "vba_archive", None)
    if archive is not None:
        archive.close()


def _check_workbook(grid: WorkbookGrid, source: Source,
                    settings: Settings) -> tuple[WorkbookResult, list[SheetAnnotations]]:
    """Every register and financial table of ``grid`` checked; what to write on each sheet."""
    result = WorkbookResult(source=source, status="ok")
    annotations = []
    cards = []
    for sheet in grid.sheets:
        layout = locate_register(sheet, settings.specs)
        if layout is None:
            table = find_financial_table(sheet, settings.finance, source.name)
            if table is not None:
                result.sheets.append(SheetResult(name=sheet.title, kind="financial_table",
                                                 header_row=table.header_row, rows=table.rows,
                                                 records=table.records))
                result.findings.extend(table.findings)
            elif (card := check_scorecard(sheet, settings.config, source.name)) is not None:
                cards.append(card)
                result.sheets.append(SheetResult(name=sheet.title, kind="kpi_sheet",
                                                 header_row=card.header_row, rows=card.rows,
                                                 metadata=card.metadata, records=card.records))
            continue
        sheet_result, sheet_findings, sheet_annotations = _process_sheet(
            sheet, layout, settings, source.name)
        result.sheets.append(sheet_result)
        result.findings.extend(sheet_findings)
        annotations.append(sheet_annotations)
    result.findings.extend(sum_findings(cards, settings.specs.get("kpi_sheet"), source.name))
    if not result.sheets:
        result.status = "skipped"
        titles = [_in_sentence(spec.title) for spec in settings.specs.values()]
        titles.append("financial table")
        kinds = " or ".join([", ".join(titles[:-1]), titles[-1]] if len(titles) > 1 else titles)
        result.message = f"no {kinds} found (no sheet has a header row sheetsync recognises)"
    return result, annotations


def _write_copy(package: Package, grid: WorkbookGrid, result: WorkbookResult,
                annotations: list[SheetAnnotations], destination: Path) -> None:
    """The annotated copy: patched where the package allows, else through openpyxl with what
    that cannot keep reported as WB02 findings."""
    if is_strict(package):
        result.findings.append(_workbook_finding(
            result.source, "WB03", "The annotated copy could not be written: the workbook is saved "
                                   "as Strict Open XML, which neither writer can annotate. Its "
                                   "findings are in the reports; to get an annotated copy, save it "
                                   "in Excel as 'Excel Workbook (*.xlsx)'."))
        return
    summary = _rollup_table([r for s in result.sheets if s.kind == "action_plan" for r in s.records])
    reason = unpatchable_reason(package, grid)
    if reason is None:
        try:
            write_patched_copy(package, grid, result.findings, annotations, destination, summary)
        except OutputInUse as exc:
            _copy_left(result, exc)
            return
        except PatchUnsupported as exc:
            reason = str(exc)
        except Exception as exc:  # noqa: BLE001  (one bad file must never stop a run)
            reason = f"{type(exc).__name__}: {' '.join(str(exc).split())[:120]}"
        else:
            result.annotated = destination
            return
    _write_with_openpyxl(result, annotations, destination, summary, reason)


def _write_with_openpyxl(result: WorkbookResult, annotations: list[SheetAnnotations],
                         destination: Path, summary: list[list[Any]], reason: str) -> None:
    source = result.source
    predicted = losses.predicted_losses(source.path)
    kept = len(result.findings)
    for loss in predicted:
        result.findings.append(_loss_finding(source, loss, reason))
    try:
        wb = open_workbook(source.path)
        try:
            strip_annotations(wb)
            write_annotated_copy(wb, result.findings, annotations, destination, summary)
        finally:
            _release(wb)
    except OutputInUse as exc:
        del result.findings[kept:]  # (what a copy not written would have lost: nothing)
        _copy_left(result, exc)
        return
    except Exception as exc:  # noqa: BLE001  (one bad file must never stop a run)
        result.findings.append(_workbook_finding(
            source, "WB03", f"The annotated copy could not be written ({type(exc).__name__}: "
                            f"{' '.join(str(exc).split())[:120]})."))
        return
    result.annotated = destination
    for part in losses.unexplained_losses(source.path, destination, predicted):
        result.findings.append(_loss_finding(source, f"the package part {part}", reason))


def _process_sheet(sheet: SheetGrid, layout: Layout, settings: Settings, workbook: str
                   ) -> tuple[SheetResult, list[Finding], SheetAnnotations]:
    raw = read_register(sheet, layout)
    sheet.rows = []  # NOTE: read; what follows works from ``raw`` (memory for a large sheet)
    _settle_levels(raw, settings.config)
    frame, type_findings = coerce_sheet(raw, workbook)
    context = Context(spec=layout.spec, config=settings.config, as_of=settings.as_of,
                      scoring=None if raw.scoring is settings.config.scoring else raw.scoring)
    derived = derive_frame(frame, context)
    del frame  # derived is a copy with the derived columns added
    if raw.uncalculated:
        derived = _trust_product_formulas(raw, derived, context)
    check_findings = validate_frame(derived, raw, context, workbook)
    unreadable = {f.cell for f in type_findings}
    findings = header_findings(layout, workbook, sheet.title) + type_findings + [
        f for f in check_findings if f.cell not in unreadable]
    findings.sort(key=lambda f: (f.row or 0, f.cell or ""))
    result = SheetResult(name=sheet.title, kind=layout.kind, header_row=layout.header_row,
                         rows=len(derived), metadata=layout.metadata,
                         records=build_records(derived, raw.raw, layout.spec, settings.config,
                                               workbook, sheet.title))
    return result, findings, _derived_annotations(raw, derived, settings.config)


def _settle_levels(raw: RawSheet, config: Config) -> None:
    """Choose the scales the sheet's likelihood and impact are read on; a level column that
    holds descriptions is read as neither (it is left out, and ``inspect`` says so)."""
    levels = {name: raw.raw[name].tolist() for name in raw.raw.columns
              if raw.layout.spec.columns[name].type == "level"}
    if not levels:
        return
    raw.scoring, free_text = settle_scoring(raw.layout.columns, levels, config.scoring,
                                            config.word_scales)
    for name in free_text:
        raw.raw = raw.raw.drop(columns=name)
        ref = raw.layout.columns.pop(name)
        raw.layout.duplicates = [d for d in raw.layout.duplicates if d.name != name]
        raw.layout.notes.append(f"{ref.letter} '{ref.header}' holds descriptions, not levels: "
                                "not read as a scale")


def _trust_product_formulas(raw: RawSheet, derived: pd.DataFrame, context: Context) -> pd.DataFrame:
    """A score formula never calculated (``=E7*F7`` saved by a tool that does not calculate)
    that multiplies its own row's likelihood and impact holds the recomputed score."""
    layout = raw.layout
    for column, row in sorted(raw.uncalculated):
        spec = layout.spec.columns[column]
        if spec.measure != "score" or CALC + column not in derived:
            continue
        inputs = [layout.cell(f"{spec.assessment}_{m}", row) for m in ("likelihood", "impact")]
        formula = raw.formulas[(column, row)].replace("$", "").replace(" ", "").upper()
        if None not in inputs and formula in (f"={inputs[0]}*{inputs[1]}",
                                              f"={inputs[1]}*{inputs[0]}"):
            value: Any = derived.at[row, CALC + column]
            derived.at[row, column] = value
            raw.raw.at[row, column] = _cell_value(value)
            raw.uncalculated.discard((column, row))
    return derived


def _derived_annotations(raw: RawSheet, derived: pd.DataFrame, config: Config) -> SheetAnnotations:
    """Derived values to fill into blank cells, and derived columns the sheet lacks."""
    layout = raw.layout
    spec = layout.spec
    annotations = SheetAnnotations(sheet=raw.sheet, header_row=layout.header_row,
                                   after_column=layout.last_column)
    targets = [(c.name, c.label) for c in spec.columns.values() if c.derived]
    targets += [(name, label) for name, (label, _compute) in spec.derived.items()]
    for name, label in targets:
        calc = CALC + name
        if calc not in derived or derived[calc].isna().all():
            continue
        values = {int(row): _cell_value(v) for row, v in zip(derived.index, derived[calc], strict=True)
                  if not is_missing(v)}
        if name in layout.columns:
            letter = layout.columns[name].letter
            typed = dict(zip(raw.raw.index, raw.raw[name], strict=True))
            annotations.filled.update({
                f"{letter}{row}": value for row, value in values.items()
                if is_blank_cell(typed[row]) and (name, row) not in raw.formulas})
            continue
        words = {v for v in values.values() if isinstance(v, str)}
        colour_of = {word: colour for word in words if (colour := _status_colour(word, config))}
        colours = {row: colour_of[value] for row, value in values.items() if value in colour_of}
        annotations.added.append(AddedColumn(header=f"{label} (sheetsync)", values=values,
                                             colours=colours))
    return annotations


def _rollup_table(action_records: list[dict[str, Any]]) -> list[list[Any]]:
    """The action-plan rollup as rows for the annotated copy's Summary sheet (empty: none)."""
    if not action_records:
        return []
    rows: list[list[Any]] = [["Sheet", "Workstream", "Status", "Actions", "% of rated"]]
    for rollup in rollups(action_records):
        status = rollup["status"]
        rows.append([rollup["sheet"], rollup["group"],
                     f"{status} ({ACTION_CODES[status]})" if status in ACTION_CODES else "Unrated",
                     rollup["count"], rollup["percent"]])
    return rows


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


def _copy_left(result: WorkbookResult, exc: OutputInUse) -> None:
    """An annotated copy that could not be replaced (open in Excel): a warning on the run, not
    a finding on the officer's workbook; no link points at the old copy."""
    name = f"{ANNOTATED_DIR}/{result.source.name}"
    warning: dict[str, Any] = {"file": name, "message": f"{name} {exc.problem}"}
    if exc.user:
        warning["open_by"] = exc.user
    result.warnings.append(warning)
    result.annotated = None


def _workbook_finding(source: Source, rule: str, message: str) -> Finding:
    return Finding(workbook=source.name, sheet=None, cell=None, row=None, column=None, ref=None,
                   value=None, rule=rule, severity=STRUCTURAL_RULES[rule].severity, message=message)


def _loss_finding(source: Source, what: str, reason: str) -> Finding:
    return _workbook_finding(
        source, "WB02", f"The annotated copy cannot keep {what} from this workbook (sheetsync had "
                        f"to rebuild the copy rather than add to it: {reason}); the original is "
                        "unchanged, so use the annotated copy only to read the findings.")
