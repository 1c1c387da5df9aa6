"""Tests for jags.render: the summary line and the terminal tables."""

from __future__ import annotations

import re
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
    ws = workspace([fac("F1", "Org A", name="Sam [bold] Lee", max_open=1),
                    fac("F2", "Org X")],  # F2 shares the requesters' organisation
                   [req("R1", day=16), req("R2", day=18), req("R3", day=19)])
    return allocate(ws, Policy.preset("norfolk"), on=ON)


def text(*renderables: object) -> str:
    console = Console(record=True, width=200, color_system=None)
    for item in renderables:
        console.print(item)
    return console.export_text()


def test_summary_line_counts(result: AllocationResult) -> None:
    line = render.summary_line(result)
    assert line.startswith("3 requests: 1 allocated (0 pinned), 2 waiting, "
                           "2 breaches of allocate-by. ")
    numbers = re.match(r"(\d+) requests: (\d+) allocated \((\d+) pinned\), (\d+) waiting, "
                       r"(\d+) breaches", line)
    assert numbers is not None
    s = result.summary
    assert tuple(map(int, numbers.groups())) == (s["requests"], s["allocated"], s["pinned"],
                                                 s["waiting"], s["allocate_by_breaches"])
    assert f"Solver: {result.method}, {result.status}" in line


def test_allocation_table_lists_every_request(result: AllocationResult) -> None:
    shown = text(render.allocation_table(result))
    assert f"Allocation for {ON.isoformat()} (norfolk policy)" in shown
    lines = {rid: next(line for line in shown.splitlines() if rid in line)
             for rid in ("R1", "R2", "R3")}
    assert "F1" in lines["R1"] and "allocated" in lines["R1"]
    assert "unallocated" in lines["R2"] and "unallocated" in lines["R3"]
    assert "Sam [bold] Lee" in shown  # reasons are shown as written, never as markup


def test_stages_table_renders(result: AllocationResult) -> None:
    shown = text(render.stages_table(result))
    assert "Objective stages" in shown
    assert len(result.stages) >= 1
    for stage in result.stages:
        assert str(stage.value) in shown


@pytest.fixture(scope="module")
def proposals() -> ScheduleResult:
    """R1 fits its window; everyone in R2 is busy for months, so nothing fits."""
    busy = Availability(
        email="busy@x.example",
        coverage=((datetime.fromisoformat("2026-11-01T00:00+00:00"),
                   datetime.fromisoformat("2027-12-01T00:00+00:00")),),
        intervals=(Interval(datetime.fromisoformat("2026-11-01T00:00+00:00"),
                            datetime.fromisoformat("2027-12-01T00:00+00:00"), Status.BUSY),))
    sessions = [
        SessionRequest("R1", date(2026, 11, 30), (Attendee("f1@fac.example", "Fac One",
                                                           facilitator=True),
                                                  Attendee("a@x.example", "Ann"))),
        SessionRequest("R2", date(2026, 11, 30), (Attendee("f2@fac.example", "Fac Two",
                                                           facilitator=True),
                                                  Attendee("busy@x.example", "Bo [red] Busy"))),
    ]
    return propose(sessions, {"busy@x.example": busy}, Policy.preset("norfolk"),
                   WorkingCalendar(), time_limit=5, search_days=5)


def test_proposals_table_shows_options_and_the_request_that_did_not_fit(
        proposals: ScheduleResult) -> None:
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
