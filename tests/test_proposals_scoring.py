"""Tests for scheduling.proposals.scoring: how slots rank."""

from __future__ import annotations

from datetime import UTC, date, datetime

from proposal_helpers import (
    CAL,
    COVER,
    D10,
    D11,
    D12,
    FAC,
    POLICY,
    REQ,
    at,
    first,
    free,
    person,
    session,
    whole_day,
)

from scheduling.availability import Status
from scheduling.proposals import Attendee, Scoring, propose


def test_score_digits() -> None:
    assert Scoring().score(1, 0, 2, 12, 1, 4) == 1_00_02_12_01_04
    assert Scoring.for_batch([session("R-1", FAC)], POLICY, 30) == Scoring(100, 100, 100)


def test_tentative_ranked_after_free_even_if_later() -> None:
    av = {**free(FAC), REQ.email: person(REQ.email, whole_day(D10, Status.TENTATIVE))}
    result = propose([session("R-1", FAC, REQ)], av, POLICY, CAL)
    options = result.proposals["R-1"].options
    assert [(o.start, o.required_tentative) for o in options] == [
        (at(D11, 9), 0),
        (at(D12, 9), 0),
        (at(date(2026, 11, 24), 9), 0),
    ]
    assert "earliest" not in options[0].reason
    assert "tentative" in options[0].reason


def test_unknown_ranked_after_known() -> None:
    # Rita's calendar starts on day 11: day 10 is unknown for her, never free.
    late = ((datetime.combine(D11, datetime.min.time(), tzinfo=UTC), COVER[0][1]),)
    av = {**free(FAC), REQ.email: person(REQ.email, coverage=late)}
    option = first(propose([session("R-1", FAC, REQ)], av, POLICY, CAL), "R-1")
    assert option.start == at(D11, 9)
    assert option.unknown == 0


def test_gap_around_other_meetings() -> None:
    av = {**free(FAC), REQ.email: person(REQ.email, (at(D10, 9), at(D10, 10), Status.BUSY))}
    option = first(propose([session("R-1", FAC, REQ)], av, POLICY, CAL), "R-1")
    assert option.start == at(D10, 10, 15)  # 10:00 would leave no gap
    assert option.gap_names == ()
    no_gap = POLICY.replace(gap_minutes=0)
    option = first(propose([session("R-1", FAC, REQ)], av, no_gap, CAL), "R-1")
    assert option.start == at(D10, 10)


def test_radices_grow_with_the_batch() -> None:
    small = Scoring.for_batch([session("R-1", FAC, REQ)], POLICY, 30)
    assert (small.attendee_radix, small.day_radix, small.slot_radix) == (100, 100, 100)
    crowd = [Attendee(f"p{i}@x.org", f"P{i}") for i in range(120)]
    big = Scoring.for_batch([session("R-1", *crowd)], POLICY, 90)
    assert (big.attendee_radix, big.day_radix) == (1000, 1000)
    assert big.score(0, 0, 0, 1, 0, 0) < big.score(0, 0, 1, 0, 0, 0)
