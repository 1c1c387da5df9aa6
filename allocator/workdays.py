"""Working days: Monday–Friday, not an England and Wales bank holiday, not a closure day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import holidays

from allocator.policy import Policy

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

DEFAULT_ZONE: str = Policy.model_fields["timezone"].default
"""The policy's default time zone (``Policy().timezone``)."""


class WorkingCalendar:
    """England and Wales working days with optional extra closure days.

    Parameters
    ----------
    closures
        Extra non-working days set by the partnership's policy (default none).
    zone
        The time zone that decides on which day a moment falls (default the
        policy default, ``Policy().timezone``).

    Notes
    -----
    Bank holidays come from the ``holidays`` package with ``subdiv="ENG"``;
    without the subdivision Easter Monday and the summer bank holiday are
    missing. England and Wales share the same bank holidays.

    A calendar remembers each day it has decided and each working-day sum it
    has made, so one calendar reused for many batches (the what-if
    simulation's year of days) answers the same questions once.
    """

    def __init__(
        self, closures: Iterable[date] = (), *, zone: str | ZoneInfo = DEFAULT_ZONE
    ) -> None:
        self.closures: frozenset[date] = frozenset(closures)
        self.zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
        # expand=True (the default) fills in each year the first time it is asked about.
        self._holidays: holidays.HolidayBase = holidays.country_holidays("GB", subdiv="ENG")
        self._working: dict[date, bool] = {}
        self._added: dict[tuple[date, int], date] = {}

    @classmethod
    def for_policy(cls, policy: Policy) -> WorkingCalendar:
        """The calendar of ``policy``: its closure days and its time zone."""
        return cls(policy.closure_days, zone=policy.timezone)

    def local(self, moment: datetime) -> datetime:
        """``moment`` in the calendar's zone; a naive one is taken to be local time there."""
        return to_local(moment, self.zone)

    def holiday_name(self, day: date) -> str | None:
        """The bank holiday's name, ``"closure day"``, or ``None`` for an ordinary day."""
        if day in self.closures:
            return "closure day"
        name = self._holidays.get(day)
        return str(name) if name else None

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day."""
        known = self._working.get(day)
        if known is None:
            known = day.weekday() < 5 and day not in self.closures and day not in self._holidays
            self._working[day] = known
        return known

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the next one."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, day: date, n: int) -> date:
        """The working day ``n`` working days after ``day`` (``n >= 0``).

        ``add_working_days(d, 0)`` is ``d`` when ``d`` is a working day, else
        the next working day.
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        found = self._added.get((day, n))
        if found is None:
            found = self.next_working_day(day)
            for _ in range(n):
                found = self.next_working_day(found + timedelta(days=1))
            self._added[(day, n)] = found
        return found

    def working_days(self, start: date, end: date) -> Iterator[date]:
        """Working days from ``start`` to ``end``, both inclusive."""
        day = start
        while day <= end:
            if self.is_working_day(day):
                yield day
            day += timedelta(days=1)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``)."""
        return sum(1 for _ in self.working_days(start + timedelta(days=1), end))

    def day_zero(self, received_at: datetime, cutoff: time) -> date:
        """Day 0 of a request: the day received, or the next working day when it was
        received on a non-working day or at/after the cut-off time (local time in the
        calendar's zone)."""
        local = self.local(received_at)
        day = local.date()
        if not self.is_working_day(day) or local.time() >= cutoff:
            return self.next_working_day(day + timedelta(days=1))
        return day

    def window(self, day: date, first: int, last: int) -> tuple[date, date]:
        """The working days ``first``..``last`` after ``day`` as an inclusive date range."""
        return self.add_working_days(day, first), self.add_working_days(day, last)


def to_local(moment: datetime, zone: str | ZoneInfo = DEFAULT_ZONE) -> datetime:
    """``moment`` in ``zone`` (default the policy default); a naive one is local time there."""
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=tz)
    return moment.astimezone(tz)
