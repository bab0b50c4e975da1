"""Example workbooks for ``sheetsync demo``: realistic registers with typical mistakes planted.

Laid out as officers keep them (the seed reports in the shared reference): a programme risk
register with title rows and an issues log beside it, and a corporate register with grouped
two-row headers. Each planted mistake is listed in ``PLANTED`` so tests can hold the demo to it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import xlsxwriter
from openpyxl.styles import Alignment, Font, PatternFill

PROGRAMME = "programme-risk-register.xlsx"
CORPORATE = "corporate-risk-register.xlsx"
PERFORMANCE = "quarterly-performance.xlsx"

#: (workbook, sheet, cell, rule, severity) for every mistake the demo plants.
PLANTED = (
    (PROGRAMME, "Risk Register", "G7", "RR05", "error"),  # 5 x 4 stored as 15
    (PROGRAMME, "Risk Register", "A8", "RR02", "error"),  # R7 used twice
    (PROGRAMME, "Risk Register", "E9", "RR03", "error"),  # impact 6 on a 5x5 matrix
    (PROGRAMME, "Risk Register", "I10", "RR09", "error"),  # no risk owner
    (PROGRAMME, "Risk Register", "L10", "RR07", "warning"),  # revised above initial
    (PROGRAMME, "Risk Register", "M11", "RR11", "warning"),  # reviewed over 3 months ago
    (PROGRAMME, "Risk Register", "M12", "TY02", "error"),  # 31.02.22 is not a date
    (PROGRAMME, "Issues Log", "E7", "IL05", "error"),  # priority "Urgent"
    (PROGRAMME, "Issues Log", "B8", "IL04", "error"),  # logged in the future
    (PROGRAMME, "Issues Log", "H9", "IL07", "error"),  # target before logged
    (PROGRAMME, "Issues Log", "H10", "IL08", "warning"),  # open and overdue
    (CORPORATE, "Corporate Risks", "K6", "RR06", "error"),  # score 12 rated Green
    (CORPORATE, "Corporate Risks", "I7", "RR04", "error"),  # likelihood without impact
    (CORPORATE, "Corporate Risks", "N8", "RR08", "warning"),  # target above residual
    (CORPORATE, "Corporate Risks", "C9", "RR09", "error"),  # no owner
    (PERFORMANCE, "Operational KPIs", "H6", "KP06", "error"),  # 90% of 97% rated Amber: it is Red
    (PERFORMANCE, "Operational KPIs", "I6", "KP07", "warning"),  # Red without commentary
    (PERFORMANCE, "Operational KPIs", "D8", "KP02", "warning"),  # two targets in one cell
    (PERFORMANCE, "Operational KPIs", "E9", "KP05", "warning"),  # target but no actual
    (PERFORMANCE, "Improvement Plan", "G6", "AP02", "warning"),  # overdue
    (PERFORMANCE, "Improvement Plan", "H7", "AP01", "error"),  # status "Purple"
    (PERFORMANCE, "Savings", "E8", "FN01", "error"),  # row total typed wrong
)


def write_demo_workbooks(folder: Path) -> list[Path]:
    """Write the example workbooks into ``folder`` and return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    return [_programme_register(folder / PROGRAMME), _corporate_register(folder / CORPORATE),
            _performance_report(folder / PERFORMANCE)]


