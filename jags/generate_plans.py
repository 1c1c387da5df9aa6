"""Working patterns behind the sample's calendars, whatever program exports them.

A :class:`Plan` is one person's ten weeks (23 November 2026 – 31 January
2027): a weekly team meeting and fortnightly supervision (each a recurring
series with cancelled and moved occurrences), ad-hoc meetings, leave and a
free day. :mod:`jags.generate_ics` writes a plan as an Outlook, Google or
macOS export; :func:`availability_rows` writes it as ``availability.csv``
rows. Working days come from :class:`allocator.WorkingCalendar`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from allocator.workdays import WorkingCalendar

if TYPE_CHECKING:
    import random
    from collections.abc import Iterable, Sequence

__all__ = [
    "BLOCKS",
    "FIRST_DAY",
    "LAST_DAY",
    "STAMP",
    "UNTIL",
    "WEEKDAYS",
    "Event",
    "Plan",
    "Series",
    "availability_rows",
    "first_on",
    "make_plan",
    "quiet",
    "uid",
]

FIRST_DAY = date(2026, 11, 23)
LAST_DAY = date(2027, 1, 31)
STAMP = datetime(2026, 11, 20, 9, tzinfo=UTC)
"""DTSTAMP of every exported event."""
UNTIL = datetime.combine(LAST_DAY, time(23, 59, 59), UTC)
"""End of every recurring series."""
_AD_HOC = (
    "Meeting",
    "Meeting",
    "Planning meeting",
    "Catch-up",
    "Service meeting",
    "Panel",
    "Training",
    "Clinic",
    "Duty",
    "Focus time",
)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_CALENDAR = WorkingCalendar()
"""England and Wales bank holidays (in the period: 25 and 28 December, 1 January)."""
_QUIET = (date(2026, 12, 21), date(2027, 1, 1))
"""The Christmas weeks: team meetings are off and there are few other meetings."""
_CLOSURE = ((date(2026, 12, 24), date(2026, 12, 24)), (date(2026, 12, 29), date(2026, 12, 31)))
"""Working days many teams close between Christmas and New Year (taken as leave)."""
BLOCKS = ((date(2026, 12, 14), date(2026, 12, 16)), (date(2026, 12, 17), date(2026, 12, 21)))
"""Multi-day leave of two attendees inside the demo's session window (14–21 Dec)."""


@dataclass(frozen=True)
class Event:
    """One timed or all-day event in London local time (GMT all period)."""

    summary: str
    start: datetime | date
    end: datetime | date
    status: str = "busy"  # busy | tentative | oof | free


@dataclass(frozen=True)
class Series:
    """A weekly or fortnightly meeting, written as one VEVENT with an RRULE.

    ``skipped`` are the dates of cancelled occurrences (EXDATE); ``moved``
    is one occurrence (by its original date) moved to a new start
    (RECURRENCE-ID).
    """

    key: str
    summary: str
    first: datetime
    minutes: int
    weeks: int = 1
    skipped: tuple[date, ...] = ()
    moved: tuple[date, datetime] | None = None

    @property
    def length(self) -> timedelta:
        return timedelta(minutes=self.minutes)

    @property
    def byday(self) -> str:
        return WEEKDAYS[self.first.weekday()]

    def days(self) -> list[date]:
        """Every date the rule gives, before EXDATE."""
        out, day = [], self.first.date()
        while day <= LAST_DAY:
            out.append(day)
            day += timedelta(weeks=self.weeks)
        return out

    def start_on(self, day: date) -> datetime:
        return datetime.combine(day, self.first.time())

    def occurrences(self) -> list[tuple[datetime, datetime]]:
        """The meeting's actual times: EXDATE removed, the moved one moved."""
        out = []
        for day in self.days():
            if day in self.skipped:
                continue
            begin = self.moved[1] if self.moved and self.moved[0] == day else self.start_on(day)
            out.append((begin, begin + self.length))
        return out


@dataclass(frozen=True)
class Plan:
    """One person's working pattern, whatever program exports it."""

    team: Series
    supervision: Series
    meetings: tuple[Event, ...]
    leave: tuple[tuple[date, date], ...]  # inclusive, merged, sorted
    free_day: date  # a working day marked free (working from home, study day)


def uid(email: str, key: str) -> str:
    return hashlib.sha256(f"{email}|{key}".encode()).hexdigest()


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def _working(day: date) -> bool:
    return _CALENDAR.is_working_day(day)


def quiet(day: date) -> bool:
    return _QUIET[0] <= day <= _QUIET[1]


def _merge(ranges: Iterable[tuple[date, date]]) -> tuple[tuple[date, date], ...]:
    """Inclusive date ranges merged where they overlap or touch."""
    out: list[tuple[date, date]] = []
    for first, last in sorted(ranges):
        if out and first <= out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], last))
        else:
            out.append((first, last))
    return tuple(out)


