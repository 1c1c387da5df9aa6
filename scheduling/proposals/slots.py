"""The session window (rule 1) and each attendee's status in every slot of it.

:func:`window_days` gives the working days ``policy.window_first_day`` ..
``policy.window_last_day`` after the confirmation day; :func:`day_slots`
the starts on each, every ``start_grid_minutes`` from ``day_start``
(local time in ``policy.timezone``) such that the session ends by
``day_end``. Clock changes are handled by building aware local times with
:mod:`zoneinfo`. :class:`SlotTable` works out, once per attendee and day,
the status and the tight-gap flag of every slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from scheduling.availability import Status, worst

if TYPE_CHECKING:
    from collections.abc import Mapping

    from allocator.policy import Policy
    from allocator.workdays import WorkingCalendar
    from scheduling.availability import Availability

__all__ = [
    "GAP_STATUSES",
    "Slot",
    "SlotTable",
    "day_slots",
    "make_slots",
    "window_days",
    "working_day_index",
    "working_days_from",
]

GAP_STATUSES = frozenset({Status.BUSY, Status.TENTATIVE})
"""Statuses that count as "another meeting" for the gap criterion."""


def window_days(
    confirmed_on: date, policy: Policy, calendar: WorkingCalendar
) -> tuple[tuple[int, date], ...]:
    """The session window as ``(k, day)`` pairs: the ``k``-th working day after ``confirmed_on``.

    ``k`` runs from ``policy.window_first_day`` to ``policy.window_last_day``
    (default 10 to 15).
    """
    return working_days_from(
        confirmed_on, policy.window_first_day, policy.window_last_day, calendar
    )


def working_days_from(
    confirmed_on: date, first: int, last: int, calendar: WorkingCalendar
) -> tuple[tuple[int, date], ...]:
    if last < first:
        return ()
    day = calendar.add_working_days(confirmed_on, first)
    days = [(first, day)]
    for k in range(first + 1, last + 1):
        day = calendar.next_working_day(day + timedelta(days=1))
        days.append((k, day))
    return tuple(days)


def working_day_index(confirmed_on: date, day: date, calendar: WorkingCalendar) -> int:
    """``k`` with ``calendar.add_working_days(confirmed_on, k) == day`` (``day`` a working day)."""
    return calendar.working_days_between(calendar.next_working_day(confirmed_on), day)


@dataclass(frozen=True, slots=True)
class Slot:
    day: date
    index: int
    start: datetime  # UTC
    end: datetime  # UTC


def day_slots(day: date, policy: Policy) -> tuple[tuple[datetime, datetime], ...]:
    """Session start and end times on ``day``, aware, in ``policy.timezone``.

    Starts are every ``policy.start_grid_minutes`` (default 15) from
    ``policy.day_start`` (default 09:00) such that the session
    (``policy.session_minutes``, default 90) ends by ``policy.day_end``
    (default 17:00).
    """
    zone = ZoneInfo(policy.timezone)
    return tuple(
        (s.start.astimezone(zone), s.end.astimezone(zone)) for s in make_slots(day, policy, zone)
    )


def make_slots(day: date, policy: Policy, zone: ZoneInfo) -> tuple[Slot, ...]:
    session = timedelta(minutes=policy.session_minutes)
    step = timedelta(minutes=policy.start_grid_minutes)
    close = datetime.combine(day, policy.day_end).replace(tzinfo=zone).astimezone(UTC)
    local = datetime.combine(day, policy.day_start)  # wall clock, naive
    slots: list[Slot] = []
    while True:
        start = local.replace(tzinfo=zone).astimezone(UTC)
        end = start + session
        if end > close:
            break
        slots.append(Slot(day, len(slots), start, end))
        local += step
    return tuple(slots)


class SlotTable:
    """Per attendee per day: the status and gap flag of every slot, computed once."""

    def __init__(self, availability: Mapping[str, Availability], policy: Policy) -> None:
        self.availability = availability
        self.policy = policy
        self.zone = ZoneInfo(policy.timezone)
        self.gap = timedelta(minutes=policy.gap_minutes)
        self._slots: dict[date, tuple[Slot, ...]] = {}
        self._states: dict[tuple[str, date], tuple[tuple[Status, bool], ...]] = {}

    def slots(self, day: date) -> tuple[Slot, ...]:
        found = self._slots.get(day)
        if found is None:
            found = self._slots[day] = make_slots(day, self.policy, self.zone)
        return found

    def states(self, email: str, day: date) -> tuple[tuple[Status, bool], ...]:
        """``(status, tight_gap)`` per slot of ``day``; equal to ``Availability.status``."""
        key = (email, day)
        found = self._states.get(key)
        if found is None:
            found = self._states[key] = self._compute(email, self.slots(day))
        return found

    def _compute(self, email: str, slots: tuple[Slot, ...]) -> tuple[tuple[Status, bool], ...]:
        av = self.availability.get(email)
        if av is None or not slots:
            return tuple((Status.UNKNOWN, False) for _ in slots)
        gap = self.gap
        lo, hi = slots[0].start - gap, slots[-1].end + gap
        intervals = av.overlapping(lo, hi)
        coverage = [(a, b) for a, b in av.coverage if a < hi and b > lo]
        near = [i for i in intervals if i.status in GAP_STATUSES] if gap else []
        out: list[tuple[Status, bool]] = []
        for slot in slots:
            s, e = slot.start, slot.end
            status = worst(i.status for i in intervals if i.start < e and i.end > s)
            if not status.blocks and not any(a <= s and e <= b for a, b in coverage):
                status = Status.UNKNOWN
            tight = any(
                (i.start < s and i.end > s - gap) or (i.start < e + gap and i.end > e) for i in near
            )
            out.append((status, tight))
        return tuple(out)
