"""Tests for scheduling.proposals.model: one test per hard rule of the batch model."""

from __future__ import annotations

from proposal_helpers import CAL, D10, D11, FAC, LONDON, POLICY, REQ, at, first, free, session

from scheduling.proposals import Attendee, Booked, SolveStatus, propose


def test_shared_facilitator_one_session_per_day() -> None:
    other = Attendee("other@x.org", "Omar Other")
    sessions = [session("R-1", FAC, REQ), session("R-2", FAC, other)]
    result = propose(sessions, free(FAC, REQ, other), POLICY, CAL)
    assert sorted(first(result, r).start for r in ("R-1", "R-2")) == [at(D10, 9), at(D11, 9)]
    assert result.status is SolveStatus.OPTIMAL and result.check() == []
    # No alternative lands on a day the facilitator already facilitates.
    for rid in ("R-1", "R-2"):
        days = [o.start.date() for o in result.proposals[rid].options]
        assert days.count(D10) + days.count(D11) == 1


def test_shared_facilitator_never_overlaps() -> None:
    other = Attendee("other@x.org", "Omar Other")
    two_a_day = POLICY.replace(max_sessions_per_facilitator_per_day=2)
    sessions = [session("R-1", FAC, REQ), session("R-2", FAC, other)]
    result = propose(sessions, free(FAC, REQ, other), two_a_day, CAL)
    starts = sorted(first(result, r).start for r in ("R-1", "R-2"))
    assert starts == [at(D10, 9), at(D10, 10, 30)]
    assert result.objective == 100000 + 100006
    assert result.check() == []
    for option in result.proposals["R-2"].options[1:]:
        assert not any(
            o.start < option.end and option.start < o.end
            for o in result.proposals["R-1"].options[:1]
        )


def test_shared_participant_never_overlaps() -> None:
    fac2 = Attendee("fac2@x.org", "Fay Second", facilitator=True)
    result = propose(
        [session("R-1", FAC, REQ), session("R-2", fac2, REQ)], free(FAC, fac2, REQ), POLICY, CAL
    )
    a, b = (first(result, r) for r in ("R-1", "R-2"))
    assert (a.start, b.start) == (at(D10, 9), at(D10, 10, 30))
    assert result.check() == []


def test_the_per_day_limit_counts_sessions_booked_by_earlier_runs() -> None:
    # FAC already facilitates one session on day 10 (limit 1 a day): day 11 it is.
    earlier = Booked("R-0", at(D10, 14), at(D10, 15, 30), (FAC.email,), (FAC.email,))
    result = propose([session("R-1", FAC, REQ)], free(FAC, REQ), POLICY, CAL, booked=[earlier])
    assert first(result, "R-1").start.astimezone(LONDON).date() == D11
    assert result.check() == []
    # With a limit of two a day, day 10 morning is fine again.
    two = POLICY.replace(max_sessions_per_facilitator_per_day=2)
    again = propose([session("R-1", FAC, REQ)], free(FAC, REQ), two, CAL, booked=[earlier])
    assert first(again, "R-1").start == at(D10, 9)
