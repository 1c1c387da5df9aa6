"""Tests for scheduling.proposals.options: options 2.., reasons, and nothing fitting."""

from __future__ import annotations

from datetime import date

from proposal_helpers import (
    CAL,
    CONFIRMED,
    D10,
    D11,
    D12,
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


def test_tentative_reported_when_nothing_better() -> None:
    policy = POLICY.replace(window_last_day=10)  # one day
    av = {**free(FAC), REQ.email: person(REQ.email, whole_day(D10, Status.TENTATIVE))}
    option = first(propose([session("R-1", FAC, REQ)], av, policy, CAL), "R-1")
    assert option.tentative_names == ("Rita Requester",)
    assert (option.required_free, option.required_tentative) == (1, 1)
    assert "1 of 2 required attendees free; 1 tentative: Rita Requester" in option.reason


def test_earlier_is_better_and_options_on_other_days() -> None:
    result = propose([session("R-1", FAC, REQ)], free(FAC, REQ), POLICY, CAL)
    proposal = result.proposals["R-1"]
    assert proposal.window == (D10, date(2026, 11, 26))
    assert [(o.option, o.start, o.working_day) for o in proposal.options] == [
        (1, at(D10, 9), 10),
        (2, at(D11, 9), 11),
        (3, at(D12, 9), 12),
    ]
    assert proposal.options[0].reason == "all 2 required attendees free; earliest fitting slot"
    assert proposal.options[1].reason.endswith("next best on another day")
    assert proposal.options[0].score == Scoring().score(0, 0, 0, 10, 0, 0) == 100000
    assert (
        len(
            propose([session("R-1", FAC, REQ)], free(FAC, REQ), POLICY, CAL, options=5)
            .proposals["R-1"]
            .options
        )
        == 5
    )


def test_gap_reported_when_unavoidable() -> None:
    one_day = POLICY.replace(window_last_day=10)
    av = {
        **free(FAC),
        REQ.email: person(
            REQ.email,
            (at(D10, 9), at(D10, 10), Status.BUSY),
            (at(D10, 11, 45), at(D10, 17), Status.BUSY),
        ),
    }
    result = propose([session("R-1", FAC, REQ)], av, one_day, CAL)
    options = result.proposals["R-1"].options
    assert [o.start for o in options] == [at(D10, 10)]  # 10:15 would overlap option 1
    assert options[0].gap_names == ("Rita Requester",)
    assert "less than 15 minutes from another meeting: Rita Requester" in options[0].reason
    assert options[0].score == Scoring().score(0, 0, 0, 10, 1, 4)
    assert result.check() == []


def test_nothing_fits_names_blocker_and_searches_after_window() -> None:
    window = [d for _, d in window_days(CONFIRMED, POLICY, CAL)]
    av = {**free(FAC, REQ), KHAN.email: person(KHAN.email, *(whole_day(d) for d in window))}
    result = propose([session("R-1", FAC, REQ, KHAN)], av, POLICY, CAL)
    proposal = result.proposals["R-1"]
    total = len(window) * SLOTS_PER_DAY
    assert proposal.blockers == (("Dr A Khan", total),)
    assert f"Dr A Khan is busy in {total} of {total} possible slots" in proposal.reason
    assert not proposal.scheduled and result.unscheduled == ("R-1",)
    [option] = proposal.options
    assert option.outside and option.working_day == 16
    assert option.start == at(date(2026, 11, 27), 9)
    assert (option.required_busy, option.unknown) == (0, 0)
    assert result.objective == 0 and result.check() == []


def test_after_window_unknown_is_reported_not_free() -> None:
    window = [d for _, d in window_days(CONFIRMED, POLICY, CAL)]
    # Khan's calendar ends with the window.
    coverage = ((at(date(2026, 11, 1), 0), at(window[-1], 23, 59)),)
    av = {
        **free(FAC, REQ),
        KHAN.email: person(KHAN.email, *(whole_day(d) for d in window), coverage=coverage),
    }
    [option] = propose([session("R-1", FAC, REQ, KHAN)], av, POLICY, CAL).proposals["R-1"].options
    assert option.outside and option.working_day == 16
    assert (option.unknown, option.unknown_names) == (1, ("Dr A Khan",))
    assert "Dr A Khan" not in option.free_names
    assert "calendar does not reach this time" in option.reason


def test_after_window_prefers_known_times() -> None:
    window = [d for _, d in window_days(CONFIRMED, POLICY, CAL)]
    after = [
        d
        for _, d in window_days(
            CONFIRMED, POLICY.replace(window_first_day=16, window_last_day=18), CAL
        )
    ]
    # Khan's calendar has a hole (unknown) on day 16, and is known-free again from day 17.
    coverage = (
        (at(date(2026, 11, 1), 0), at(window[-1], 23, 59)),
        (at(after[1], 0), at(date(2027, 6, 1), 0)),
    )
    av = {
        **free(FAC, REQ),
        KHAN.email: person(KHAN.email, *(whole_day(d) for d in window), coverage=coverage),
    }
    [option] = propose([session("R-1", FAC, REQ, KHAN)], av, POLICY, CAL).proposals["R-1"].options
    assert (option.working_day, option.unknown) == (17, 0)


def test_batch_clash_pushes_a_session_after_the_window() -> None:
    one_day = POLICY.replace(window_last_day=10)
    other = Attendee("other@x.org", "Omar Other")
    result = propose(
        [session("R-1", FAC, REQ), session("R-2", FAC, other)], free(FAC, REQ, other), one_day, CAL
    )
    late = result.proposals["R-2"]
    assert late.reason.startswith(
        "every time in the window that suits the required attendees "
        "clashes with another session in this batch"
    )
    assert late.blockers == (("Fran Facilitator", SLOTS_PER_DAY),)
    assert "Fran Facilitator is in another session of this batch in 27 of 27" in late.reason
    assert [(o.start, o.working_day, o.outside) for o in late.options] == [(at(D11, 9), 11, True)]
    assert result.status is SolveStatus.OPTIMAL and result.check() == []


def test_nothing_anywhere() -> None:
    av = {
        **free(FAC),
        KHAN.email: person(KHAN.email, (at(D10, 0), at(date(2027, 3, 1), 0), Status.OOF)),
    }
    proposal = propose([session("R-1", FAC, KHAN)], av, POLICY, CAL, search_days=5).proposals["R-1"]
    assert proposal.options == ()
    assert "no fitting time in the 5 working days after it" in proposal.reason
