"""Tests for scheduling.proposals.check: the result checks itself against its inputs."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from proposal_helpers import CAL, D10, FAC, POLICY, REQ, at, first, free, person, session

from scheduling.availability import Status
from scheduling.proposals import Booked, propose


def test_check_catches_a_bad_result() -> None:
    av = {**free(FAC), REQ.email: person(REQ.email, (at(D10, 9), at(D10, 12), Status.BUSY))}
    result = propose([session("R-1", FAC, REQ)], av, POLICY, CAL)
    proposal = result.proposals["R-1"]
    moved = dataclasses.replace(proposal.options[0], start=at(D10, 9), end=at(D10, 10, 30))
    bad = dataclasses.replace(
        result,
        proposals={"R-1": dataclasses.replace(proposal, options=(moved, *proposal.options[1:]))},
    )
    problems = bad.check()
    assert any("required attendee Rita Requester is busy" in p for p in problems)
    assert any("score" in p for p in problems)


def test_the_self_check_sees_a_limit_broken_with_a_booked_session() -> None:
    result = propose([session("R-1", FAC, REQ)], free(FAC, REQ), POLICY, CAL)
    assert result.inputs is not None
    placed = first(result, "R-1")
    clash_day = Booked(
        "R-0",
        placed.start + timedelta(hours=3),
        placed.end + timedelta(hours=3),
        (FAC.email,),
        (FAC.email,),
    )
    forged = dataclasses.replace(result.inputs, booked=(clash_day,))
    assert any(
        "facilitates 2 sessions" in p for p in dataclasses.replace(result, inputs=forged).check()
    )


def _forged(**changes: object) -> list[str]:
    """The problems the self-check finds once option 1 of a good result is changed."""
    result = propose([session("R-1", FAC, REQ)], free(FAC, REQ), POLICY, CAL)
    proposal = result.proposals["R-1"]
    option = dataclasses.replace(proposal.options[0], **changes)  # type: ignore[arg-type]
    forged = dataclasses.replace(
        result,
        proposals={"R-1": dataclasses.replace(proposal, options=(option, *proposal.options[1:]))},
    )
    assert result.check() == []
    return forged.check()


def test_each_kind_of_bad_option_is_named() -> None:
    good = propose([session("R-1", FAC, REQ)], free(FAC, REQ), POLICY, CAL)
    start = first(good, "R-1").start
    cases = {
        "does not last 90 minutes": {"end": start + timedelta(minutes=60)},
        "is off the start grid": {
            "start": start + timedelta(minutes=5),
            "end": start + timedelta(minutes=95),
        },
        "ends after 17:00": {"start": at(D10, 16), "end": at(D10, 17, 30)},
        "is not a working day": {
            "start": at(D10 + timedelta(days=2), 9),
            "end": at(D10 + timedelta(days=2), 10, 30),
        },
        "should be": {"working_day": 3},
        "but marked outside=True": {"outside": True},
        "numbered out of order": {"option": 7},
        "attendee statuses differ from availability": {"free_names": ()},
    }
    for words, changes in cases.items():
        assert any(words in p for p in _forged(**changes)), words


def test_a_missing_proposal_and_a_wrong_window_are_named() -> None:
    result = propose([session("R-1", FAC, REQ)], free(FAC, REQ), POLICY, CAL)
    proposal = result.proposals["R-1"]
    shifted = dataclasses.replace(proposal, window=(D10, D10))
    assert any(
        "window" in p for p in dataclasses.replace(result, proposals={"R-1": shifted}).check()
    )
    assert "R-1: no proposal" in dataclasses.replace(result, proposals={}).check()
    assert any("objective" in p for p in dataclasses.replace(result, objective=-1).check())


def test_overlapping_options_and_a_clash_with_another_session_are_named() -> None:
    result = propose([session("R-1", FAC, REQ)], free(FAC, REQ), POLICY, CAL)
    proposal = result.proposals["R-1"]
    one, two = proposal.options[0], proposal.options[1]
    clash = dataclasses.replace(two, start=one.start, end=one.end)
    assert any(
        "overlaps option 1" in p
        for p in dataclasses.replace(
            result,
            proposals={
                "R-1": dataclasses.replace(proposal, options=(one, clash, *proposal.options[2:]))
            },
        ).check()
    )
