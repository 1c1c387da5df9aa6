"""Tests for jags.workspace_files: CSV files and workbook sheets as rows of text, and files
that cannot be read (through read_workspace, which names the file or sheet at fault)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import openpyxl
import pytest
from workspace_helpers import FACILITATORS, TABLES, read_error, with_table, write_folder

from jags.workspace import read_workspace

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path


# CSV files ---------------------------------------------------------------------


def test_bom_header_case_and_blank_lines(tmp_path: Path) -> None:
    requests = (
        "\ufeffRequest_ID , RECEIVED_AT,requester_name,requester_email,"
        "requester_organisation,case_ref\r\n\r\nR1,2026-07-01 14:05,C,c@x.example,Org,K1\r\n"
    )
    ws = read_workspace(
        write_folder(tmp_path, {"facilitators": FACILITATORS, "requests": requests})
    )
    assert [r.request_id for r in ws.requests] == ["R1"]


@pytest.mark.parametrize(
    "garbage",
    [
        bytes(range(256)) * 4,  # not UTF-8
        b"request_id\x00\x01\x02\x03",  # UTF-8, but binary
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb5U0#\xf4",  # an .xlsx renamed
    ],
)
def test_binary_garbage_is_an_error_not_a_traceback(tmp_path: Path, garbage: bytes) -> None:
    error = read_error(write_folder(tmp_path, with_table(requests=garbage)))
    [problem] = error.problems
    assert problem.file == "requests.csv"
    assert problem.row is None
    assert "not" in problem.message


def test_bad_quoting_and_empty_file(tmp_path: Path) -> None:
    leave = 'facilitator_id,start,end\nF1,"2026-08-01"x,2026-08-02\n'
    error = read_error(write_folder(tmp_path, with_table(leave=leave, organisations="")))
    assert [str(p) for p in error.problems] == [
        "leave.csv: file is not valid CSV near line 2 (',' expected after '\"')",
        "organisations.csv: file is empty (no header row)",
    ]


# Workbook ---------------------------------------------------------------------


def write_workbook(path: Path, sheets: Mapping[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def csv_rows(text: str) -> list[list[object]]:
    rows: list[list[object]] = [[*line.split(",")] for line in text.splitlines()]
    return rows


def test_workbook_equals_csv_folder(tmp_path: Path) -> None:
    sheets = {name: csv_rows(text) for name, text in TABLES.items()}
    # Typed cells, as Excel stores them.
    sheets["facilitators"][1][6:11] = [datetime(2026, 4, 3), date(2028, 4, 3), 3.0, 1, True]
    sheets["facilitators"][1][12] = True
    sheets["facilitators"][2][10] = False
    sheets["requests"][1][1] = datetime(2026, 7, 1, 14, 5)
    sheets["requests"][2][1] = datetime(2026, 11, 20, 9, 30)
    sheets["leave"][1][1:3] = [date(2026, 8, 1), datetime(2026, 8, 5)]
    sheets["requests"].append([None] * 13)  # trailing empty row
    book = write_workbook(tmp_path / "ws.xlsx", sheets)
    assert read_workspace(book) == read_workspace(write_folder(tmp_path / "ws", TABLES))


def test_workbook_errors_name_the_sheet(tmp_path: Path) -> None:
    sheets = {name: csv_rows(TABLES[name]) for name in ("requests", "leave")}
    sheets["requests"][2][1] = "31/02/2026"
    error = read_error(write_workbook(tmp_path / "book.xlsx", sheets))
    assert [str(p) for p in error.problems] == [
        "book.xlsx[facilitators]: sheet not found",
        "book.xlsx[requests], row 3, column received_at: value is not a valid date-time",
    ]


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip \x00\xff")
    assert str(read_error(path)) == "book.xlsx: file is not a valid .xlsx workbook"
    other = tmp_path / "book.ods"
    other.write_bytes(b"x")
    assert "folder of CSV files or one .xlsx" in str(read_error(other))
    assert str(read_error(tmp_path / "nowhere")) == "nowhere: workspace not found"


def test_a_workbook_with_hostile_cells_is_refused_the_same_way(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, text in TABLES.items():
        sheet = book.create_sheet(name)
        for line in text.splitlines():
            sheet.append(line.split(","))
    book["requests"]["A2"] = "../../x"
    book["participants"]["B2"] = "Gail\nHunt"
    book["facilitators"]["I2"] = 10**40
    path = tmp_path / "book.xlsx"
    book.save(path)
    error = read_error(path)
    assert [(p.file, p.row, p.column) for p in error.problems] == [
        ("book.xlsx[facilitators]", 2, "max_open"),
        ("book.xlsx[requests]", 2, "request_id"),
        ("book.xlsx[participants]", 2, "name"),
        ("book.xlsx[participants]", 3, "request_id"),  # R1 is no longer there
    ]
