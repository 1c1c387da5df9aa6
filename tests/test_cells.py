"""Tests for jags.cells: safe ids, text checks, limits, and what a message may repeat."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jags.cells import (
    FIRST_YEAR,
    LAST_YEAR,
    LONDON,
    MAX_FREE_TEXT,
    MAX_LINE,
    free_text,
    is_id,
    one_line,
    parse_bool,
    parse_cell,
    parse_date,
    parse_datetime,
    parse_email,
    parse_emails,
    parse_id,
    parse_int,
    parse_list,
    shown,
)

HOSTILE_IDS = [
    "a/b",
    "../../x",
    "..",
    ".hidden",
    "-R1",
    "=cmd",
    "+1",
    "@x",
    "R 1",
    "R\n1",
    "Jayden Smith (DOB 01/02/2015)",
    "x" * 65,
    "",
    "R-1\x00",
    "Ŕ-1",
]


@pytest.mark.parametrize("text", ["R-0001", "F001", "H-0053", "a", "1.2_3-x", "x" * 64])
def test_safe_ids(text: str) -> None:
    assert is_id(text)
    assert parse_id(text) == text


@pytest.mark.parametrize("text", HOSTILE_IDS)
def test_unsafe_ids_are_refused_without_repeating_them(text: str) -> None:
    assert not is_id(text)
    with pytest.raises(ValueError, match="is not a valid id") as error:
        parse_id(text)
    assert text not in str(error.value) or not text


@given(st.text())
def test_every_id_is_safe_as_a_file_name(text: str) -> None:
    if is_id(text):
        assert "/" not in text and "\\" not in text and not text.startswith((".", "-"))
        assert text.isascii() and text.isprintable() and len(text) <= 64


@pytest.mark.parametrize(
    "text",
    [
        "Ann\nSmith",
        "Ann\rSmith",
        "Ann\tSmith",
        "Ann\x00",
        "Ann\x1b[31m",
        "Ann\u2028Smith",
        "Ann\x85",
        "Ann\x7f",
    ],
)
def test_one_line_values_refuse_control_characters(text: str) -> None:
    with pytest.raises(ValueError, match="control character"):
        one_line(text)


def test_free_text_may_hold_line_breaks_but_no_other_control_character() -> None:
    assert free_text("line one\r\nline two\tend") == "line one\r\nline two\tend"
    with pytest.raises(ValueError, match="control character"):
        free_text("bell\x07")


def test_length_limits() -> None:
    assert one_line("x" * MAX_LINE)
    with pytest.raises(ValueError, match=f"longer than {MAX_LINE}"):
        one_line("x" * (MAX_LINE + 1))
    assert free_text("x" * MAX_FREE_TEXT)
    with pytest.raises(ValueError, match=f"longer than {MAX_FREE_TEXT}"):
        free_text("x" * (MAX_FREE_TEXT + 1))


@pytest.mark.parametrize("text", ["ann@x.example", "O'Brien@school.example", "a+b@x"])
def test_emails(text: str) -> None:
    assert parse_email(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "ann",
        "ann@@x",
        "ann@x, eve@evil.example",
        "a b@x",
        "ann@x;eve@y",
        "<ann@x>",
        "ann@x\nBcc: eve@y",
        "@x",
        "ann@",
    ],
)
def test_bad_emails_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"e-mail address|control character"):
        parse_email(text)


def test_email_lists() -> None:
    assert parse_emails(" a@x ; ;b@y ") == ("a@x", "b@y")
    with pytest.raises(ValueError):
        parse_emails("a@x; not an address")


def test_numbers_beyond_sense_are_refused() -> None:
    assert parse_int("9" * 18) == int("9" * 18)
    assert parse_int("-0003") == -3
    for huge in ("1" + "0" * 40, "9" * 5000):
        with pytest.raises(ValueError, match="too large"):
            parse_int(huge)


def test_dates_outside_the_sensible_years_are_refused() -> None:
    assert parse_date(f"{FIRST_YEAR}-01-01") == date(FIRST_YEAR, 1, 1)
    assert parse_date(f"31/12/{LAST_YEAR}") == date(LAST_YEAR, 12, 31)
    for text in ("9999-12-31", "0001-01-01", f"31/12/{FIRST_YEAR - 1}"):
        with pytest.raises(ValueError, match="not a valid date"):
            parse_date(text)
    with pytest.raises(ValueError, match="not a valid date-time"):
        parse_datetime("9999-12-31T23:59")


def test_shown_repeats_only_safe_values() -> None:
    assert shown("31/02/2026") == "'31/02/2026'"
    assert shown("three") == "'three'"
    assert shown("R-1", id_value=True) == "'R-1'"
    assert shown("Jayden Smith (DOB 01/02/2015)", id_value=True) == "value"
    assert shown("Jayden Smith (DOB 01/02/2015)") == "value"
    assert shown("line\nbreak") == "value"
    assert shown("x" * 41) == "value"


def test_parse_cell_collects_a_problem() -> None:
    problems: list[str] = []
    assert parse_cell(problems, "a.csv, row 2", "on", "2026-01-02", parse_date) == date(2026, 1, 2)
    assert parse_cell(problems, "a.csv, row 3", "on", "31/02/2026", parse_date) is None
    assert (
        parse_cell(problems, "a.csv, row 4", "email", "Jayden", parse_email, private=True) is None
    )
    assert parse_cell(problems, "a.csv, row 5", "id", "a b", parse_id, id_value=True) is None
    assert problems == [
        "a.csv, row 3, column on: '31/02/2026' is not a valid date",
        "a.csv, row 4, column email: value is not an e-mail address",
        "a.csv, row 5, column id: value is not a valid id (1–64 letters, digits, '-', '_' or "
        "'.', starting with a letter or a digit)",
    ]


# Value parsers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-04-03", date(2026, 4, 3)),
        ("03/04/2026", date(2026, 4, 3)),  # UK: 3 April, never 4 March
        ("3/4/2026", date(2026, 4, 3)),
        (" 29/02/2028 ", date(2028, 2, 29)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["31/02/2026", "2026-13-01", "04/13/2026", "tomorrow", "2026/04/03"]
)
def test_parse_date_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not a valid date"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20T14:05", datetime(2026, 11, 20, 14, 5)),
        ("2026-11-20 14:05:30", datetime(2026, 11, 20, 14, 5, 30)),
        ("20/11/2026 14:05", datetime(2026, 11, 20, 14, 5)),
        ("20/11/2026", datetime(2026, 11, 20)),
        ("2026-07-01T14:05+01:00", datetime(2026, 7, 1, 14, 5)),
        ("2026-07-01T13:05Z", datetime(2026, 7, 1, 14, 5)),
        ("2026-11-20T14:05:00+0000", datetime(2026, 11, 20, 14, 5)),
        ("2026-11-20T09:05:00-05:00", datetime(2026, 11, 20, 14, 5)),
    ],
)
def test_parse_datetime_is_london(text: str, expected: datetime) -> None:
    value = parse_datetime(text)
    assert value.tzinfo == LONDON
    assert value.replace(tzinfo=None) == expected


def test_parse_datetime_summer_and_winter_offsets() -> None:
    assert parse_datetime("2026-07-01 09:00").utcoffset() == timedelta(hours=1)
    assert parse_datetime("2026-12-01 09:00").utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "text",
    ["31/02/2026 10:00", "2026-11-20T25:00", "2026-11-20 10:61", "2026-11-20T10:00+25:00", "noon"],
)
def test_parse_datetime_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not a valid date-time"):
        parse_datetime(text)


def test_parse_bool_int_list() -> None:
    assert [parse_bool(t) for t in ("TRUE", "yes", "Y", "1", "false", "No", "n", "0")] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]
    assert (parse_int("3"), parse_int("3.0"), parse_int(" 12 ")) == (3, 3, 12)
    for bad in ("three", "2.5", ""):
        with pytest.raises(ValueError, match="not a whole number"):
            parse_int(bad)
    with pytest.raises(ValueError, match="not yes or no"):
        parse_bool("maybe")
    assert parse_list(" a ; ;b;a ") == ("a", "b", "a")
