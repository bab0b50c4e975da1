"""Add a register sheet to an existing workbook at the zip level, touching nothing else.

Used to put a register beside whatever Excel saved (charts, shapes, macros) without passing the
workbook through openpyxl first.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

SHEET_NAME = "Register"


def add_register_sheet(source: Path, destination: Path, rows: list[list[Any]]) -> Path:
    with zipfile.ZipFile(source) as package:
        parts = {info.filename: package.read(info.filename) for info in package.infolist()}
    numbers = [int(found[0]) for name in parts
               if (found := re.findall(r"^xl/worksheets/sheet(\d+)\.xml$", name))]
    sheet_number = max(numbers, default=0) + 1
    sheet_part = f"xl/worksheets/sheet{sheet_number}.xml"
    parts[sheet_part] = _sheet_xml(rows)

    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    rel_ids = [int(n) for n in re.findall(r'Id="rId(\d+)"', rels)]
    rel_id = f"rId{max(rel_ids, default=0) + 1}"
    rels = rels.replace("</Relationships>", (
        f'<Relationship Id="{rel_id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/worksheet" Target="worksheets/sheet{sheet_number}.xml"/></Relationships>'))
    parts["xl/_rels/workbook.xml.rels"] = rels.encode("utf-8")

    workbook = parts["xl/workbook.xml"].decode("utf-8")
    sheet_ids = [int(n) for n in re.findall(r'<sheet [^>]*sheetId="(\d+)"', workbook)]
    workbook = re.sub(r"</sheets>", (
        f'<sheet name="{SHEET_NAME}" sheetId="{max(sheet_ids, default=0) + 1}" '
        f'r:id="{rel_id}"/></sheets>'), workbook, count=1)
    if 'xmlns:r="' not in workbook:
        workbook = workbook.replace("<workbook ", '<workbook xmlns:r="http://schemas.openxmlformats.org/'
                                    'officeDocument/2006/relationships" ', 1)
    parts["xl/workbook.xml"] = workbook.encode("utf-8")

    types = parts["[Content_Types].xml"].decode("utf-8")
    types = types.replace("</Types>", (
        f'<Override PartName="/{sheet_part}" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>'))
    parts["[Content_Types].xml"] = types.encode("utf-8")

    destination.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return destination


def _sheet_xml(rows: list[list[Any]]) -> bytes:
    body = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row, start=1):
            ref = f"{get_column_letter(c)}{r}"
            if value is None:
                continue
            if isinstance(value, (int, float)):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
        body.append(f'<row r="{r}">{"".join(cells)}</row>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<sheetData>{"".join(body)}</sheetData></worksheet>').encode()


def add_signature_part(source: Path) -> Path:
    """Give ``source`` the part a digitally signed package has, so it must not be patched."""
    with zipfile.ZipFile(source) as package:
        parts = {info.filename: package.read(info.filename) for info in package.infolist()}
    types = parts["[Content_Types].xml"].decode("utf-8").replace("</Types>", (
        '<Default Extension="sigs" ContentType="application/vnd.openxmlformats-package.'
        'digital-signature-origin"/></Types>'))
    parts["[Content_Types].xml"] = types.encode("utf-8")
    parts["_xmlsignatures/origin.sigs"] = b""
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return source


def add_rows_to_sheet(source: Path, destination: Path, rows: list[list[Any]], first_row: int,
                      sheet_part: str = "xl/worksheets/sheet1.xml") -> Path:
    """Put ``rows`` into an existing sheet from ``first_row`` down, below what it holds."""
    with zipfile.ZipFile(source) as package:
        parts = {info.filename: package.read(info.filename) for info in package.infolist()}
    body = re.search(rb"<sheetData>(.*)</sheetData>", _sheet_xml(rows), re.DOTALL).group(1)
    body = re.sub(rb'(<row r="|<c r="[A-Z]+)(\d+)"',
                  lambda m: m.group(1) + str(int(m.group(2)) + first_row - 1).encode() + b'"', body)
    parts[sheet_part] = parts[sheet_part].replace(b"</sheetData>", body + b"</sheetData>", 1)
    destination.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return destination
