"""Tests for scheduling.proposals.slots: the session window and the slots of a day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from proposal_helpers import (
    CAL,
    D10,
    FAC,
    LONDON,
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
from scheduling.proposals import day_slots, propose, window_days
from scheduling.proposals.slots import SlotTable


def test_window_across_christmas_2026() -> None:
    days = window_days(date(2026, 12, 14), POLICY, CAL)
    assert days == (
        (10, date(2026, 12, 30)),
        (11, date(2026, 12, 31)),
        (12, date(2027, 1, 4)),
        (13, date(2027, 1, 5)),
        (14, date(2027, 1, 6)),
        (15, date(2027, 1, 7)),
    )
    result = propose(
        [session("R-1", FAC, REQ, confirmed=date(2026, 12, 14))], free(FAC, REQ), POLICY, CAL
    )
    proposal = result.proposals["R-1"]
    assert proposal.window == (date(2026, 12, 30), date(2027, 1, 7))
    assert [o.start.date() for o in proposal.options] == [
        date(2026, 12, 30),
        date(2026, 12, 31),
        date(2027, 1, 4),
    ]
    assert result.check() == []


def test_window_across_easter_2027() -> None:
    # Good Friday 26 Mar and Easter Monday 29 Mar 2027 are not working days.
    days = window_days(date(2027, 3, 12), POLICY, CAL)
    assert [d for _, d in days] == [
        date(2027, 3, 30),
        date(2027, 3, 31),
        date(2027, 4, 1),
        date(2027, 4, 2),
        date(2027, 4, 5),
        date(2027, 4, 6),
    ]
    blocked = person(REQ.email, *(whole_day(d) for _, d in days[:-1]))
    result = propose(
        [session("R-1", FAC, REQ, confirmed=date(2027, 3, 12))],
        {**free(FAC), REQ.email: blocked},
        POLICY,
        CAL,
    )
    option = first(result, "R-1")
    assert (option.start, option.working_day) == (at(date(2027, 4, 6), 9), 15)


def test_clock_change_28_march_2027() -> None:
    # Confirmed Thu 11 Mar 2027: day 10 is Thu 25 Mar (GMT), day 11 is Tue 30 Mar (BST).
    days = window_days(date(2027, 3, 11), POLICY, CAL)
    assert days[:2] == ((10, date(2027, 3, 25)), (11, date(2027, 3, 30)))
    before, after = day_slots(date(2027, 3, 25), POLICY), day_slots(date(2027, 3, 30), POLICY)
    assert len(before) == len(after) == SLOTS_PER_DAY
    assert before[0][0].astimezone(UTC) == datetime(2027, 3, 25, 9, tzinfo=UTC)
    assert after[0][0].astimezone(UTC) == datetime(2027, 3, 30, 8, tzinfo=UTC)
    assert after[-1][1] == at(date(2027, 3, 30), 17)
    av = {**free(FAC), REQ.email: person(REQ.email, whole_day(date(2027, 3, 25)))}
    result = propose([session("R-1", FAC, REQ, confirmed=date(2027, 3, 11))], av, POLICY, CAL)
    option = first(result, "R-1")
    assert option.start.astimezone(UTC) == datetime(2027, 3, 30, 8, tzinfo=UTC)
    assert option.end - option.start == timedelta(minutes=90)
    assert option.start.tzinfo is not None and option.start.utcoffset() == timedelta(hours=1)


def test_day_slots_are_local_times_on_the_grid_that_end_by_day_end() -> None:
    slots = day_slots(D10, POLICY)
    assert len(slots) == SLOTS_PER_DAY
    assert slots[0] == (at(D10, 9), at(D10, 10, 30))
    assert slots[-1] == (at(D10, 15, 30), at(D10, 17))
    assert all(s.tzinfo == LONDON for s, _ in slots)


def test_slot_table_agrees_with_availability_status() -> None:
    busy = person(
        REQ.email,
        (at(D10, 10), at(D10, 11), Status.BUSY),
        (at(D10, 13), at(D10, 13, 15), Status.TENTATIVE),
        coverage=((at(D10, 9), at(D10, 15)),),
    )
    table = SlotTable({REQ.email: busy}, POLICY)
    states = table.states(REQ.email, D10)
    for slot, (status, _) in zip(table.slots(D10), states, strict=True):
        assert status is busy.status(slot.start, slot.end)
    assert table.states("nobody@x.org", D10)[0] == (Status.UNKNOWN, False)
    assert states[0] == (Status.BUSY, True)  # 09:00-10:30 overlaps the 10:00 meeting
    assert states[8] == (Status.FREE, True)  # 11:00: right after it (gap 15 minutes)
    assert states[9] == (Status.FREE, False)  # 11:15: a full 15 minutes after it
    assert states[17] == (Status.FREE, True)  # 13:15: right after the tentative one
    assert states[18] == (Status.FREE, False)  # 13:30: 15 minutes after it
    assert states[19][0] is Status.UNKNOWN  # 13:45-15:15 runs past what the calendar covers
