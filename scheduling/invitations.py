"""Calendar invitations for JAGS sessions (iCalendar, RFC 5545 / iTIP, RFC 5546).

Every document is built from a :class:`Session` and a
:class:`~allocator.policy.Policy` only: the functions never see a case
reference, a child's or family member's name, or a request's free text, so
they cannot leak them. Summaries, subjects and file names carry the request
id and the words "Joint Agency Group Supervision" and nothing else.

Output is deterministic: the same inputs (including ``dtstamp``) give
byte-identical documents. Times are written with ``TZID=`` the policy's time
zone and a VTIMEZONE in RRULE form derived from the zone database
(:mod:`scheduling.vtimezone`; Outlook mishandles the RDATE form some
libraries generate); for a zone without yearly rules, before a zone's
current rules or in the repeated hour of an autumn clock change they are
written in UTC. E-mails carrying them are made by :mod:`scheduling.imip`.

The module is pure: no file or network I/O, no printing.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Literal, get_args
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress

from scheduling.imip import Person, check_aware, check_email, check_text, eml_bytes
from scheduling.vtimezone import vtimezone_for

if TYPE_CHECKING:
    from collections.abc import Mapping

    from allocator.policy import Policy

__all__ = [
    "PRODID",
    "SERVICE_NAME",
    "Attendee",
    "Method",
    "Person",
    "Role",
    "Session",
    "cancel_ics",
    "eml_bytes",
    "message_id_for",
    "release_holds_ics",
    "request_ics",
    "subject_for",
    "summary_for",
    "uid_for",
]

SERVICE_NAME = "Joint Agency Group Supervision"
"""The only words, besides the request id, that name a session anywhere."""

PRODID = "-//JAGS Planner//Invitations 1.0//EN"
"""The iCalendar PRODID of every document (RFC 5545 3.7.3)."""

Role = Literal["CHAIR", "REQ-PARTICIPANT", "OPT-PARTICIPANT"]
Method = Literal["REQUEST", "CANCEL"]

_ROLES: frozenset[str] = frozenset(get_args(Role))
_METHODS: frozenset[str] = frozenset(get_args(Method))
_UID_NAMESPACE = uuid.UUID("6f1c2a4e-5b7d-5e1a-9c3f-4a2b8d0e7f16")
"""Fixed namespace for :func:`uuid.uuid5`; changing it changes every UID."""


@dataclass(frozen=True, slots=True)
class Attendee:
    """One invited professional and their RFC 5545 participation role.

    Parameters
    ----------
    name
        Display name.
    email
        Plain e-mail address.
    role
        ``"CHAIR"`` for the facilitator(s), ``"REQ-PARTICIPANT"`` for the
        requester and required participants, ``"OPT-PARTICIPANT"`` for optional ones.
    """

    name: str
    email: str
    role: Role

    def __post_init__(self) -> None:
        check_text(self.name, "attendee name")
        check_email(self.email, "attendee e-mail address")
        if self.role not in _ROLES:
            raise ValueError(f"attendee role {self.role!r} is not one of {sorted(_ROLES)}")


@dataclass(frozen=True, slots=True)
class Session:
    """One JAGS session to invite to: what the invitation may say, and nothing more.

    Parameters
    ----------
    request_id
        The request's id, e.g. ``"R-001"``: the only identifier that appears.
    start, end
        Aware datetimes in any zone, whole seconds; ``end`` after ``start``.
    organizer
        The mailbox that sends the invitation and receives the replies.
    attendees
        Everyone invited, in the order they are written; e-mail addresses are
        unique (case-insensitive). The organizer is listed here too when they
        attend; the facilitator(s) with role ``"CHAIR"``.
    sequence
        iTIP revision (RFC 5545 3.8.7.4): 0 for the first invitation, raised by
        the caller for every update or cancellation. Default 0.
    location
        Where the session is held (a room or "Online"), or ``None`` (default).
    """

    request_id: str
    start: datetime
    end: datetime
    organizer: Person
    attendees: tuple[Attendee, ...]
    sequence: int = 0
    location: str | None = None

    def __post_init__(self) -> None:
        check_text(self.request_id, "request id")
        check_aware(self.start, "session start")
        check_aware(self.end, "session end")
        if self.start.microsecond or self.end.microsecond:
            raise ValueError(f"session {self.request_id}: times must be whole seconds")
        if self.end <= self.start:
            raise ValueError(f"session {self.request_id}: end is not after start")
        if not isinstance(self.attendees, tuple):
            raise TypeError("attendees must be a tuple")
        if not self.attendees:
            raise ValueError(f"session {self.request_id}: no attendees")
        seen: set[str] = set()
        for attendee in self.attendees:
            key = attendee.email.casefold()
            if key in seen:
                raise ValueError(f"session {self.request_id}: an attendee is listed twice")
            seen.add(key)
        if self.sequence < 0:
            raise ValueError(f"session {self.request_id}: sequence is negative")
        if self.location is not None:
            check_text(self.location, "location")


# --------------------------------------------------------------------------- names


def uid_for(request_id: str, domain: str = "jags-planner.invalid") -> str:
    """A stable iCalendar UID for ``request_id``.

    Parameters
    ----------
    request_id
        The request id (or, for a provisional hold, ``"<request_id>-hold-<option>"``).
    domain
        Right-hand side of the UID (default ``"jags-planner.invalid"``).

    Returns
    -------
    str
        ``"<uuid5>@<domain>"``: the same request id always gives the same UID,
        and the UID reveals nothing but a hash of the request id.
    """
    check_text(request_id, "request id")
    check_text(domain, "UID domain")
    return f"{uuid.uuid5(_UID_NAMESPACE, request_id)}@{domain}"


def _hold_key(request_id: str, option: int) -> str:
    return f"{request_id}-hold-{option}"


def summary_for(request_id: str, *, option: int | None = None) -> str:
    """The SUMMARY of a session: the service name and the request id, nothing else.

    Parameters
    ----------
    request_id
        The request id.
    option
        For a provisional hold, its option number (1 = best); ``None`` (default)
        for the session itself.
    """
    check_text(request_id, "request id")
    summary = f"{SERVICE_NAME} – {request_id}"
    if option is not None:
        summary += f" (provisional hold, option {option})"
    return summary


def subject_for(
    request_id: str, *, method: Method, option: int | None = None, update: bool = False
) -> str:
    """An e-mail subject for an invitation, safe under the privacy rule.

    Parameters
    ----------
    request_id
        The request id.
    method
        ``"REQUEST"`` or ``"CANCEL"``.
    option
        Hold option number, or ``None`` (default) for the session itself.
    update
        A REQUEST that changes an earlier invitation (default ``False``).
    """
    if method not in _METHODS:
        raise ValueError(f"method {method!r} is not one of {sorted(_METHODS)}")
    summary = summary_for(request_id, option=option)
    if method == "CANCEL":
        prefix = "Released" if option is not None else "Cancelled"
    else:
        prefix = "Updated invitation" if update else "Invitation"
    return f"{prefix}: {summary}"


def message_id_for(
    request_id: str,
    *,
    method: Method,
    sequence: int,
    ics: bytes,
    domain: str = "jags-planner.invalid",
) -> str:
    """A deterministic RFC 5322 Message-ID for one invitation e-mail.

    Parameters
    ----------
    request_id, method, sequence
        What the message is about.
    ics
        The iCalendar document it carries (so different documents get different ids).
    domain
        Right-hand side (default ``"jags-planner.invalid"``; pass the sender's domain).

    Returns
    -------
    str
        ``"<hash@domain>"``, angle brackets included.
    """
    check_text(domain, "message-id domain")
    digest = hashlib.sha256(
        b"\0".join(
            [request_id.encode("utf-8"), method.encode("ascii"), str(sequence).encode("ascii"), ics]
        )
    ).hexdigest()[:32]
    return f"<{digest}@{domain}>"


# --------------------------------------------------------------------------- documents


def _description(session: Session, policy: Policy, *, option: int | None, cancelled: bool) -> str:
    if cancelled:
        if option is not None:
            return (
                f"This provisional hold (option {option}) for {SERVICE_NAME} "
                f"{session.request_id} is released: the time is no longer needed. "
                "Please remove it from your calendar."
            )
        return (
            f"{SERVICE_NAME} {session.request_id} at this time is cancelled. "
            "Please remove it from your calendar."
        )
    minutes = int((session.end - session.start).total_seconds() // 60)
    paragraphs = [
        f"{SERVICE_NAME} (JAGS) {session.request_id}, arranged through the "
        f"{policy.partnership} Business Unit.",
        "JAGS is reflective group supervision for the professionals working with "
        "a family: a safe space to slow our thinking down, to reflect together on "
        "work that feels complex or stuck, and on how we work together as a "
        "network and the emotional impact of the work on us. It is not a case "
        "planning, decision-making or information-sharing meeting and does not "
        "replace any statutory meeting.",
        f"The session lasts {minutes} minutes. The last {policy.feedback_minutes} "
        "minutes are kept for everyone to complete the JAGS feedback form.",
    ]
    if policy.chronologies_required:
        days = policy.chronology_due_days
        paragraphs.append(
            f"Please send your agency's chronology to the facilitator {days} working "
            f"day{'s' if days != 1 else ''} before the session."
        )
    if option is not None:
        paragraphs.append(
            f"This is a provisional hold (option {option}) while a time is agreed. "
            "It will be confirmed by a separate invitation or released."
        )
    paragraphs.append("Please do not reply to this invitation with case details.")
    return "\n\n".join(paragraphs)


def _unambiguous(local: datetime) -> bool:
    """Whether the wall-clock time ``local`` names one instant only (not in a repeated hour)."""
    return local.replace(fold=0).astimezone(UTC) == local.replace(fold=1).astimezone(UTC)


def _address(person: Person | Attendee) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    # Outlook does not read RFC 6868 caret escapes: keep names free of double quotes.
    address.params["CN"] = person.name.replace('"', "'")
    return address


def _calendar(
    session: Session,
    policy: Policy,
    *,
    method: Method,
    dtstamp: datetime,
    option: int | None,
    status: str,
) -> bytes:
    check_aware(dtstamp, "dtstamp")
    if option is not None and option < 1:
        raise ValueError(f"hold option {option} is not a positive number")
    cancelled = method == "CANCEL"
    # Local time in the policy's zone with its RRULE-form VTIMEZONE, except
    # where that cannot name the instant exactly: a zone whose clock changes
    # follow no yearly rules, a time before its current rules, or the
    # repeated hour of an autumn change. Then UTC.
    rules = vtimezone_for(policy.timezone, session.start.astimezone(UTC).year)
    zone: tzinfo = ZoneInfo(policy.timezone)
    local = rules is not None and all(
        rules.covers(moment) and _unambiguous(moment.astimezone(zone))
        for moment in (session.start, session.end)
    )
    if not local:
        zone = UTC

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if local and rules is not None:
        calendar.add_component(rules.component())

    uid_key = session.request_id if option is None else _hold_key(session.request_id, option)
    event = Event()
    event.add("uid", uid_for(uid_key))
    event.add("dtstamp", dtstamp.astimezone(UTC).replace(microsecond=0))
    event.add("sequence", session.sequence)
    event.add("dtstart", session.start.astimezone(zone))
    event.add("dtend", session.end.astimezone(zone))
    event.add("summary", summary_for(session.request_id, option=option))
    event.add("description", _description(session, policy, option=option, cancelled=cancelled))
    if session.location is not None:
        event.add("location", session.location)
    event.add("status", status)
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    event.add(
        "x-microsoft-cdo-busystatus",
        "FREE" if cancelled else ("TENTATIVE" if status == "TENTATIVE" else "BUSY"),
    )
    event.add("organizer", _address(session.organizer))
    for attendee in session.attendees:
        address = _address(attendee)
        address.params["ROLE"] = attendee.role
        address.params["PARTSTAT"] = "NEEDS-ACTION"
        address.params["RSVP"] = "TRUE"
        event.add("attendee", address)
    calendar.add_component(event)
    ics: bytes = calendar.to_ical(sorted=False)
    return ics


def request_ics(
    session: Session,
    policy: Policy,
    *,
    dtstamp: datetime,
    hold: bool = False,
    option: int | None = None,
) -> bytes:
    """An iTIP REQUEST: the invitation itself, an update of it, or a provisional hold.

    Parameters
    ----------
    session
        What to invite to. For an update, pass the same request id with a
        raised ``sequence``: the UID stays the same.
    policy
        Supplies the feedback minutes, the chronology rule, the partnership
        name and the time zone.
    dtstamp
        When the document was made (aware; written in UTC). Pass a fixed
        value for byte-identical re-exports.
    hold
        A provisional hold (STATUS:TENTATIVE) for one proposed option instead
        of the confirmed session (default ``False``).
    option
        The hold's option number (1 = best); required when ``hold`` and
        refused otherwise. Each option gets its own UID.

    Returns
    -------
    bytes
        A UTF-8 iCalendar object with CRLF line endings, folded at 75 octets.

    Raises
    ------
    ValueError
        A naive ``dtstamp``, or ``hold`` and ``option`` that do not agree.
    """
    if hold != (option is not None):
        raise ValueError("a hold needs an option number, and only a hold takes one")
    return _calendar(
        session,
        policy,
        method="REQUEST",
        dtstamp=dtstamp,
        option=option,
        status="TENTATIVE" if hold else "CONFIRMED",
    )


def cancel_ics(
    session: Session, policy: Policy, *, dtstamp: datetime, option: int | None = None
) -> bytes:
    """An iTIP CANCEL of a whole session (or of one provisional hold).

    Parameters
    ----------
    session
        The session as invited, with ``sequence`` already raised by the
        caller; every attendee is listed, so the cancellation reaches all.
    policy
        As for :func:`request_ics`.
    dtstamp
        When the document was made (aware).
    option
        Cancel the provisional hold with this option number instead of the
        session (default ``None``).

    Returns
    -------
    bytes
        METHOD:CANCEL with the same UID and STATUS:CANCELLED.
    """
    return _calendar(
        session, policy, method="CANCEL", dtstamp=dtstamp, option=option, status="CANCELLED"
    )


def release_holds_ics(
    holds: Mapping[int, Session], policy: Policy, *, dtstamp: datetime
) -> dict[int, bytes]:
    """Cancellations for provisional holds, one document per hold (one UID per iTIP object).

    Parameters
    ----------
    holds
        Option number → the held session (its time and raised ``sequence``).
    policy, dtstamp
        As for :func:`cancel_ics`.

    Returns
    -------
    dict[int, bytes]
        Option number → METHOD:CANCEL document, in ascending option order.
    """
    return {
        option: cancel_ics(holds[option], policy, dtstamp=dtstamp, option=option)
        for option in sorted(holds)
    }
