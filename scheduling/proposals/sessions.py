"""What a batch places: sessions, their attendees, and sessions booked by earlier runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from allocator.errors import InputError
from scheduling.availability import Availability, Interval, Status

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

__all__ = ["Attendee", "Booked", "SessionRequest", "booked_per_day", "with_booked"]


@dataclass(frozen=True)
class Attendee:
    """One person invited to a session.

    Parameters
    ----------
    email
        The person's e-mail; stored stripped and lower case.
    name
        Display name used in reasons (the e-mail when blank).
    required
        Whether the session needs this person (default ``True``).
    facilitator
        Whether this person facilitates the session (default ``False``);
        facilitators are held to the per-day session limit.
    """

    email: str
    name: str
    required: bool = True
    facilitator: bool = False

    def __post_init__(self) -> None:
        email = self.email.strip().casefold()
        if not email:
            raise InputError("an attendee has no e-mail address")
        object.__setattr__(self, "email", email)
        object.__setattr__(self, "name", self.name.strip() or email)


@dataclass(frozen=True)
class SessionRequest:
    """A session to place: one request, its confirmation day and attendees.

    Parameters
    ----------
    request_id
        The request's id.
    confirmed_on
        The day the facilitator confirmed the JAGS; the window counts from it.
    attendees
        Everyone invited (at least one; each e-mail once).
    """

    request_id: str
    confirmed_on: date
    attendees: tuple[Attendee, ...]

    def __post_init__(self) -> None:
        attendees = tuple(self.attendees)
        object.__setattr__(self, "attendees", attendees)
        if not attendees:
            raise InputError(f"request {self.request_id}: session has no attendees")
        seen: set[str] = set()
        for attendee in attendees:
            if attendee.email in seen:
                raise InputError(f"request {self.request_id}: {attendee.email} is listed twice")
            seen.add(attendee.email)


@dataclass(frozen=True)
class Booked:
    """A session already booked in an earlier run (the ledger's), kept clear of.

    Its attendees are busy for its time, and it counts towards each of its
    facilitators' sessions that day (``policy.max_sessions_per_facilitator_per_day``).

    Parameters
    ----------
    request_id
        The booked request.
    start, end
        Aware datetimes.
    attendees
        E-mails of everyone invited (stored lower case).
    facilitators
        E-mails of its facilitators (stored lower case).
    """

    request_id: str
    start: datetime
    end: datetime
    attendees: tuple[str, ...]
    facilitators: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InputError(f"booked session {self.request_id} ends before it starts")
        object.__setattr__(self, "attendees", tuple(e.strip().casefold() for e in self.attendees))
        object.__setattr__(
            self, "facilitators", tuple(e.strip().casefold() for e in self.facilitators)
        )


def booked_per_day(booked: Iterable[Booked], zone: ZoneInfo) -> dict[tuple[str, date], int]:
    """Sessions already booked per facilitator e-mail and local day."""
    taken: dict[tuple[str, date], int] = {}
    for item in booked:
        day = item.start.astimezone(zone).date()
        for email in item.facilitators:
            taken[email, day] = taken.get((email, day), 0) + 1
    return taken


def with_booked(
    availability: dict[str, Availability], booked: Iterable[Booked]
) -> dict[str, Availability]:
    """Availability with every booked session busy for its attendees."""
    extra: dict[str, list[Interval]] = {}
    for item in booked:
        for email in item.attendees:
            extra.setdefault(email, []).append(Interval(item.start, item.end, Status.BUSY))
    out = dict(availability)
    for email, spans in extra.items():
        mine = Availability(email=email, intervals=tuple(spans), source="ledger")
        out[email] = out[email].merged(mine) if email in out else mine
    return out
