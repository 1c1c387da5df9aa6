"""Scheduling engine for JAGS Planner: availability, calendar sources, proposals, invitations.

Pure: no files, no printing. In: sessions with their attendees, availability
from the calendar sources, a policy and a working-day calendar. Out: ranked
proposals with per-attendee availability, and iCalendar documents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scheduling import sources
from scheduling.availability import Availability, CalendarSource, Interval, Status, merge_all
from scheduling.invitations import (
    Person,
    Session,
    cancel_ics,
    eml_bytes,
    release_holds_ics,
    request_ics,
    uid_for,
)
from scheduling.proposals import (
    Attendee,
    Booked,
    Option,
    RequestProposal,
    ScheduleResult,
    SessionRequest,
    has_free_slot,
    propose,
    window_days,
)
from scheduling.sources import (
    CalendarError,
    CalendarServiceError,
    IcsSource,
    RowsSource,
)

if TYPE_CHECKING:
    from scheduling.sources import ExchangeSource, GraphSource


def __getattr__(name: str) -> Any:
    if name in ("ExchangeSource", "GraphSource"):  # loaded (with an HTTP client) when used
        return getattr(sources, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "Attendee",
    "Availability",
    "Booked",
    "CalendarError",
    "CalendarServiceError",
    "CalendarSource",
    "ExchangeSource",
    "GraphSource",
    "IcsSource",
    "Interval",
    "Option",
    "Person",
    "RequestProposal",
    "RowsSource",
    "ScheduleResult",
    "Session",
    "SessionRequest",
    "Status",
    "cancel_ics",
    "eml_bytes",
    "has_free_slot",
    "merge_all",
    "propose",
    "release_holds_ics",
    "request_ics",
    "uid_for",
    "window_days",
]
