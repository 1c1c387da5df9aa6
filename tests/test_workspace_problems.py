"""Tests for jags.workspace_problems: problems as text, and no private value in any message."""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING

from workspace_helpers import FACILITATORS, REQUESTS, read_error, with_table, write_folder

from jags.workspace_problems import Problem, WorkspaceReadError

if TYPE_CHECKING:
    from pathlib import Path


def test_error_survives_pickling() -> None:
    error = WorkspaceReadError([Problem("requests.csv", 5, "received_at", "bad")])
    again = pickle.loads(pickle.dumps(error))
    assert again.problems == error.problems
    assert str(again) == "requests.csv, row 5, column received_at: bad"


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


def test_case_tables_never_echo_a_value_even_in_the_wrong_column(tmp_path: Path) -> None:
    # A case reference pasted into received_at must not come back in the error.
    requests = REQUESTS.replace("\nR2,20/11/2026", "\nR2,CASE-SECRET-77")
    error = read_error(write_folder(tmp_path, with_table(requests=requests)))
    assert "CASE-SECRET-77" not in str(error)
    assert "column received_at: value is not a valid date-time" in str(error)
