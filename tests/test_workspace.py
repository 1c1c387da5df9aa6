"""Tests for jags.workspace: reading CSV folders and workbooks, and every kind of bad input."""

from __future__ import annotations

import pickle
import shutil
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from allocator.errors import InputError
from allocator.models import Attendance, Mode
from allocator.policy import Policy
from jags.workspace import (
    LONDON,
    Problem,
    WorkspaceReadError,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_int,
    parse_list,
    read_workspace,
)

FACILITATORS = (
    "facilitator_id,name,email,organisation,sector,locality,trained_on,training_expires,"
    "max_open,open_jags,can_lead,specialisms,active\n"
    "F1,Alice Smith, Alice.Smith@Health.example ,NHS Trust,Health,North,"
    "03/04/2026,2028-04-03,3.0,1,yes,neglect; ;exploitation,TRUE\n"
    "F2,Bob Jones,bob@police.example,,Police,,,,,,n,,\n"
)
REQUESTS = (
    "request_id,received_at,requester_name,requester_email,requester_organisation,case_ref,"
    "family_ref,locality,mode,topic,preferred_facilitator_id,preference_rationale,follow_up_of\n"
    "R1,2026-07-01 14:05,Carol Tate,carol@school.example,Hill School,CASE-11,FAM-9,North,"
    "in_person,sleep,,,\n"
    "R2,20/11/2026 09:30,Dan Ray,DAN@Council.example,Council,CASE-12,,,Online,,F1,"
    "knows network,H1\n"
    "R3,2026-07-01T13:05:00Z,Erin Fox,erin@x.example,Council,CASE-13,,,,,,,\n"
)
TABLES = {
    "facilitators": FACILITATORS,
    "requests": REQUESTS,
    "leave": "facilitator_id,start,end\nF1,2026-08-01,05/08/2026\n",
    "participants": "request_id,name,email,organisation,attendance,extra\n"
    "R1,Gail Hunt,Gail@Hill.example,Hill School,optional,ignored\n"
    "R1,Hal Ives,hal@gp.example,GP,,\n",
    "involvements": "facilitator_id,case_ref,family_ref,note\nF1,CASE-12,,met mother\n",
    "history": "request_id,facilitator_id,allocated_on,held_on,closed_on,attendees\n"
    "H1,F1,2026-01-02,2026-01-20,,A@x.example; b@y.example\n",
    "organisations": "organisation,sector,locality\nHill School,Education,North\n",
}


