"""Workbooks an administrator opens as they are: a plain-English summary sheet, tables
with a bold frozen header, filters, real dates, formulas written as text, byte-stable."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook, load_workbook

from jags.workbook import WIDEST, summary_sheet, table_sheet, workbook_bytes

ON = date(2026, 11, 23)


def _book() -> bytes:
    book = Workbook(write_only=True)
    summary_sheet(book, "Batch of Mon 23 Nov 2026", [("Requests", 3), ("Waiting", 1)])
    table_sheet(
        book,
        "Requests",
        ("request_id", "allocate_by", "note"),
        [("R-1", date(2026, 11, 25), '=HYPERLINK("http://x")'), ("R-2", None, "x" * 200)],
    )
    return workbook_bytes(book, ON)


def test_sheets_read_back_as_an_administrator_sees_them() -> None:
    book = load_workbook(io.BytesIO(_book()))
    assert book.sheetnames == ["Summary", "Requests"]
    summary = [tuple(r) for r in book["Summary"].iter_rows(values_only=True)]
    assert summary[0][0] == "Batch of Mon 23 Nov 2026"
    assert ("Requests", 3) in summary and ("Waiting", 1) in summary
    sheet = book["Requests"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:C3"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet["B2"].value == datetime(2026, 11, 25) and sheet["B2"].is_date
    assert sheet["C2"].data_type == "s" and sheet["C2"].value.startswith("=HYPERLINK")
    assert sheet.column_dimensions["C"].width == WIDEST
    assert book.properties.created == datetime(2026, 11, 23)


def test_the_same_rows_give_the_same_bytes() -> None:
    assert _book() == _book()
