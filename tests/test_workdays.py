"""Tests for allocator.workdays: England and Wales working days, day 0, allocate-by, windows."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allocator.policy import Policy
from allocator.workdays import WorkingCalendar, to_local

CAL = WorkingCalendar()
LONDON = ZoneInfo("Europe/London")
NORFOLK = Policy.preset("norfolk")
CUTOFF = time(17, 0)


def allocate_by(cal: WorkingCalendar, received_at: datetime, policy: Policy = NORFOLK) -> date:
    """Allocate-by as the procedure states it: day 0 + ``allocate_within_days`` working days."""
    return cal.add_working_days(
        cal.day_zero(received_at, policy.cutoff), policy.allocate_within_days
    )


def count_working_days(cal: WorkingCalendar, after: date, up_to: date) -> int:
    """Working days in (after, up_to], counted one day at a time (an independent oracle)."""
    days = (after + timedelta(days=i) for i in range(1, (up_to - after).days + 1))
    return sum(1 for d in days if cal.is_working_day(d))


# Bank holidays ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2027, 3, 26), "Good Friday"),
        (date(2027, 3, 29), "Easter Monday"),
        (date(2026, 4, 3), "Good Friday"),
        (date(2026, 4, 6), "Easter Monday"),
        (date(2026, 5, 4), "May Day"),
        (date(2026, 5, 25), "Spring Bank Holiday"),
        (date(2026, 8, 31), "Late Summer Bank Holiday"),
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 28), "Boxing Day"),  # substitute for Saturday 26 December
        (date(2027, 1, 1), "New Year's Day"),
        (date(2027, 12, 27), "Christmas Day"),  # substitute for Saturday 25 December
        (date(2027, 12, 28), "Boxing Day"),  # substitute for Sunday 26 December
        (date(2028, 1, 3), "New Year's Day"),  # substitute for Saturday 1 January
        (date(2022, 9, 19), "State Funeral"),  # one-off bank holidays are included
        (date(2023, 5, 8), "Coronation"),
    ],
)
def test_england_and_wales_bank_holidays_are_not_working_days(day: date, name: str) -> None:
    assert day.weekday() < 5, "test data: a weekday"
    assert not CAL.is_working_day(day)
    holiday = CAL.holiday_name(day)
    assert holiday is not None
    assert name in holiday


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 3, 17),  # St Patrick's Day: Northern Ireland only
        date(2026, 7, 13),  # Battle of the Boyne (observed): Northern Ireland only
        date(2026, 8, 3),  # Scottish summer bank holiday
        date(2026, 11, 30),  # St Andrew's Day: Scotland only
        date(2027, 1, 4),  # 2 January substitute: Scotland only
        date(2026, 12, 24),  # Christmas Eve is a working day
        date(2026, 12, 29),
        date(2026, 12, 31),
    ],
)
def test_other_nations_holidays_and_ordinary_days_are_working_days(day: date) -> None:
    assert CAL.is_working_day(day)
    assert CAL.holiday_name(day) is None


def test_weekends_are_not_working_days_but_are_not_holidays() -> None:
    assert not CAL.is_working_day(date(2026, 6, 6))  # Saturday
    assert not CAL.is_working_day(date(2026, 6, 7))  # Sunday
    assert CAL.holiday_name(date(2026, 6, 6)) is None
    assert CAL.is_working_day(date(2026, 6, 5))  # Friday
    assert CAL.is_working_day(date(2026, 6, 8))  # Monday


def test_christmas_2026_leaves_three_working_days_in_the_last_week() -> None:
    week = [date(2026, 12, 21) + timedelta(days=i) for i in range(14)]
    assert list(CAL.working_days(week[0], week[-1])) == [
        date(2026, 12, 21),
        date(2026, 12, 22),
        date(2026, 12, 23),
        date(2026, 12, 24),
        date(2026, 12, 29),
        date(2026, 12, 30),
        date(2026, 12, 31),
    ]


def test_christmas_2027_substitutes_fall_on_monday_and_tuesday() -> None:
    days = list(CAL.working_days(date(2027, 12, 24), date(2027, 12, 31)))
    assert days == [date(2027, 12, 24), date(2027, 12, 29), date(2027, 12, 30), date(2027, 12, 31)]


# Closure days from the policy ------------------------------------------------------


@pytest.fixture
def closure_policy() -> Policy:
    return Policy.from_toml(
        'base = "norfolk"\nclosure_days = [2026-12-24, 2026-12-29, 2026-12-30, 2026-12-31]\n'
    )


def test_closure_days_from_the_policy_are_not_working_days(closure_policy: Policy) -> None:
    cal = WorkingCalendar(closure_policy.closure_days)
    for day in closure_policy.closure_days:
        assert not cal.is_working_day(day)
        assert cal.holiday_name(day) == "closure day"
    assert cal.is_working_day(date(2026, 12, 23))
    # The calendar without closures is unaffected.
    assert CAL.is_working_day(date(2026, 12, 24))


def test_closure_days_move_dates_past_the_christmas_shutdown(closure_policy: Policy) -> None:
    cal = WorkingCalendar(closure_policy.closure_days)
    # 24, 25 (bank holiday), 28 (substitute), 29–31 (closed), 1 Jan (bank holiday).
    assert cal.add_working_days(date(2026, 12, 23), 1) == date(2027, 1, 4)
    assert cal.next_working_day(date(2026, 12, 24)) == date(2027, 1, 4)
    received = datetime(2026, 12, 23, 17, 0)
    assert cal.day_zero(received, closure_policy.cutoff) == date(2027, 1, 4)
    assert allocate_by(cal, received, closure_policy) == date(2027, 1, 6)
    assert cal.working_days_between(date(2026, 12, 22), date(2027, 1, 4)) == 2


# add_working_days ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 6, 1), 0, date(2026, 6, 1)),  # a working day plus nothing
        (date(2026, 6, 1), 4, date(2026, 6, 5)),
        (date(2026, 6, 5), 1, date(2026, 6, 8)),  # Friday + 1 → Monday
        (date(2026, 6, 5), 5, date(2026, 6, 12)),
        (date(2026, 6, 6), 0, date(2026, 6, 8)),  # Saturday + 0 → Monday
        (date(2026, 6, 6), 1, date(2026, 6, 9)),  # Saturday + 1 → Tuesday
        (date(2026, 12, 24), 1, date(2026, 12, 29)),  # over Christmas and the Boxing Day substitute
        (date(2026, 12, 23), 3, date(2026, 12, 30)),
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # over New Year's Day
        (date(2027, 12, 24), 1, date(2027, 12, 29)),  # over both 2027 substitutes
        (date(2026, 4, 2), 1, date(2026, 4, 7)),  # over Easter 2026
        (date(2027, 3, 25), 1, date(2027, 3, 30)),  # over Easter 2027
        (date(2027, 3, 26), 0, date(2027, 3, 30)),  # Good Friday + 0 → Tuesday
        (date(2026, 8, 28), 1, date(2026, 9, 1)),  # over the summer bank holiday
        (date(2026, 6, 1), 20, date(2026, 6, 29)),
    ],
)
def test_add_working_days(start: date, n: int, expected: date) -> None:
    assert CAL.add_working_days(start, n) == expected


def test_add_working_days_rejects_a_negative_count() -> None:
    with pytest.raises(ValueError, match="n must be"):
        CAL.add_working_days(date(2026, 6, 1), -1)


def test_next_working_day() -> None:
    assert CAL.next_working_day(date(2026, 6, 3)) == date(2026, 6, 3)
    assert CAL.next_working_day(date(2026, 6, 6)) == date(2026, 6, 8)
    assert CAL.next_working_day(date(2026, 12, 25)) == date(2026, 12, 29)
    assert CAL.next_working_day(date(2027, 12, 25)) == date(2027, 12, 29)


# day 0 and allocate-by ----------------------------------------------------------


@pytest.mark.parametrize(
    ("received_at", "expected"),
    [
        (datetime(2026, 6, 1, 9, 0), date(2026, 6, 1)),  # Monday morning
        (datetime(2026, 6, 1, 0, 0), date(2026, 6, 1)),  # just after midnight
        (datetime(2026, 6, 1, 16, 59, 59), date(2026, 6, 1)),  # one second before cut-off
        (datetime(2026, 6, 1, 17, 0), date(2026, 6, 2)),  # at the cut-off exactly
        (datetime(2026, 6, 1, 17, 0, 1), date(2026, 6, 2)),
        (datetime(2026, 6, 1, 23, 59), date(2026, 6, 2)),
        (datetime(2026, 6, 5, 17, 30), date(2026, 6, 8)),  # Friday evening → Monday
        (datetime(2026, 6, 6, 10, 0), date(2026, 6, 8)),  # Saturday → Monday
        (datetime(2026, 6, 7, 23, 0), date(2026, 6, 8)),  # Sunday → Monday
        (datetime(2027, 3, 29, 9, 0), date(2027, 3, 30)),  # Easter Monday → Tuesday
        (datetime(2027, 3, 25, 18, 0), date(2027, 3, 30)),  # Thursday before Easter, late
        (datetime(2026, 12, 25, 11, 0), date(2026, 12, 29)),  # Christmas Day
        (datetime(2026, 12, 27, 10, 0), date(2026, 12, 29)),  # Sunday before a substitute
        (datetime(2026, 8, 31, 8, 0), date(2026, 9, 1)),  # summer bank holiday
    ],
)
def test_day_zero(received_at: datetime, expected: date) -> None:
    assert CAL.day_zero(received_at, CUTOFF) == expected


def test_day_zero_reads_naive_datetimes_as_london_time() -> None:
    # 16:30 in London in summer; were it taken as UTC it would be 17:30 and roll over.
    assert CAL.day_zero(datetime(2026, 6, 1, 16, 30), CUTOFF) == date(2026, 6, 1)
    assert CAL.day_zero(datetime(2026, 6, 1, 16, 30, tzinfo=LONDON), CUTOFF) == date(2026, 6, 1)


def test_day_zero_converts_aware_datetimes_to_london() -> None:
    # British Summer Time: 16:30 UTC is 17:30 in London, after the cut-off.
    assert CAL.day_zero(datetime(2026, 6, 1, 16, 30, tzinfo=UTC), CUTOFF) == date(2026, 6, 2)
    assert CAL.day_zero(datetime.fromisoformat("2026-06-01T16:30Z"), CUTOFF) == date(2026, 6, 2)
    # 15:59 UTC is 16:59 London: still the same day.
    assert CAL.day_zero(datetime(2026, 6, 1, 15, 59, tzinfo=UTC), CUTOFF) == date(2026, 6, 1)
    # Winter (GMT): 16:30 UTC is 16:30 London, before the cut-off.
    assert CAL.day_zero(datetime(2026, 1, 15, 16, 30, tzinfo=UTC), CUTOFF) == date(2026, 1, 15)
    # Another offset: 18:30 at +02:00 is 17:30 BST.
    plus_two = timezone(timedelta(hours=2))
    assert CAL.day_zero(datetime(2026, 6, 1, 18, 30, tzinfo=plus_two), CUTOFF) == date(2026, 6, 2)
    # Late on Sunday UTC can be the small hours of Monday in London.
    assert CAL.day_zero(datetime(2026, 6, 7, 23, 30, tzinfo=UTC), CUTOFF) == date(2026, 6, 8)


def test_day_zero_follows_the_cutoff_it_is_given() -> None:
    received = datetime(2026, 6, 1, 16, 15)
    assert CAL.day_zero(received, time(16, 0)) == date(2026, 6, 2)
    assert CAL.day_zero(received, time(16, 30)) == date(2026, 6, 1)


def test_day_zero_follows_the_policy_time_zone() -> None:
    # 16:30 UTC on 1 June is 17:30 in London (after the cut-off) but 12:30 in New York.
    received = datetime(2026, 6, 1, 16, 30, tzinfo=UTC)
    new_york = WorkingCalendar.for_policy(Policy().replace(timezone="America/New_York"))
    assert new_york.day_zero(received, CUTOFF) == date(2026, 6, 1)
    assert CAL.day_zero(received, CUTOFF) == date(2026, 6, 2)
    assert new_york.local(datetime(2026, 6, 1, 9, 0)).tzinfo == ZoneInfo("America/New_York")


def test_to_local() -> None:
    naive = datetime(2026, 6, 1, 12, 0)
    assert to_local(naive) == datetime(2026, 6, 1, 12, 0, tzinfo=LONDON)
    assert to_local(datetime(2026, 6, 1, 11, 0, tzinfo=UTC)).hour == 12
    assert to_local(datetime(2026, 1, 1, 11, 0, tzinfo=UTC), "Europe/London").hour == 11


@pytest.mark.parametrize(
    ("received_at", "expected"),
    [
        (datetime(2026, 6, 1, 10, 0), date(2026, 6, 3)),  # Monday → Wednesday
        (datetime(2026, 6, 3, 16, 59), date(2026, 6, 5)),  # Wednesday → Friday
        (datetime(2026, 6, 4, 12, 0), date(2026, 6, 8)),  # Thursday → Monday
        (datetime(2026, 6, 5, 17, 0), date(2026, 6, 10)),  # Friday after cut-off → Wednesday
        (datetime(2026, 6, 6, 9, 0), date(2026, 6, 10)),  # Saturday → Wednesday
        (datetime(2026, 12, 24, 16, 0), date(2026, 12, 30)),  # Christmas Eve
        (datetime(2027, 3, 24, 12, 0), date(2027, 3, 30)),  # before Easter 2027
        (datetime(2027, 3, 25, 17, 30), date(2027, 4, 1)),  # day 0 is Tuesday after Easter
        (datetime(2027, 12, 25, 10, 0), date(2027, 12, 31)),  # Christmas Day 2027
        (datetime(2027, 12, 30, 10, 0), date(2028, 1, 4)),  # over the New Year substitute
        (datetime(2026, 6, 1, 16, 30, tzinfo=UTC), date(2026, 6, 4)),  # 17:30 BST
    ],
)
def test_norfolk_allocate_by_is_day_zero_plus_two_working_days(
    received_at: datetime, expected: date
) -> None:
    assert NORFOLK.allocate_within_days == 2
    assert allocate_by(CAL, received_at) == expected


# Session window -----------------------------------------------------------------


def test_norfolk_window_is_working_days_10_to_15_after_confirmation() -> None:
    confirmed = date(2026, 3, 16)  # Monday; Easter 2026 falls inside the window
    first, last = CAL.window(confirmed, NORFOLK.window_first_day, NORFOLK.window_last_day)
    assert (first, last) == (date(2026, 3, 30), date(2026, 4, 8))
    assert CAL.working_days_between(confirmed, first) == 10
    assert CAL.working_days_between(confirmed, last) == 15
    assert len(list(CAL.working_days(first, last))) == 6


def test_window_over_christmas_and_new_year() -> None:
    confirmed = date(2026, 12, 18)  # Friday
    first, last = CAL.window(confirmed, 10, 15)
    assert (first, last) == (date(2027, 1, 6), date(2027, 1, 13))


def test_bedfordshire_window_is_within_15_working_days() -> None:
    bedfordshire = Policy.preset("bedfordshire")
    confirmed = date(2026, 12, 18)
    window = CAL.window(confirmed, bedfordshire.window_first_day, bedfordshire.window_last_day)
    assert window == (date(2026, 12, 21), date(2027, 1, 13))


def test_window_confirmed_on_a_non_working_day() -> None:
    # Counting starts from the next working day (Easter Monday 2027 → Tuesday 30 March).
    assert CAL.window(date(2027, 3, 29), 0, 1) == (date(2027, 3, 30), date(2027, 3, 31))


# working_days_between -----------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 6, 1), date(2026, 6, 1), 0),
        (date(2026, 6, 5), date(2026, 6, 1), 0),  # end before start
        (date(2026, 6, 1), date(2026, 6, 2), 1),
        (date(2026, 6, 5), date(2026, 6, 8), 1),  # Friday → Monday
        (date(2026, 6, 6), date(2026, 6, 8), 1),  # Saturday → Monday
        (date(2026, 6, 5), date(2026, 6, 7), 0),  # Friday → Sunday
        (date(2026, 12, 24), date(2026, 12, 30), 2),
        (date(2027, 3, 25), date(2027, 3, 30), 1),  # over Easter 2027
        (date(2026, 1, 1), date(2026, 12, 31), 253),  # 1 January is a bank holiday anyway
    ],
)
def test_working_days_between(start: date, end: date, expected: int) -> None:
    assert CAL.working_days_between(start, end) == expected


def test_working_days_in_2026() -> None:
    # 261 weekdays; all 8 England and Wales bank holidays of 2026 fall on weekdays.
    assert len(list(CAL.working_days(date(2026, 1, 1), date(2026, 12, 31)))) == 261 - 8


# Properties ---------------------------------------------------------------------

DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
CLOSURES = st.frozensets(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)), max_size=20
)


@settings(max_examples=150, deadline=None)
@given(day=DAYS, n=st.integers(min_value=0, max_value=80), closures=CLOSURES)
def test_add_working_days_lands_exactly_n_working_days_on(
    day: date, n: int, closures: frozenset[date]
) -> None:
    cal = WorkingCalendar(closures) if closures else CAL
    result = cal.add_working_days(day, n)
    start = cal.next_working_day(day)
    assert cal.is_working_day(result)
    assert result not in closures
    assert result >= start >= day
    assert cal.working_days_between(start, result) == n
    assert count_working_days(cal, start, result) == n


@settings(max_examples=100, deadline=None)
@given(day=DAYS, a=st.integers(0, 30), b=st.integers(0, 30))
def test_add_working_days_composes(day: date, a: int, b: int) -> None:
    assert CAL.add_working_days(CAL.add_working_days(day, a), b) == CAL.add_working_days(day, a + b)


@settings(max_examples=150, deadline=None)
@given(received=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31)))
def test_day_zero_is_a_working_day_on_or_after_receipt(received: datetime) -> None:
    zero = CAL.day_zero(received, CUTOFF)
    assert CAL.is_working_day(zero)
    assert zero >= received.date()
    on_time = CAL.is_working_day(received.date()) and received.time() < CUTOFF
    assert (zero == received.date()) == on_time
    # Nothing working lies strictly between receipt and day 0.
    assert count_working_days(CAL, received.date(), zero) == (0 if on_time else 1)