def write_folder(folder: Path, tables: Mapping[str, str | bytes]) -> Path:
    """Write each table as ``<name>.csv`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in tables.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (folder / f"{name}.csv").write_bytes(data)
    return folder


def read_error(path: Path) -> WorkspaceReadError:
    with pytest.raises(WorkspaceReadError) as info:
        read_workspace(path)
    return info.value


def with_table(**changes: str | bytes) -> dict[str, str | bytes]:
    return {**TABLES, **changes}


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


def test_bom_header_case_and_blank_lines(tmp_path: Path) -> None:
    requests = (
        "\ufeffRequest_ID , RECEIVED_AT,requester_name,requester_email,"
        "requester_organisation,case_ref\r\n\r\nR1,2026-07-01 14:05,C,c@x.example,Org,K1\r\n"
    )
    ws = read_workspace(
        write_folder(tmp_path, {"facilitators": FACILITATORS, "requests": requests})
    )
    assert [r.request_id for r in ws.requests] == ["R1"]


def test_blank_lines_keep_row_numbers(tmp_path: Path) -> None:
    requests = REQUESTS.replace("\nR2,20/11/2026", "\n,,,\nR2,31/11/2026")
    error = read_error(write_folder(tmp_path, with_table(requests=requests)))
    assert [str(p) for p in error.problems] == [
        "requests.csv, row 4, column received_at: value is not a valid date-time"
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


# Bad input ----------------------------------------------------------------------


def test_missing_required_files(tmp_path: Path) -> None:
    error = read_error(write_folder(tmp_path, {"leave": TABLES["leave"]}))
    assert isinstance(error, InputError)
    assert str(error) == "facilitators.csv: file not found\nrequests.csv: file not found"


def test_missing_required_column(tmp_path: Path) -> None:
    facilitators = FACILITATORS.replace(",max_open", ",maximum")
    involvements = "facilitator_id,note\nF1,x\n"
    error = read_error(
        write_folder(tmp_path, with_table(facilitators=facilitators, involvements=involvements))
    )
    # Rows referring to the unreadable facilitators table are not blamed as unknown.
    assert [str(p) for p in error.problems] == [
        "facilitators.csv, column max_open: required column is missing",
        "involvements.csv, column case_ref or family_ref: required column is missing "
        "(one of the two is needed)",
    ]


def test_duplicate_id_and_unknown_references(tmp_path: Path) -> None:
    requests = REQUESTS.replace("R3,", "R1,").replace(",F1,knows", ",F7,knows")
    leave = "facilitator_id,start,end\nF1,2026-08-01,2026-08-02\nF9,2026-08-01,2026-08-02\n"
    participants = "request_id,name,email,organisation\nR8,Gail Hunt,g@x.example,Org\n"
    error = read_error(
        write_folder(
            tmp_path, with_table(requests=requests, leave=leave, participants=participants)
        )
    )
    assert [str(p) for p in error.problems] == [
        "leave.csv, row 3, column facilitator_id: unknown facilitator 'F9'",
        "requests.csv, row 3, column preferred_facilitator_id: unknown facilitator 'F7'",
        "requests.csv, row 4, column request_id: duplicate request_id 'R1'",
        "participants.csv, row 2, column request_id: unknown request 'R8'",
    ]
    assert error.problems[0] == Problem(
        "leave.csv", 3, "facilitator_id", "unknown facilitator 'F9'"
    )


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


def test_collects_every_problem_at_once(tmp_path: Path) -> None:
    facilitators = FACILITATORS + "F1,Dup Person,dup@x.example,Org,Health,,2026-01-01,,2,,,,\n"
    requests = (
        REQUESTS.replace("2026-07-01 14:05", "31/02/2026").replace("erin@x.example", "erin-at-x")
        + "R4,2026-07-01,,r@x.example,Org,,,,teleport,,,,\n"
    )
    leave = "facilitator_id,start,end\nF1,2026-08-05,2026-08-01\n"
    involvements = "facilitator_id,case_ref,family_ref,note\nF2,,,a note\n"
    error = read_error(
        write_folder(
            tmp_path,
            with_table(
                facilitators=facilitators, requests=requests, leave=leave, involvements=involvements
            ),
        )
    )
    lines = str(error).splitlines()
    assert len(error.problems) == len(lines) == 8
    assert lines == [
        "facilitators.csv, row 4, column facilitator_id: duplicate facilitator_id 'F1'",
        "leave.csv, row 2, column end: end is before start",
        "requests.csv, row 2, column received_at: value is not a valid date-time",
        "requests.csv, row 4, column requester_email: value is not an e-mail address",
        "requests.csv, row 5, column requester_name: value is empty",
        "requests.csv, row 5, column case_ref: value is empty",
        "requests.csv, row 5, column mode: value is not valid: "
        "Input should be 'in_person', 'online' or 'either'",
        "involvements.csv, row 2, column case_ref: needs a case_ref or a family_ref",
    ]


def test_broken_row_does_not_cause_unknown_references(tmp_path: Path) -> None:
    facilitators = FACILITATORS.replace("03/04/2026", "32/04/2026")
    error = read_error(write_folder(tmp_path, with_table(facilitators=facilitators)))
    assert [str(p) for p in error.problems] == [
        "facilitators.csv, row 2, column trained_on: '32/04/2026' is not a valid date"
    ]


def test_private_values_never_in_messages(tmp_path: Path) -> None:
    secrets = [
        "SECRET-CASE",
        "SECRET-FAMILY",
        "SECRET-TOPIC",
        "SECRET-WHY",
        "SECRET-NOTE",
        "SECRET-REQUESTER",
        "SECRET-PARTICIPANT",
        "SECRET-FACILITATOR",
    ]
    header = REQUESTS.splitlines()[0]
    requests = (
        f"{header}\nR1,31/02/2026,SECRET-REQUESTER,bad-email,Org,SECRET-CASE,"
        "SECRET-FAMILY,,nowhere,SECRET-TOPIC,F9,SECRET-WHY,R0\n"
        "R1,2026-01-01,SECRET-REQUESTER,r@x.example,Org,SECRET-CASE,SECRET-FAMILY,"
        ",,SECRET-TOPIC,F9,SECRET-WHY,R0\n"
    )
    facilitators = FACILITATORS.splitlines()[0] + "\nF1,SECRET-FACILITATOR,nope,O,S,,x,,y,,,,\n"
    participants = "request_id,name,email,organisation\nR5,SECRET-PARTICIPANT,nope,\n"
    involvements = "facilitator_id,case_ref,family_ref,note\nF5,SECRET-CASE,,SECRET-NOTE\n"
    error = read_error(
        write_folder(
            tmp_path,
            with_table(
                requests=requests,
                facilitators=facilitators,
                participants=participants,
                involvements=involvements,
                history="request_id,facilitator_id\n",
            ),
        )
    )
    text = str(error)
    assert len(error.problems) >= 10
    assert "case_ref" not in text  # no problem is about it: it is fine
    for secret in secrets:
        assert secret not in text
        assert all(secret not in repr(p) for p in error.problems)


def test_error_survives_pickling() -> None:
    error = WorkspaceReadError([Problem("requests.csv", 5, "received_at", "bad")])
    again = pickle.loads(pickle.dumps(error))
    assert again.problems == error.problems
    assert str(again) == "requests.csv, row 5, column received_at: bad"


def test_case_tables_never_echo_a_value_even_in_the_wrong_column(tmp_path: Path) -> None:
    # A case reference pasted into received_at must not come back in the error.
    requests = REQUESTS.replace("\nR2,20/11/2026", "\nR2,CASE-SECRET-77")
    error = read_error(write_folder(tmp_path, with_table(requests=requests)))
    assert "CASE-SECRET-77" not in str(error)
    assert "column received_at: value is not a valid date-time" in str(error)


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


def test_free_text_keeps_its_line_breaks(tmp_path: Path) -> None:
    requests = REQUESTS.replace("knows network", '"knows the\nnetwork"')
    ws = read_workspace(write_folder(tmp_path, with_table(requests=requests)))
    assert ws.request_by_id["R2"].preference_rationale == "knows the\nnetwork"


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