def first_on(weekday: int, weeks_in: int = 0) -> date:
    """The first ``weekday`` of the period, ``weeks_in`` weeks on."""
    return FIRST_DAY + timedelta(days=(weekday - FIRST_DAY.weekday()) % 7, weeks=weeks_in)


def make_plan(rng: random.Random, fixed_leave: Sequence[tuple[date, date]]) -> Plan:
    """A realistic fortnight-after-fortnight: team meeting, supervision, 3–8 other
    meetings a week (0–2 over Christmas), a few days' leave."""
    working = [d for d in _days(FIRST_DAY, LAST_DAY) if _working(d)]
    ranges = list(fixed_leave)
    ranges += [r for r in _CLOSURE if rng.random() < 0.45]
    ranges += [(d, d) for d in rng.sample(working, rng.choice((0, 1, 1, 2)))]
    leave = _merge(ranges)
    off = {d for first, last in leave for d in _days(first, last)}

    weekday = rng.choice((0, 1, 1, 2, 2, 3, 3, 4))
    hour, minute = rng.choice(((9, 0), (9, 30), (10, 0), (10, 0), (14, 0)))
    team_first = datetime.combine(first_on(weekday), time(hour, minute))
    team_days = [first_on(weekday, k) for k in range(10)]
    skipped = tuple(d for d in team_days if quiet(d) or not _working(d))
    moved_day = rng.choice([d for d in team_days[1:8] if d not in skipped])
    moved_to = moved_day + timedelta(days=1 if moved_day.weekday() < 4 else -1)
    team = Series(
        "team",
        "Team meeting",
        team_first,
        60,
        skipped=skipped,
        moved=(moved_day, datetime.combine(moved_to, time(rng.choice((11, 15)), 0))),
    )

    weekday = rng.choice((0, 1, 2, 3, 4))
    hour, minute = rng.choice(((10, 0), (11, 0), (13, 30), (14, 0), (15, 0)))
    sup_first = datetime.combine(first_on(weekday, rng.choice((0, 1))), time(hour, minute))
    supervision = Series("supervision", "Supervision", sup_first, rng.choice((60, 90)), weeks=2)
    supervision = replace(
        supervision, skipped=tuple(d for d in supervision.days() if not _working(d))
    )

    taken: dict[date, list[tuple[datetime, datetime]]] = {}
    for begin, end in team.occurrences() + supervision.occurrences():
        taken.setdefault(begin.date(), []).append((begin, end))
    meetings: list[Event] = []
    for week in range(10):
        monday = FIRST_DAY + timedelta(weeks=week)
        days = [
            d for d in _days(monday, monday + timedelta(days=4)) if _working(d) and d not in off
        ]
        wanted = rng.randint(0, 2) if quiet(monday + timedelta(days=3)) else rng.randint(3, 8)
        placed = 0
        for _ in range(wanted * 6):
            if placed == wanted or not days:
                break
            day = rng.choice(days)
            length = timedelta(minutes=rng.choice((30, 45, 60, 60, 60, 90, 90, 120)))
            begin = datetime.combine(day, time(9)) + timedelta(minutes=30 * rng.randrange(16))
            end = begin + length
            if end > datetime.combine(day, time(17)) or any(
                a < end and begin < b for a, b in taken.get(day, ())
            ):
                continue
            taken.setdefault(day, []).append((begin, end))
            status = "tentative" if rng.random() < 0.15 else "busy"
            meetings.append(Event(rng.choice(_AD_HOC), begin, end, status))
            placed += 1
    meetings.sort(key=lambda e: (e.start, e.summary))
    free_day = rng.choice([d for d in working if d not in off and not quiet(d)] or working)
    return Plan(team, supervision, tuple(meetings), leave, free_day)


def availability_rows(email: str, plan: Plan) -> list[list[str]]:
    """The same working pattern as free/busy rows (recurring meetings expanded)."""

    def moment(value: datetime) -> str:
        return f"{value:%Y-%m-%dT%H:%M}"

    first = datetime.combine(FIRST_DAY, time(0))
    last = datetime.combine(LAST_DAY + timedelta(days=1), time(0))
    timed = [(b, e, "busy") for b, e in plan.team.occurrences() + plan.supervision.occurrences()]
    for event in plan.meetings:
        assert isinstance(event.start, datetime) and isinstance(event.end, datetime)
        timed.append((event.start, event.end, event.status))
    timed += [
        (datetime.combine(a, time(0)), datetime.combine(b + timedelta(days=1), time(0)), "oof")
        for a, b in plan.leave
    ]
    return [[email, moment(first), moment(last), "free"]] + [
        [email, moment(b), moment(e), status] for b, e, status in sorted(timed)
    ]
