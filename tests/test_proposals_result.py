"""Tests for scheduling.proposals.result: what a result says about itself."""

from __future__ import annotations

from proposal_helpers import CAL, D10, FAC, POLICY, REQ, at, free, person, session, whole_day

from scheduling.proposals import ScheduleResult, SolveStatus, propose


def test_scheduled_and_unscheduled() -> None:
    av = free(FAC, REQ)
    av[REQ.email] = person(REQ.email, *(whole_day(D10.replace(day=d)) for d in range(19, 27)))
    result = propose([session("R-1", FAC, REQ), session("R-2", FAC)], av, POLICY, CAL)
    assert result.unscheduled == ("R-1",)
    assert not result.proposals["R-1"].scheduled
    assert result.proposals["R-2"].scheduled
    assert result.proposals["R-2"].options[0].start == at(D10, 9)


def test_a_result_without_inputs_cannot_check_itself() -> None:
    bare = ScheduleResult(SolveStatus.OPTIMAL, {}, 0)
    assert bare.check() == ["result carries no inputs to check against"]
