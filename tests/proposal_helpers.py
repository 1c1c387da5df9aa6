"""Small builders shared by the tests of scheduling.proposals (one tiny model per rule)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from allocator.policy import Policy
from allocator.workdays import WorkingCalendar
from scheduling.availability import Availability, Interval, Status
from scheduling.proposals import Attendee, Option, ScheduleResult, SessionRequest

LONDON = ZoneInfo("Europe/London")
CAL = WorkingCalendar()
POLICY = Policy()
COVER = ((datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)),)
# Confirmed on Thu 5 Nov 2026: window = working days 10–15 = Thu 19 Nov .. Thu 26 Nov.
CONFIRMED = date(2026, 11, 5)
D10, D11, D12 = date(2026, 11, 19), date(2026, 11, 20), date(2026, 11, 23)
SLOTS_PER_DAY = 27  # 09:00 .. 15:30 every 15 minutes


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def person(
    email: str,
    *spans: tuple[datetime, datetime, Status],
    coverage: tuple[tuple[datetime, datetime], ...] = COVER,
) -> Availability:
    return Availability(
        email, coverage=coverage, intervals=tuple(Interval(a, b, s) for a, b, s in spans)
    )


def whole_day(day: date, status: Status = Status.BUSY) -> tuple[datetime, datetime, Status]:
    return (at(day, 0), at(day, 23, 59), status)


def session(rid: str, *attendees: Attendee, confirmed: date = CONFIRMED) -> SessionRequest:
    return SessionRequest(rid, confirmed, attendees)


FAC = Attendee("fac@x.org", "Fran Facilitator", facilitator=True)
REQ = Attendee("req@x.org", "Rita Requester")
KHAN = Attendee("khan@x.org", "Dr A Khan")


def free(*attendees: Attendee) -> dict[str, Availability]:
    return {a.email: person(a.email) for a in attendees}


def first(result: ScheduleResult, rid: str) -> Option:
    return result.proposals[rid].options[0]