def _programme_register(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.worksheets[0]  # a new workbook's one (active) sheet
    ws.title = "Risk Register"
    ws["A1"] = "Project Name: #OneTeam Transformation Programme"
    ws["A2"] = "Version Date: 16.01.23"
    ws["A1"].font = Font(bold=True, size=14)
    headers = ["No.", "Programme/ Workstream", "Description of Risk", "Potential Impact",
               "Impact", "Likelihood", "Initial Risk Score", "Mitigating Actions", "Risk Owner",
               "Revised Impact", "Revised Likelihood", "Revised Risk Score", "Last reviewed",
               "Notes"]
    ws.append([])
    ws.append([])
    ws.append(headers)
    header_fill = PatternFill("solid", fgColor="1F4E78")
    for cell in ws[5]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    rows = [
        ["R4", "Programme", "The Programme is under resourced", "Benefits not realised",
         5, 4, 20, "External specialists commissioned", "SRO", 3, 2, 6,
         dt.date(2023, 1, 16), "HR & Comms reviews moving to delivery"],
        ["R7", "Comms and Engagement", "Lack of understanding of the programme",
         "Engagement opportunities missed", 5, 4, 15, "Communications plan in place", "C&E WL",
         3, 3, 9, "16.01.23", "Ongoing"],
        ["R7", "Programme", "Programme not delivered due to skill set issues",
         "Slippage; staff morale", 5, 3, 15, "Resource planning in place", "HR & WD WL", 3, 2, 6,
         "12/01/2023", None],
        ["R11", "Programme", "Failure to engage key stakeholders", "Deterioration in relations",
         6, 3, 18, "Stakeholder map agreed", "SRO", 2, 3, 6, "7 Jan 2023", None],
        ["R19", "Comms and Engagement", "Recruitment into revised roles is difficult",
         "Delays to restructure", 2, 2, 4, "Market supplements considered", None, 3, 3, 9,
         dt.date(2023, 1, 10), None],
        ["R23", "Programme", "Impact of Tier 3 review and vacant posts",
         "Milestones missed", 5, 4, 20, "Interim arrangements in place", "SRO", 3, 3, 9,
         "12.07.22", "Position to be assessed"],
        ["R24", "Finance", "Finance function under resourced", "Service reviews delayed",
         5, 4, 20, "Temporary resourcing", "SRO", 3, 3, 9, "31.02.22", None],
    ]
    for row in rows:
        ws.append(row)
    ws.append([])
    ws.append(["Definitions"])
    ws.append(["Impact", "Likelihood"])
    ws.append([1, "Negligible", "Unlikely"])
    for column, width in zip("ABCDEFGHIJKLMN", (6, 20, 36, 28, 8, 10, 10, 34, 12, 9, 10, 10, 13,
                                                 30), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "C6"

    issues = wb.create_sheet("Issues Log")
    issues["A1"] = "Project Name: #OneTeam Transformation Programme"
    issues["A2"] = "Version Date: 16.01.23"
    issues.append([])
    issues.append([])
    issues.append(["Ref", "Date Logged", "Issue", "Impact", "Priority", "Action(s)", "Status",
                   "Target date", "Update & Date"])
    for cell in issues[5]:
        cell.font = Font(bold=True)
    issue_rows = [
        ["I1", "24.02.22", "Clarity on shared principles for Phase 2 reviews",
         "Delay to start of Phase 2", "Critical", "JS working with Members", "Open",
         "30.04.23", "16.01.23 - alignment review under way"],
        ["I2", "24.02.22", "Lack of key programme resources", "Loss of momentum", "Urgent",
         "Commission external resources", "In progress", "30.06.23", None],
        ["I3", "14.04.23", "Finance information not available", "Business cases delayed",
         "high", "Extra resource to be considered", "Open", "30.06.23", None],
        ["I4", "01.11.22", "ICT contract ends before new service live", "Service gap",
         "Medium", "Extension being negotiated", "Closed", "01.10.22", None],
        ["I5", "01.09.22", "HR policies not aligned", "Staff uncertainty", "low",
         "Harmonise policies", "Open", "31.12.22", "Awaiting union response"],
    ]
    for issue in issue_rows:
        issues.append(issue)
    issues.column_dimensions["C"].width = 40
    wb.save(path)
    return path


def _corporate_register(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    ws = book.add_worksheet("Corporate Risks")
    title = book.add_format({"bold": True, "font_size": 14})
    group = book.add_format({"bold": True, "align": "center", "border": 1, "bg_color": "#DDEBF7"})
    head = book.add_format({"bold": True, "text_wrap": True, "border": 1, "valign": "top"})
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    ws.merge_range("A1:N1", "Corporate Risk Register - Quarter 3 2022/23", title)
    ws.write("A2", "Owner: Corporate Leadership Team")
    ws.merge_range("A3:A4", "Risk ID", head)
    ws.merge_range("B3:B4", "Risk", head)
    ws.merge_range("C3:C4", "Risk owner", head)
    ws.merge_range("D3:F3", "Inherent risk", group)
    ws.merge_range("G3:G4", "Existing controls", head)
    ws.merge_range("H3:K3", "Residual risk", group)
    ws.merge_range("L3:N3", "Target risk", group)
    ws.merge_range("O3:O4", "Date reviewed", head)
    for col, text in zip("DEFHIJKLMN", ("Likelihood", "Impact", "Score", "Likelihood", "Impact",
                                         "Score", "Rating", "Likelihood", "Impact", "Score"),
                         strict=True):
        ws.write(f"{col}4", text, head)
    risks = [
        ("CR01", "Failure to set a balanced budget", "Chief Finance Officer", 4, 5, 4, 4, "Red",
         3, 3, "05/01/2023"),
        ("CR02", "Cyber attack disrupts services", "Director of Digital", 5, 5, 3, 4, "Green",
         2, 4, "12/01/2023"),
        ("CR03", "Workforce capacity in social care", "Director of People", 4, 4, 3, None,
         "Amber", 2, 3, "20/01/2023"),
        ("CR04", "Climate adaptation not planned", "Director of Place", 3, 4, 2, 2, "Green", 3,
         2, "10/01/2023"),
        ("CR05", "Major contract supplier fails", None, 3, 3, 2, 3, "Amber", 1, 3,
         "15/01/2023"),
    ]
    for offset, risk in enumerate(risks):
        row = 5 + offset
        ref, text, owner, il, ii, rl, ri, rating, tl, ti, reviewed = risk
        ws.write_string(f"A{row}", ref)
        ws.write_string(f"B{row}", text)
        if owner:
            ws.write_string(f"C{row}", owner)
        ws.write_number(f"D{row}", il)
        ws.write_number(f"E{row}", ii)
        ws.write_formula(f"F{row}", f"=D{row}*E{row}", None, il * ii)
        ws.write_string(f"G{row}", "Controls documented in service plan")
        ws.write_number(f"H{row}", rl)
        if ri is not None:
            ws.write_number(f"I{row}", ri)
            ws.write_formula(f"J{row}", f"=H{row}*I{row}", None, rl * ri)
        ws.write_string(f"K{row}", rating)
        ws.write_number(f"L{row}", tl)
        ws.write_number(f"M{row}", ti)
        day, month, year = (int(p) for p in reviewed.split("/"))
        ws.write_datetime(f"O{row}", dt.datetime(year, month, day), date)
    ws.write_formula("N8", "=L8*M8", None, 6)
    ws.set_column("B:B", 36)
    ws.set_column("C:C", 22)
    ws.set_column("G:G", 30)
    ws.set_column("O:O", 12)
    ws.freeze_panes(4, 2)
    book.close()
    return path


def _performance_report(path: Path) -> Path:
    """A quarterly pack: operational KPIs, an improvement-plan tracker and a savings table."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    bold = book.add_format({"bold": True, "text_wrap": True, "bg_color": "#DDEBF7", "border": 1})
    title = book.add_format({"bold": True, "font_size": 14})
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    kpis = book.add_worksheet("Operational KPIs")
    kpis.write("A1", "Operational Indicators - Quarter 3 2022/23", title)
    kpis.write_row("A3", ["Service", "Service Area", "KPI", "2022/23 Target", "Q3 Actual",
                          "Last quarter", "Good performance is", "RAG", "Commentary"], bold)
    rows = [
        ["ICT", "ICT", "% of system availability", "99.50%", "99.7%", "99.2%", "High", "G", None],
        ["HR", "HR&OD", "Average time taken for Job Evaluations", "5 days", "5 days", "6 days",
         "Low", "G", None],
        ["Exchequer", "Council Tax", "Percentage of Council Tax collected", "97.00%", "90%",
         "93%", None, "Amber", None],
        ["FM", "FM", "Service charge income forecast/actual", "TBD", "£12,000", None, None, None,
         None],
        ["Exchequer", "NNDR", "% of National Non-Domestic Rates collected",
         "98.70% (LBH) 99.6% (LBN)", "98.9%", None, None, None, None],
        ["Benefits", "Housing Benefits", "Average no. of days for new claims", "<20 days", None,
         "21 days", None, None, None],
        ["Transport", "Transport", "Gross external income", "£1.0m", "£0.97m", "£0.9m", None,
         "A", "Two contracts delayed to July"],
    ]
    for offset, row in enumerate(rows):
        kpis.write_row(3 + offset, 0, row)
    kpis.set_column("C:C", 44)
    kpis.set_column("I:I", 30)

    plan = book.add_worksheet("Improvement Plan")
    plan.write("A1", "Improvement Plan Monitoring - Quarter 3: October to December 2022", title)
    plan.write_row("A3", ["IP Ref", "Partner", "Delivery Objectives", "Outcome", "Workstream",
                          "Lead", "Target Date", "Status", "Progress Comments"], bold)
    # ref, partner, objective, outcome, workstream, lead, target date, status, comments
    actions: list[tuple[str, str, str, str, str, str, tuple[int, int, int], str, str | None]] = [
        ("IP18", "ALL", "Finance transformation", "Improved control", "Finance", "Director of Finance",
         (2023, 6, 30), "G", "On track"),
        ("IP19", "LBB", "Implement Oracle Cloud", "New systems", "Finance", "Director of Finance",
         (2023, 12, 31), "A", "Awaiting decision"),
        ("IP29", "LBH/LBN", "Review HR operating model", "Better HR service", "HROD",
         "Director of HROD", (2023, 2, 28), "A", "Director appointed"),
        ("IP30", "LBN", "People Strategy", "Strategy agreed", "HROD", "Director of HROD",
         (2023, 10, 31), "Purple", None),
        ("IP37", "LBH/LBN", "Restructure ICT", "Aligned service", "ICT", "Director of ICT",
         (2023, 1, 31), "Completed", "Done"),
    ]
    for offset, action in enumerate(actions):
        plan.write_row(3 + offset, 0, action[:6])
        plan.write_datetime(3 + offset, 6, dt.datetime(*action[6]), date)
        plan.write_row(3 + offset, 7, action[7:])
    plan.set_column("C:C", 30)

    savings = book.add_worksheet("Savings")
    savings.write("A1", "Table 1: Shared 2022/23 savings per authority", title)
    savings.write_row("A3", ["22/23 Savings", "Havering", "Newham", "Bexley", "Total"], bold)
    lines: list[list[str | int | None]] = [
        ["oneSource Reduction in oneSource support", -100000, -150000, None, -250000],
        ["oneSource Investment in ICT and automations", -100000, -212000, None, -312000],
        ["oneSource General Efficiency", -125000, -125000, None, -250000],
        ["Sale of oneSource services", -64000, None, None, -64000],
        ["Enforcement Income", -67000, None, None, -76000],
        ["TOTAL", -456000, -487000, None, -943000],
        ["%", "48%", "52%", "0%", None],
    ]
    money = book.add_format({"num_format": "#,##0;(#,##0)"})
    for offset, line in enumerate(lines):
        savings.write(3 + offset, 0, line[0])
        for col, value in enumerate(line[1:], start=1):
            if isinstance(value, int):
                savings.write_number(3 + offset, col, value, money)
            elif value is not None:
                savings.write_string(3 + offset, col, value)
    savings.set_column("A:A", 44)
    book.close()
    return path
