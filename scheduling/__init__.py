"""Scheduling engine for JAGS Planner: availability, calendar sources, proposals, invitations.

Pure: no files, no printing. In: sessions with their attendees, availability
from the calendar sources, a policy and a working-day calendar. Out: ranked
proposals with per-attendee availability, and iCalendar documents.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from scheduling.availability import Availability, CalendarSource, Interval, Status, merge_all

if TYPE_CHECKING:
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
        ExchangeSource,
        GraphSource,
        IcsSource,
        RowsSource,
    )

_LAZY = {
    **dict.fromkeys(
        (
            "Person",
            "Session",
            "cancel_ics",
            "eml_bytes",
            "release_holds_ics",
            "request_ics",
            "uid_for",
        ),
        "scheduling.invitations",
    ),
    **dict.fromkeys(
        (
            "Attendee",
            "Booked",
            "Option",
            "RequestProposal",
            "ScheduleResult",
            "SessionRequest",
            "has_free_slot",
            "propose",
            "window_days",
        ),
        "scheduling.proposals",
    ),
    **dict.fromkeys(
        (
            "CalendarError",
            "CalendarServiceError",
            "ExchangeSource",
            "GraphSource",
            "IcsSource",
            "RowsSource",
        ),
        "scheduling.sources",
    ),
}
"""Names loaded on first use: the proposals load CP-SAT, the sources icalendar and an HTTP
client, so a command that needs neither (``jags status``) never pays for them."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
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
