"""Tests for jags.render: the summary line and the terminal tables."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from builders import ON, fac, req, workspace
from rich.console import Console

from allocator import AllocationResult, Policy, WorkingCalendar, allocate
from jags import render
from scheduling.availability import Availability, Interval, Status
from scheduling.proposals import Attendee, ScheduleResult, SessionRequest, propose


@pytest.fixture(scope="module")
def result() -> AllocationResult:
    """One place for three requests: the oldest is allocated (late), two wait."""
    ws = workspace(
        [
            fac("F1", "Org A", name="Sam [bold] Lee", max_open=1),
            fac("F2", "Org X"),
        ],  # F2 shares the requesters' organisation
        [req("R1", day=16), req("R2", day=18), req("R3", day=19)],
    )
    return allocate(ws, Policy.preset("norfolk"), on=ON)


def text(*renderables: object) -> str:
    console = Console(record=True, width=200, color_system=None)
    for item in renderables:
        console.print(item)
    return console.export_text()


def test_batch_lines_summary_first_then_waiting_then_late(result: AllocationResult) -> None:
    lines = render.batch_lines(result, "Allocation for Fri 20 Nov 2026")
    assert lines[0] == (
        "Allocation for Fri 20 Nov 2026: 1 of 3 requests allocated; 2 waiting, 1 due today."
    )
    assert lines[1] == "Waiting (2), oldest first:"
    assert lines[2].startswith(
        "  R2 (due today, Fri 20 Nov): all 1 facilitators it could go to are at capacity"
    )
    assert lines[3].startswith("  R3 (allocate by Mon 23 Nov): ")
    assert lines[4] == "Allocated after their allocate-by date (1): R1."
    assert len(lines) == 5
    # only the first sentence of a waiting reason; the rest is in allocations.csv
    assert lines[2].endswith(".") and lines[2].count(". ") == 0
    assert "stage" not in " ".join(lines)


def test_batch_lines_name_at_most_ten_requests_per_list() -> None:
    ws = workspace(
        [fac("F1", "Org A", max_open=1)], [req(f"R{i:02d}", day=16, minute=i) for i in range(14)]
    )
    many = allocate(ws, Policy.preset("norfolk"), on=ON)
    lines = render.batch_lines(many, "Batch")
    assert lines[1] == "Waiting (13), oldest first:"
    assert [line.split()[0] for line in lines[2:12]] == [f"R{i:02d}" for i in range(1, 11)]
    assert lines[12] == "  … and 3 more (every request is in allocations.csv)."
    assert lines[13] == "Allocated after their allocate-by date (1): R00."
    assert len(lines) == 14


def test_first_sentence() -> None:
    assert (
        render.first_sentence(
            "all 3 are at capacity; F1 frees a place when R9 closes. "
            "The other 2 are excluded: 2 on leave."
        )
        == "all 3 are at capacity; F1 frees a place when R9 closes."
    )
    assert render.first_sentence("one sentence only.") == "one sentence only."


@pytest.fixture(scope="module")
def proposals() -> ScheduleResult:
    """R1 fits its window; everyone in R2 is busy for months, so nothing fits."""
    busy = Availability(
        email="busy@x.example",
        coverage=(
            (
                datetime.fromisoformat("2026-11-01T00:00+00:00"),
                datetime.fromisoformat("2027-12-01T00:00+00:00"),
            ),
        ),
        intervals=(
            Interval(
                datetime.fromisoformat("2026-11-01T00:00+00:00"),
                datetime.fromisoformat("2027-12-01T00:00+00:00"),
                Status.BUSY,
            ),
        ),
    )
    sessions = [
        SessionRequest(
            "R1",
            date(2026, 11, 30),
            (
                Attendee("f1@fac.example", "Fac One", facilitator=True),
                Attendee("a@x.example", "Ann"),
            ),
        ),
        SessionRequest(
            "R2",
            date(2026, 11, 30),
            (
                Attendee("f2@fac.example", "Fac Two", facilitator=True),
                Attendee("busy@x.example", "Bo [red] Busy"),
            ),
        ),
    ]
    return propose(
        sessions,
        {"busy@x.example": busy},
        Policy.preset("norfolk"),
        WorkingCalendar(),
        time_limit=5,
        search_days=5,
    )


def test_proposals_table_shows_options_and_the_request_that_did_not_fit(
    proposals: ScheduleResult,
) -> None:
    assert proposals.proposals["R1"].scheduled
    assert not proposals.proposals["R2"].scheduled
    shown = text(render.proposals_table(proposals))
    assert "R1" in shown and "R2" in shown
    first = proposals.proposals["R1"].options[0].start  # already London time
    assert f"{first:%a %d %b %Y %H:%M}" in shown
    r2 = [line for line in shown.splitlines() if "R2" in line]
    assert r2 and ("—" in r2[0] or "outside window" in r2[0])


def test_schedule_summary_counts(proposals: ScheduleResult) -> None:
    line = render.schedule_summary(proposals, ["R1"])
    assert line.startswith("2 sessions: 1 in their window, 1 not; 1 invitation(s) written.")


def test_incomplete_records_are_flagged_for_the_business_unit() -> None:
    ws = workspace([fac("F1"), fac("F2", sector=None), fac("F3", max_open=None)], [req("R1")])
    result = allocate(ws, Policy.preset("norfolk"), on=ON)
    assert render.flagged_lines(result) == [
        "Flag: F2 excluded until completed (record incomplete: sector missing).",
        "Flag: F3 excluded until completed (record incomplete: max_open missing).",
    ]


def test_ledger_schedule_lines_one_line_a_request(proposals: ScheduleResult) -> None:
    from jags.sessions import LedgerSchedule

    run = LedgerSchedule(
        proposals,
        ["R1"],
        [("R9", "its session window opened on 2026-11-02, before this run")],
        True,
    )
    lines = render.ledger_schedule_lines(run)
    first = proposals.proposals["R1"].options[0]
    start = first.start  # already in the policy's time zone
    assert lines[0] == (
        "1 session(s) booked and their invitations queued in the outbox (send "
        "with jags invite --send)."
    )
    assert lines[1].startswith(f"  R1: {start:%a %d %b %Y %H:%M}–")
    assert f"option 1 of {len(proposals.proposals['R1'].options)}" in lines[1]
    assert lines[2].startswith("  R2: nothing fits its window — ")
    assert (
        lines[3] == "Not scheduled: R9: its session window opened on 2026-11-02, before this run."
    )
    assert len(lines) == 4
    assert render.ledger_schedule_lines(LedgerSchedule(None, [], [], True)) == [
        "No confirmed request is waiting for a session."
    ]
