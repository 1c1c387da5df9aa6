"""Tests for jags.workspace: the tables checked against each other (duplicate ids, unknown
references, muted where the row referred to was unreadable) and every problem reported at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workspace_helpers import FACILITATORS, REQUESTS, read_error, with_table, write_folder

from jags.workspace_problems import Problem

if TYPE_CHECKING:
    from pathlib import Path


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


def test_broken_row_does_not_cause_unknown_references(tmp_path: Path) -> None:
    facilitators = FACILITATORS.replace("03/04/2026", "32/04/2026")
    error = read_error(write_folder(tmp_path, with_table(facilitators=facilitators)))
    assert [str(p) for p in error.problems] == [
        "facilitators.csv, row 2, column trained_on: '32/04/2026' is not a valid date"
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
