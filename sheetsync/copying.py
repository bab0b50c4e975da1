"""The annotated copy of one checked workbook: patched into the original package where it can
be, else rebuilt through openpyxl with what that cannot keep reported (WB02); an output open
in Excel is a warning on the run, never a finding on the officer's workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sheetsync.files import OutputInUse
from sheetsync.findings import STRUCTURAL_RULES, Finding
from sheetsync.read.discover import Source
from sheetsync.read.grid import WorkbookGrid
from sheetsync.read.package import Package, is_strict
from sheetsync.read.workbook import open_workbook
from sheetsync.report.record_fields import rollups
from sheetsync.results import ANNOTATED_DIR, WorkbookResult
from sheetsync.rules.performance import ACTION_CODES
from sheetsync.write import losses
from sheetsync.write.annotate import SheetAnnotations, strip_annotations, write_annotated_copy
from sheetsync.write.patch import PatchUnsupported, unpatchable_reason, write_patched_copy


def write_copy(package: Package, grid: WorkbookGrid, result: WorkbookResult,
                annotations: list[SheetAnnotations], destination: Path) -> None:
    """The annotated copy: patched where the package allows, else through openpyxl with what
    that cannot keep reported as WB02 findings."""
    if is_strict(package):
        result.findings.append(workbook_finding(
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
        result.findings.append(workbook_finding(
            source, "WB03", f"The annotated copy could not be written ({type(exc).__name__}: "
                            f"{' '.join(str(exc).split())[:120]})."))
        return
    result.annotated = destination
    for part in losses.unexplained_losses(source.path, destination, predicted):
        result.findings.append(_loss_finding(source, f"the package part {part}", reason))


def _release(wb: Any) -> None:
    """Close the in-memory package openpyxl keeps for a macro workbook's VBA parts."""
    archive = getattr(wb, "vba_archive", None)
    if archive is not None:
        archive.close()


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


def _copy_left(result: WorkbookResult, exc: OutputInUse) -> None:
    """An annotated copy that could not be replaced (open in Excel): a warning on the run, not
    a finding on the officer's workbook; no link points at the old copy."""
    name = f"{ANNOTATED_DIR}/{result.source.name}"
    warning: dict[str, Any] = {"file": name, "message": f"{name} {exc.problem}"}
    if exc.user:
        warning["open_by"] = exc.user
    result.warnings.append(warning)
    result.annotated = None


def workbook_finding(source: Source, rule: str, message: str) -> Finding:
    return Finding(workbook=source.name, sheet=None, cell=None, row=None, column=None, ref=None,
                   value=None, rule=rule, severity=STRUCTURAL_RULES[rule].severity, message=message)


def _loss_finding(source: Source, what: str, reason: str) -> Finding:
    return workbook_finding(
        source, "WB02", f"The annotated copy cannot keep {what} from this workbook (sheetsync had "
                        f"to rebuild the copy rather than add to it: {reason}); the original is "
                        "unchanged, so use the annotated copy only to read the findings.")
