"""Tests for scheduling.proposals.sessions: attendees, sessions, booked sessions."""

from __future__ import annotations

import pytest
from proposal_helpers import CAL, CONFIRMED, D10, FAC, KHAN, POLICY, REQ, at, first, free, session

from allocator.errors import InputError
from scheduling.proposals import Attendee, Booked, SessionRequest, propose


def test_a_session_booked_by_an_earlier_run_is_busy_for_its_attendees() -> None:
    # An earlier run booked KHAN at 09:00 on day 10; today's session needs KHAN too.
    earlier = Booked("R-0", at(D10, 9), at(D10, 10, 30), (KHAN.email, "other@x.org"))
    result = propose(
        [session("R-1", FAC, REQ, KHAN)], free(FAC, REQ, KHAN), POLICY, CAL, booked=[earlier]
    )
    option = first(result, "R-1")
    assert option.start >= at(D10, 10, 30)
    assert result.check() == []


def test_a_booked_session_must_end_after_it_starts() -> None:
    with pytest.raises(InputError, match="ends before it starts"):
        Booked("R-0", at(D10, 10), at(D10, 9), ("a@x.org",))


def test_attendees_are_stored_in_lower_case_with_a_name() -> None:
    a = Attendee("  Rita.R@X.org ", " ")
    assert (a.email, a.name, a.required, a.facilitator) == (
        "rita.r@x.org",
        "rita.r@x.org",
        True,
        False,
    )
    with pytest.raises(InputError, match="no e-mail"):
        Attendee(" ", "Nobody")


def test_a_session_needs_attendees_each_listed_once() -> None:
    with pytest.raises(InputError, match="no attendees"):
        SessionRequest("R-1", CONFIRMED, ())
    with pytest.raises(InputError, match="listed twice"):
        SessionRequest("R-1", CONFIRMED, (REQ, Attendee("REQ@x.org", "Again")))
