"""Tests for scheduling.proposals.engine: propose's arguments and has_free_slot."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from proposal_helpers import CAL, CONFIRMED, D10, FAC, KHAN, POLICY, REQ, at, free, person, session

from allocator.errors import InputError
from scheduling.availability import Availability, Status
from scheduling.proposals import Attendee, SolveStatus, has_free_slot, propose, window_days

busy_spans = st.lists(
    st.tuples(
        st.integers(0, 5),
        st.integers(0, 31),
        st.integers(1, 24),
        st.sampled_from([Status.BUSY, Status.OOF, Status.TENTATIVE]),
    ),
    max_size=12,
)


def test_input_errors() -> None:
    with pytest.raises(InputError, match="R-1 appears twice"):
        propose([session("R-1", FAC), session("R-1", REQ)], {}, POLICY, CAL)
    with pytest.raises(InputError, match="listed twice"):
        session("R-1", FAC, Attendee("FAC@x.org ", "Again"))
    with pytest.raises(InputError, match="options"):
        propose([session("R-1", FAC)], {}, POLICY, CAL, options=0)
    assert Attendee(" Ann@X.org ", "").email == "ann@x.org"


def test_empty_batch() -> None:
    result = propose([], {}, POLICY, CAL)
    assert (result.status, result.proposals, result.objective) == (SolveStatus.OPTIMAL, {}, 0)
    assert result.check() == []


def test_has_free_slot() -> None:
    week = (D10, date(2026, 11, 25))
    busy = {REQ.email: person(REQ.email, (at(D10, 0), at(date(2026, 11, 26), 0), Status.BUSY))}
    assert has_free_slot(FAC.email, free(FAC), *week, POLICY, CAL) is True
    assert has_free_slot("REQ@x.org", busy, *week, POLICY, CAL) is False
    assert has_free_slot("nobody@x.org", busy, *week, POLICY, CAL) is None
    assert (
        has_free_slot("req@x.org", busy, date(2026, 11, 21), date(2026, 11, 22), POLICY, CAL)
        is False
    )  # a weekend: no slot at all


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    spans=st.lists(busy_spans, min_size=3, max_size=3),
    shared=st.booleans(),
    limit=st.integers(1, 2),
)
def test_never_proposes_a_required_busy_time(
    spans: list[list[tuple[int, int, int, Status]]], shared: bool, limit: int
) -> None:
    window = [d for _, d in window_days(CONFIRMED, POLICY, CAL)]
    people = [FAC, REQ, KHAN]
    av: dict[str, Availability] = {}
    blocked: dict[str, list[tuple[datetime, datetime]]] = {}
    for attendee, mine in zip(people, spans, strict=True):
        items = []
        for day, quarter, length, status in mine:
            start = at(window[day], 9) + timedelta(minutes=15 * quarter)
            items.append((start, start + timedelta(minutes=15 * length), status))
        av[attendee.email] = person(attendee.email, *items)
        blocked[attendee.email] = [(a, b) for a, b, s in items if s.blocks]
    fac2 = FAC if shared else Attendee("fac2@x.org", "Fay Second", facilitator=True)
    sessions = [
        session("R-1", FAC, REQ),
        session("R-2", fac2, KHAN),
        session("R-3", FAC, KHAN, Attendee(REQ.email, REQ.name, required=False)),
    ]
    policy = POLICY.replace(max_sessions_per_facilitator_per_day=limit)
    result = propose(sessions, av, policy, CAL, time_limit=10)
    assert result.check() == []
    for s in sessions:
        for option in result.proposals[s.request_id].options:
            for attendee in s.attendees:
                if attendee.required:
                    assert not any(
                        a < option.end and option.start < b
                        for a, b in blocked.get(attendee.email, [])
                    )


# Availability after the window, asked for only when needed ------------------------------


def _cut(av: Availability, start: datetime, end: datetime) -> Availability:
    """What a source asked about ``[start, end)`` alone says of ``av``'s person."""
    return Availability(
        av.email,
        coverage=((start, end),),
        source=av.source,
        intervals=tuple(i for i in av.overlapping(start, end)),
    )


def test_after_window_is_asked_only_for_the_sessions_that_do_not_fit() -> None:
    # Dr Khan is out of the office for the whole window (19–26 Nov) and busy on the
    # first morning after it: R2 fits nothing in its window and its search after the
    # window needs Khan's days after it. R1 fits; nobody asks for its people's later days.
    other = Attendee("other@x.org", "Olu Other", facilitator=True)
    gone = at(date(2026, 11, 27), 0)
    whole = {
        FAC.email: person(FAC.email),
        REQ.email: person(REQ.email),
        other.email: person(other.email),
        KHAN.email: person(
            KHAN.email,
            (at(D10, 0), gone, Status.OOF),
            (at(date(2026, 11, 27), 9), at(date(2026, 11, 27), 12), Status.BUSY),
        ),
    }
    sessions = [session("R1", FAC, REQ), session("R2", other, KHAN)]
    start, far = at(D10, 0), at(date(2027, 1, 30), 0)
    asked: list[list[str]] = []

    def after_window(waiting):  # type: ignore[no-untyped-def]
        asked.append([s.request_id for s in waiting])
        return {a.email: _cut(whole[a.email], gone, far) for s in waiting for a in s.attendees}

    windows = {email: _cut(av, start, gone) for email, av in whole.items()}
    lazily = propose(sessions, windows, POLICY, CAL, after_window=after_window)
    upfront = propose(sessions, {e: _cut(av, start, far) for e, av in whole.items()}, POLICY, CAL)
    assert asked == [["R2"]]
    assert lazily == upfront and lazily.check() == []
    later = lazily.proposals["R2"].options[0]
    assert later.outside and later.start == at(date(2026, 11, 27), 12)
    # Without the later days, the search after the window sees only unknown time.
    blind = propose(sessions, windows, POLICY, CAL).proposals["R2"].options[0]
    assert (blind.unknown, blind.start) == (2, at(date(2026, 11, 27), 9))


def test_after_window_is_not_asked_when_every_session_fits() -> None:
    def after_window(waiting):  # type: ignore[no-untyped-def]
        raise AssertionError("asked although every session fits its window")

    result = propose(
        [session("R1", FAC, REQ)], free(FAC, REQ), POLICY, CAL, after_window=after_window
    )
    assert result.proposals["R1"].scheduled
