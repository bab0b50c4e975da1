"""The tidy records' fields and files, and the action rollups made from them: what the
reporters need, kept apart from ``records`` (which builds records from pandas frames)."""

from __future__ import annotations

from typing import Any

from sheetsync.rules.performance import ACTION_CODES

RISK_FIELDS = (
    "workbook", "sheet", "row", "ref", "description", "owner", "workstream", "status",
    "inherent_likelihood", "inherent_impact", "inherent_score", "inherent_rating",
    "residual_likelihood", "residual_impact", "residual_score", "residual_rating",
    "target_likelihood", "target_impact", "target_score", "target_rating",
    "review_date", "target_date", "owner_email",
    "causes", "controls", "actions", "appetite", "within_appetite", "exempt",
)
ISSUE_FIELDS = (
    "workbook", "sheet", "row", "ref", "description", "owner", "date_logged", "priority",
    "status", "target_date", "resolution_date", "age_days", "overdue", "owner_email",
)
KPI_FIELDS = (
    "workbook", "sheet", "row", "kpi", "service", "service_area", "target", "target_value", "unit",
    "polarity", "actual_value", "status", "direction", "comment",
)
ACTION_FIELDS = ("workbook", "sheet", "row", "ref", "group", "status", "target_date", "overdue",
                 "action", "lead", "owner_email")
#: A RAID log's assumptions, dependencies and other entries (its risks and issues are risk and
#: issue records).
RAID_FIELDS = ("workbook", "sheet", "row", "ref", "type", "description", "owner", "status",
               "date_raised", "target_date", "closed_date", "actions")
FINANCE_FIELDS = ("workbook", "sheet", "row", "cell", "line", "column", "amount")
FIELDS = {"risk_register": RISK_FIELDS, "issues_log": ISSUE_FIELDS, "kpi_sheet": KPI_FIELDS,
          "action_plan": ACTION_FIELDS, "financial_table": FINANCE_FIELDS, "raid_log": RAID_FIELDS}
RECORD_FILES = {"risk_register": "risks.csv", "issues_log": "issues.csv", "kpi_sheet": "kpis.csv",
                "action_plan": "actions.csv", "financial_table": "finance.csv", "raid_log": "raid.csv"}
STATUS_ORDER = tuple(ACTION_CODES)
ROLLUP_FIELDS = ("workbook", "sheet", "group", "status", "count", "percent")


def rollups(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Counts and shares of actions by status, per group and overall, per sheet.

    As committee tables show them ("on track: 13, 100%, G"): percentages are of the rated
    actions; actions with no recognised status are counted separately as "unrated".
    """
    by_sheet: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in records:
        by_sheet.setdefault((record["workbook"], record["sheet"]), []).append(record)
    rows = []
    for (workbook, sheet), sheet_records in by_sheet.items():
        groups = sorted({str(r["group"]) for r in sheet_records if r.get("group")})
        for group in [*groups, "All"]:
            members = [r for r in sheet_records if group == "All" or str(r.get("group")) == group]
            rated = [r for r in members if r["status"] in STATUS_ORDER]
            for status in [*STATUS_ORDER, "unrated"]:
                count = (sum(1 for r in rated if r["status"] == status) if status != "unrated"
                         else len(members) - len(rated))
                share = round(100 * count / len(rated), 1) if rated and status != "unrated" else None
                rows.append({"workbook": workbook, "sheet": sheet, "group": group, "status": status,
                             "count": count, "percent": share})
    return rows
