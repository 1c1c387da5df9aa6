"""Tests for scheduling.proposals.check: the result checks itself against its inputs."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from proposal_helpers import (
    CAL,
    D10,
    FAC,
    POLICY,
    REQ,
    at,
    first,
    free,
    person,
    session,
)

from scheduling.availability import Status
from scheduling.proposals import (
    Booked,
    propose,
)


def test_check_catches_a_bad_result() -> None:
    av = {**free(FAC), REQ.email: person(REQ.email, (at(D10, 9), at(D10, 12), Status.BUSY))}
    result = propose([session("R-1", FAC, REQ)], av, POLICY, CAL)
    proposal = result.proposals["R-1"]
    moved = dataclasses.replace(proposal.options[0], start=at(D10, 9), end=at(D10, 10, 30))
    bad = dataclasses.replace(result, proposals={
        "R-1": dataclasses.replace(proposal, options=(moved, *proposal.options[1:]))})
    problems = bad.check()
    assert any("required attendee Rita Requester is busy" in p for p in problems)
    assert any("score" in p for p in problems)


def test_the_self_check_sees_a_limit_broken_with_a_booked_session() -> None:
    result = propose([session("R-1", FAC, REQ)], free(FAC, REQ), POLICY, CAL)
    assert result.inputs is not None
    placed = first(result, "R-1")
    clash_day = Booked("R-0", placed.start + timedelta(hours=3), placed.end + timedelta(hours=3),
                       (FAC.email,), (FAC.email,))
    forged = dataclasses.replace(result.inputs, booked=(clash_day,))
    assert any("facilitates 2 sessions" in p
               for p in dataclasses.replace(result, inputs=forged).check())
