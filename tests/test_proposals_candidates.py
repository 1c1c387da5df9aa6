"""Tests for scheduling.proposals.candidates: which slots fit (the hard rule)."""

from __future__ import annotations

from datetime import date

from proposal_helpers import (
    CAL,
    CONFIRMED,
    D10,
    FAC,
    KHAN,
    POLICY,
    REQ,
    SLOTS_PER_DAY,
    at,
    first,
    free,
    person,
    session,
    whole_day,
)

from scheduling.availability import Status
from scheduling.proposals import Attendee, Scoring, SolveStatus, propose, window_days
from scheduling.proposals.candidates import make_plan, prune
from scheduling.proposals.slots import SlotTable


def test_required_busy_blocks_and_optional_busy_does_not() -> None:
    policy = POLICY.replace(gap_minutes=0)
    opt = Attendee("opt@x.org", "Olu Optional", required=False)
    av = {
        **free(FAC),
        REQ.email: person(REQ.email, (at(D10, 9), at(D10, 12), Status.BUSY)),
        opt.email: person(
            opt.email, *(whole_day(d, Status.OOF) for _, d in window_days(CONFIRMED, POLICY, CAL))
        ),
    }
    result = propose([session("R-1", FAC, REQ, opt)], av, policy, CAL)
    option = first(result, "R-1")
    assert option.start == at(D10, 12)
    assert option.busy_names == ("Olu Optional",)
    assert (option.required_free, option.required_busy, option.unknown) == (2, 0, 0)
    assert "1 optional busy: Olu Optional" in option.reason
    assert result.status is SolveStatus.OPTIMAL and result.check() == []


def test_unknown_does_not_block_and_is_named() -> None:
    sam = Attendee("sam@x.org", "Sam Patel", required=False)
    result = propose([session("R-1", FAC, REQ, sam)], free(FAC, REQ), POLICY, CAL)
    option = first(result, "R-1")
    assert option.start == at(D10, 9)
    assert option.unknown_names == ("Sam Patel",)
    assert option.unknown == 0  # Sam is optional
    assert option.reason == (
        "all 2 required attendees free; 1 unknown (no calendar): Sam Patel; earliest fitting slot"
    )
    # A required attendee with no calendar is counted and named, never taken as free.
    result = propose([session("R-2", FAC, KHAN)], free(FAC), POLICY, CAL)
    option = first(result, "R-2")
    assert (option.required_free, option.unknown, option.unknown_names) == (1, 1, ("Dr A Khan",))


def test_prune_keeps_the_best_and_the_best_few_of_every_day() -> None:
    table = SlotTable(free(FAC, REQ), POLICY)
    scoring = Scoring.for_batch([session("R-1", FAC, REQ)], POLICY, 30)
    plan = make_plan(session("R-1", FAC, REQ), POLICY, CAL, table, scoring)
    assert len(plan.fitting) == 6 * SLOTS_PER_DAY
    kept = prune(plan.fitting, 5)
    assert kept[:5] == plan.fitting[:5]
    per_day: dict[date, int] = {}
    for candidate in kept:
        per_day[candidate.slot.day] = per_day.get(candidate.slot.day, 0) + 1
    assert len(per_day) == 6 and min(per_day.values()) == 3
    assert prune(plan.fitting, None) == plan.fitting
