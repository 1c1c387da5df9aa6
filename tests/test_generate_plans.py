"""Tests for :mod:`jags.generate_plans`: ten weeks of a working pattern."""

from __future__ import annotations

import itertools
import random
from datetime import date, datetime, timedelta

import pytest

from allocator import WorkingCalendar
from jags.generate_plans import BLOCKS, FIRST_DAY, LAST_DAY, availability_rows, make_plan

BANK_HOLIDAYS = {date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1)}


@pytest.mark.parametrize("seed", range(12))
def test_meetings_fall_on_working_days_in_working_hours(seed: int) -> None:
    plan = make_plan(random.Random(seed), ())
    calendar = WorkingCalendar()
    assert {d for d in BANK_HOLIDAYS if not calendar.is_working_day(d)} == BANK_HOLIDAYS
    times = [*plan.team.occurrences(), *plan.supervision.occurrences()]
    times += [(e.start, e.end) for e in plan.meetings]  # type: ignore[misc]
    for begin, end in times:
        assert isinstance(begin, datetime) and isinstance(end, datetime)
        assert FIRST_DAY <= begin.date() <= LAST_DAY
        assert calendar.is_working_day(begin.date()), begin
        assert begin.hour >= 9 and (end.hour, end.minute) <= (17, 0)
    meetings = sorted((e.start, e.end) for e in plan.meetings)  # type: ignore[type-var]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(meetings))
    assert calendar.is_working_day(plan.free_day)


def test_leave_is_merged_and_kept() -> None:
    plan = make_plan(random.Random(5), [BLOCKS[0], (BLOCKS[0][1], BLOCKS[1][1])])
    assert (BLOCKS[0][0], BLOCKS[1][1]) in plan.leave
    assert all(
        a[1] + timedelta(days=1) < b[0] for a, b in zip(plan.leave, plan.leave[1:], strict=False)
    )


def test_the_same_seed_gives_the_same_plan() -> None:
    assert make_plan(random.Random("x"), ()) == make_plan(random.Random("x"), ())
    assert make_plan(random.Random("x"), ()) != make_plan(random.Random("y"), ())


def test_availability_rows_cover_the_period_with_every_status() -> None:
    rows = availability_rows("a@x.example", make_plan(random.Random(7), [BLOCKS[1]]))
    assert rows[0] == ["a@x.example", "2026-11-23T00:00", "2027-02-01T00:00", "free"]
    assert {r[3] for r in rows[1:]} >= {"busy", "oof"}
    assert ["a@x.example", "2026-12-17T00:00", "2026-12-22T00:00", "oof"] in rows
    assert rows[1:] == sorted(rows[1:], key=lambda r: (r[1], r[2]))
