"""The summary's Escalations sheet: candidates for the corporate risk register (and those
already on it), the risks beyond appetite, and those above appetite whose score is not moving."""

from __future__ import annotations

from typing import Any

from xlsxwriter.worksheet import Worksheet

from sheetsync.report.governance import ESCALATED
from sheetsync.report.summary_cells import Formats, print_setup, set_widths, source_of, write_table
from sheetsync.report.summary_data import SummaryData


def escalations_sheet(ws: Worksheet, data: SummaryData, formats: Formats) -> None:
    config, governance = data.config, data.governance
    rules = config.governance.escalation
    band = config.band_for(rules.from_score)
    level = f"{rules.from_score} or more" + (
        f" (the {band.name} band)" if band is not None and band.start == rules.from_score else "")
    risks = data.records["risk_register"]
    ws.write_string(0, 0, f"Escalations and risk appetite - {data.quarter.label}", formats.title)
    ws.write_string(1, 0, f"Risks in service and programme registers with a residual score of "
                          f"{level} are candidates for the corporate risk register; those "
                          f"already on a corporate register are shown as escalated.",
                    formats.note)
    ws.write_string(3, 0, "Escalations", formats.subtitle)
    rows = [[e.record.get("ref"), e.record.get("description"), e.record.get("owner"),
             e.record.get("workstream"), e.record.get("residual_score"),
             e.record.get("residual_rating"), e.status, _corporate(e.corporate) if e.status ==
             ESCALATED else None, source_of(e.record)] for e in governance.escalations]
    row = write_table(ws, 4, ["Ref", "Risk", "Owner", "Workstream", "Score", "Rating",
                              "Escalation", "On the corporate register", "Source"], rows,
                      formats, status_cols=(5,), autofilter=True)

    ws.write_string(row, 0, "Beyond appetite (residual score above the risk's appetite)",
                    formats.subtitle)
    beyond = sorted((r for r in risks if r.get("within_appetite") == "No"),
                    key=lambda r: (-(r.get("residual_score") or 0), r["workbook"],
                                   str(r.get("ref") or "")))
    row = write_table(ws, row + 1, ["Ref", "Risk", "Owner", "Workstream", "Score", "Rating",
                                    "Appetite (at most)", "Target score", "Source"],
                      [[r.get("ref"), r.get("description"), r.get("owner"), r.get("workstream"),
                        r.get("residual_score"), r.get("residual_rating"), r.get("appetite"),
                        r.get("target_score"), source_of(r)] for r in beyond],
                      formats, status_cols=(5,))

    quarters = governance.stalled_quarters
    ws.write_string(row, 0, f"Above appetite and not moving: the same residual score for "
                            f"{quarters} quarters or more", formats.subtitle)
    if not governance.quarters:
        ws.write_string(row + 1, 0, "Needs the run history of earlier quarters (sheetsync run "
                                    "keeps it; give it to summary with --history).",
                        formats.note)
        row += 3
    else:
        row = write_table(ws, row + 1, ["Ref", "Risk", "Owner", "Score", "Appetite (at most)",
                                        "Quarters at this score", "Source",
                                        *governance.quarters],
                          [[r.get("ref"), r.get("description"), r.get("owner"),
                            r.get("residual_score"), r.get("appetite"), count, source_of(r),
                            *governance.trend(r)]
                           for r, count in governance.stalled(risks)], formats)
    set_widths(ws, (16, 40, 16, 14, 8, 9, 12, 30, 52))
    print_setup(ws, data)


def _corporate(record: Any) -> str | None:
    if not isinstance(record, dict):
        return None
    ref = record.get("ref")
    return f"{ref} in {source_of(record)}" if ref else source_of(record)
