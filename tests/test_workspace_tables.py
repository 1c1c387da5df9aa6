"""Tests for jags.workspace_tables: each table's rows read into records, and every bad cell,
row or column of one table (through read_workspace)."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from workspace_helpers import FACILITATORS, REQUESTS, TABLES, read_error, with_table, write_folder

from allocator.errors import InputError
from allocator.models import Attendance, Mode
from allocator.policy import Policy
from jags.cells import LONDON
from jags.workspace import read_workspace

if TYPE_CHECKING:
    from pathlib import Path

    from jags.workspace_problems import Problem, WorkspaceReadError


# Reading a good workspace --------------------------------------------------------


def test_reads_csv_folder(tmp_path: Path) -> None:
    ws = read_workspace(write_folder(tmp_path / "ws", TABLES))
    f1, f2 = ws.facilitators
    assert f1.email == "alice.smith@health.example"
    assert f1.trained_on == date(2026, 4, 3)
    assert (f1.max_open, f1.open_jags, f1.can_lead, f1.active) == (3, 1, True, True)
    assert f1.specialisms == ("neglect", "exploitation")
    # Empty needed fields are not errors: the allocator flags them as missing_data.
    assert f2.missing_fields == ("organisation", "trained_on", "max_open")
    assert (f2.open_jags, f2.can_lead, f2.active, f2.locality) == (0, False, True, None)

    r1, r2, r3 = ws.requests
    assert r1.received_at == datetime(2026, 7, 1, 14, 5, tzinfo=LONDON)
    assert r1.received_at.utcoffset() == timedelta(hours=1)  # BST
    assert r2.received_at.utcoffset() == timedelta(0)  # GMT
    assert r3.received_at == r1.received_at
    assert (r1.mode, r2.mode, r3.mode) == (Mode.IN_PERSON, Mode.ONLINE, Mode.EITHER)
    assert r2.requester_email == "dan@council.example"
    assert (r2.preferred_facilitator_id, r2.follow_up_of) == ("F1", "H1")
    assert r3.family_ref is None

    assert ws.leave[0].end == date(2026, 8, 5)
    assert [p.attendance for p in ws.participants] == [Attendance.OPTIONAL, Attendance.REQUIRED]
    assert ws.participants[0].email == "gail@hill.example"
    assert ws.involvements[0].case_ref == "CASE-12"
    assert ws.history[0].attendees == ("a@x.example", "b@y.example")
    assert ws.organisations[0].sector == "Education"


def test_optional_tables_may_be_absent(tmp_path: Path) -> None:
    ws = read_workspace(
        write_folder(
            tmp_path, {"facilitators": FACILITATORS, "requests": REQUESTS.replace("H1", "")}
        )
    )
    assert (ws.leave, ws.participants, ws.involvements, ws.history, ws.organisations) == (
        (),
        (),
        (),
        (),
        (),
    )


def test_free_text_keeps_its_line_breaks(tmp_path: Path) -> None:
    requests = REQUESTS.replace("knows network", '"knows the\nnetwork"')
    ws = read_workspace(write_folder(tmp_path, with_table(requests=requests)))
    assert ws.request_by_id["R2"].preference_rationale == "knows the\nnetwork"


def test_times_without_an_offset_are_local_to_the_policys_time_zone(
    tmp_path: Path, sample_dir: Path
) -> None:
    from zoneinfo import ZoneInfo

    from allocator import Policy

    folder = tmp_path / "ws"
    shutil.copytree(sample_dir, folder, ignore=shutil.ignore_patterns("calendars"))
    paris = read_workspace(folder, Policy.preset("norfolk").replace(timezone="Europe/Paris"))
    london = read_workspace(folder)
    first_paris, first_london = paris.requests[0].received_at, london.requests[0].received_at
    assert first_paris.tzinfo == ZoneInfo("Europe/Paris")
    assert first_paris.replace(tzinfo=None) == first_london.replace(tzinfo=None)
    assert first_london - first_paris == timedelta(hours=1)  # the same clock, an hour apart


# Bad input ----------------------------------------------------------------------


def test_blank_lines_keep_row_numbers(tmp_path: Path) -> None:
    requests = REQUESTS.replace("\nR2,20/11/2026", "\n,,,\nR2,31/11/2026")
    error = read_error(write_folder(tmp_path, with_table(requests=requests)))
    assert [str(p) for p in error.problems] == [
        "requests.csv, row 4, column received_at: value is not a valid date-time"
    ]


def test_missing_required_files(tmp_path: Path) -> None:
    error = read_error(write_folder(tmp_path, {"leave": TABLES["leave"]}))
    assert isinstance(error, InputError)
    assert str(error) == "facilitators.csv: file not found\nrequests.csv: file not found"


def test_impossible_date_and_non_number(tmp_path: Path) -> None:
    facilitators = FACILITATORS.replace("3.0,1,yes", "three,2.5,perhaps").replace(
        "2028-04-03", "31/02/2028"
    )
    error = read_error(write_folder(tmp_path, with_table(facilitators=facilitators)))
    assert [str(p) for p in error.problems] == [
        "facilitators.csv, row 2, column training_expires: '31/02/2028' is not a valid date",
        "facilitators.csv, row 2, column max_open: 'three' is not a whole number",
        "facilitators.csv, row 2, column open_jags: '2.5' is not a whole number",
        "facilitators.csv, row 2, column can_lead: 'perhaps' is not yes or no "
        "(use true/false, yes/no or 1/0)",
    ]


# Hostile values (safe ids, control characters, limits) ----------------------------------


def first_row_problem(
    tmp_path: Path, table: str, column: str, text: str
) -> tuple[WorkspaceReadError, Problem]:
    """Put ``text`` in ``column`` of the table's first row; the one problem about it,
    which must be on that row (spreadsheet row 2)."""
    header, first, *rest = TABLES[table].splitlines()
    cells = first.split(",")
    cells[header.split(",").index(column)] = '"' + text.replace('"', '""') + '"'
    changed = "\n".join([header, ",".join(cells), *rest]) + "\n"
    error = read_error(write_folder(tmp_path, with_table(**{table: changed})))
    [problem] = [p for p in error.problems if (p.file, p.column) == (f"{table}.csv", column)]
    assert problem.row == 2
    return error, problem


@pytest.mark.parametrize(
    ("table", "column", "text"),
    [
        ("requests", "request_id", "a/b"),
        ("requests", "request_id", "../../x"),
        ("requests", "preferred_facilitator_id", "Jayden Smith (DOB 01/02/2015)"),
        ("requests", "follow_up_of", '=HYPERLINK("x")'),
        ("facilitators", "facilitator_id", "-F1"),
        ("facilitators", "facilitator_id", "F" * 65),
        ("participants", "request_id", "@R1"),
        ("involvements", "facilitator_id", "Jayden Smith (DOB 01/02/2015)"),
        ("history", "facilitator_id", "F 1"),
    ],
)
def test_unsafe_ids_are_refused_with_row_and_column_and_never_repeated(
    tmp_path: Path, table: str, column: str, text: str
) -> None:
    error, problem = first_row_problem(tmp_path, table, column, text)
    assert problem.message.startswith("value is not a valid id")
    assert text not in str(error)
    assert "Jayden" not in str(error)


@pytest.mark.parametrize(
    ("table", "column", "text"),
    [
        ("participants", "name", "Gail\nHunt"),
        ("participants", "email", "gail@hill.example\r\nBcc: eve@evil.example"),
        ("requests", "requester_name", "Carol\x01Tate"),
        ("requests", "requester_email", "carol@school.example, eve@evil.example"),
        ("facilitators", "name", "Alice\u2028Smith"),
        ("facilitators", "organisation", "NHS\x1b[2JTrust"),
        ("history", "attendees", "a@x.example; b@y.example\nc@z.example"),
    ],
)
def test_control_characters_and_bad_emails_are_refused_at_reading_time(
    tmp_path: Path, table: str, column: str, text: str
) -> None:
    _, problem = first_row_problem(tmp_path, table, column, text)
    assert problem.message.startswith("value ")
    assert "control character" in problem.message or "e-mail" in problem.message


def test_capacity_beyond_the_policy_limit_is_an_input_error(tmp_path: Path) -> None:
    facilitators = FACILITATORS.replace("3.0,1,yes", "51,1,yes").replace(
        "Police,,,,,,n", "Police,,,," + "1" + "0" * 40 + ",,n"
    )
    folder = write_folder(tmp_path, with_table(facilitators=facilitators))
    error = read_error(folder)
    assert [str(p) for p in error.problems] == [
        "facilitators.csv, row 2, column max_open: '51' is above the policy limit of 50 "
        "(max_open_limit)",
        "facilitators.csv, row 3, column max_open: value is too large a number",
    ]
    roomy = Policy().replace(max_open_limit=60)
    facilitators = FACILITATORS.replace("3.0,1,yes", "51,55,yes")
    folder = write_folder(tmp_path / "roomy", with_table(facilitators=facilitators))
    assert read_workspace(folder, roomy).facilitator_by_id["F1"].max_open == 51
    error = read_error(folder)
    assert [p.column for p in error.problems] == ["max_open", "open_jags"]
