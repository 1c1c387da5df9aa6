"""Sessions and the outbox: booking, moving facilitators, cancelling, and sending.

The outbox keeps every version of every invitation (UID, SEQUENCE, METHOD,
body, status, attempts, the provider's id). Sending claims a message before it
goes out and marks it after, so a message is never sent twice; a failed one
stays queued with its error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from allocator import Policy
from allocator.workdays import DEFAULT_ZONE
from jags.ledger.lifecycle import EventKind, State
from jags.ledger.models import (
    Allocation,
    Batch,
    LedgerFacilitator,
    LedgerParticipant,
    LedgerRequest,
    LedgerSession,
    OutboxMessage,
    Partnership,
)
from jags.ledger.records import aware, utc_naive
from jags.messages import invitation_text, location_for
from scheduling.invitations import (
    Attendee,
    Person,
    Session,
    cancel_ics,
    request_ics,
    subject_for,
    uid_for,
)
from scheduling.proposals import Booked

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as DbSession

Method = Literal["REQUEST", "CANCEL"]


def stamp_for(day: date, zone: str = DEFAULT_ZONE) -> datetime:
    """DTSTAMP for documents made on ``day``: midnight there in the policy's zone (stable
    re-runs)."""
    return datetime.combine(day, time(0), ZoneInfo(zone))


@dataclass(frozen=True)
class Candidate:
    """A confirmed request waiting for a session: who to invite and from when."""

    request_id: str
    confirmed_on: date
    organizer: dict[str, str]
    attendees: list[dict[str, str]]
    location: str | None


def invitation(
    request_id: str,
    organizer: dict[str, str],
    attendees: list[dict[str, str]],
    start: datetime,
    end: datetime,
    sequence: int,
    location: str | None,
) -> Session:
    """The scheduling engine's :class:`Session` for an invitation."""
    return Session(
        request_id=request_id,
        start=start,
        end=end,
        organizer=Person(organizer["name"], organizer["email"]),
        attendees=tuple(
            Attendee(a["name"], a["email"], a["role"])  # type: ignore[arg-type]
            for a in attendees
        ),
        sequence=sequence,
        location=location,
    )


# Who is invited --------------------------------------------------------------------


def people(
    session: DbSession, key: str, request: LedgerRequest, facilitator_ids: list[str]
) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Organizer (the requester) and attendees: facilitators (CHAIR, lead first), the
    requester and the participants, each e-mail once."""
    organizer = {
        "name": request.requester_name or request.requester_email or "",
        "email": request.requester_email or "",
    }
    found: dict[str, dict[str, str]] = {}
    for fid in facilitator_ids:
        fac = session.get(LedgerFacilitator, (key, fid))
        if fac is not None:
            found.setdefault(
                fac.email.casefold(), {"name": fac.name, "email": fac.email, "role": "CHAIR"}
            )
    found.setdefault(organizer["email"].casefold(), {**organizer, "role": "REQ-PARTICIPANT"})
    for p in session.scalars(
        select(LedgerParticipant)
        .where(
            LedgerParticipant.partnership == key, LedgerParticipant.request_id == request.request_id
        )
        .order_by(LedgerParticipant.position)
    ):
        if p.email:
            role = "REQ-PARTICIPANT" if p.attendance == "required" else "OPT-PARTICIPANT"
            found.setdefault(
                p.email.casefold(), {"name": p.name or p.email, "email": p.email, "role": role}
            )
    return organizer, list(found.values())


def facilitators_of(session: DbSession, key: str, request_id: str) -> list[str]:
    """A request's current facilitators, lead first."""
    rows = session.scalars(
        select(Allocation)
        .where(
            Allocation.partnership == key,
            Allocation.request_id == request_id,
            Allocation.status == "open",
        )
        .order_by(Allocation.id)
    )
    return [a.facilitator_id for a in sorted(rows, key=lambda a: a.role == "co")]


def candidates(session: DbSession, key: str) -> list[Candidate]:
    """Confirmed requests with no booked session, oldest confirmation first."""
    booked = set(
        session.scalars(
            select(LedgerSession.request_id).where(
                LedgerSession.partnership == key, LedgerSession.status == "booked"
            )
        )
    )
    rows = session.scalars(
        select(LedgerRequest)
        .where(LedgerRequest.partnership == key, LedgerRequest.state == State.CONFIRMED.value)
        .order_by(LedgerRequest.confirmed_on, LedgerRequest.request_id)
    )
    found = []
    for row in rows:
        if row.request_id in booked or row.confirmed_on is None:
            continue
        organizer, attendees = people(
            session, key, row, facilitators_of(session, key, row.request_id)
        )
        found.append(
            Candidate(
                row.request_id, row.confirmed_on, organizer, attendees, location_for(row.mode)
            )
        )
    return found


def booked_sessions(session: DbSession, key: str) -> list[Booked]:
    """Every session booked on the ledger, for the engine to keep clear of."""
    out = []
    for row in session.scalars(
        select(LedgerSession)
        .where(LedgerSession.partnership == key, LedgerSession.status == "booked")
        .order_by(LedgerSession.id)
    ):
        attendees = json.loads(row.attendees)
        out.append(
            Booked(
                row.request_id,
                aware(row.start),
                aware(row.end),
                tuple(a["email"] for a in attendees),
                tuple(a["email"] for a in attendees if a["role"] == "CHAIR"),
            )
        )
    return out


# Booking and changing sessions -------------------------------------------------------------


def _policy(session: DbSession, key: str) -> Policy:
    row = session.get(Partnership, key)
    assert row is not None
    return Policy.from_toml(row.policy, "the ledger's policy")


def queue(
    session: DbSession,
    key: str,
    invite: Session,
    *,
    method: Method,
    on: date,
    batch: Batch,
    recipients: list[dict[str, str]] | None = None,
    update: bool = False,
) -> OutboxMessage:
    """Render an invitation and put it in the outbox (status ``queued``)."""
    policy = _policy(session, key)
    stamp = stamp_for(on, policy.timezone)
    ics = (
        request_ics(invite, policy, dtstamp=stamp)
        if method == "REQUEST"
        else cancel_ics(invite, policy, dtstamp=stamp)
    )
    to = (
        recipients
        if recipients is not None
        else [{"name": a.name, "email": a.email} for a in invite.attendees]
    )
    message = OutboxMessage(
        partnership=key,
        request_id=invite.request_id,
        name=invite.request_id,
        uid=uid_for(invite.request_id),
        sequence=invite.sequence,
        method=method,
        recipients=json.dumps([{"name": p["name"], "email": p["email"]} for p in to]),
        subject=subject_for(invite.request_id, method=method, update=update),
        text=invitation_text(invite.request_id, method=method),
        ics=ics,
        status="queued",
        attempts=0,
        batch_id=batch.id,
    )
    session.add(message)
    return message


def book(
    session: DbSession,
    key: str,
    candidate: Candidate,
    start: datetime,
    end: datetime,
    on: date,
    by: str,
    batch: Batch,
) -> OutboxMessage:
    """Book a session for a confirmed request and queue its invitation."""
    from jags.ledger.events import add_event

    row = LedgerSession(
        partnership=key,
        request_id=candidate.request_id,
        start=utc_naive(start),
        end=utc_naive(end),
        uid=uid_for(candidate.request_id),
        sequence=0,
        status="booked",
        organizer=json.dumps(candidate.organizer),
        attendees=json.dumps(candidate.attendees),
        location=candidate.location,
        confirmed_on=candidate.confirmed_on,
        batch_id=batch.id,
    )
    existing = session.scalars(
        select(LedgerSession).where(
            LedgerSession.partnership == key, LedgerSession.request_id == candidate.request_id
        )
    ).first()
    if existing is not None:  # a cancelled session booked again: same UID, next SEQUENCE
        existing.start, existing.end = row.start, row.end
        existing.sequence += 1
        existing.status, existing.attendees = "booked", row.attendees
        existing.organizer, existing.batch_id = row.organizer, batch.id
        existing.confirmed_on = candidate.confirmed_on
        row = existing
    else:
        session.add(row)
    request = session.get(LedgerRequest, (key, candidate.request_id))
    assert request is not None
    lead = facilitators_of(session, key, candidate.request_id)
    add_event(
        session,
        key,
        request,
        EventKind.SCHEDULED,
        on,
        by,
        batch,
        State.SCHEDULED,
        facilitator_id=lead[0] if lead else None,
    )
    invite = invitation(
        candidate.request_id,
        candidate.organizer,
        candidate.attendees,
        start,
        end,
        row.sequence,
        candidate.location,
    )
    return queue(
        session, key, invite, method="REQUEST", on=on, batch=batch, update=row.sequence > 0
    )


def replace_facilitators(
    session: DbSession, key: str, booked: LedgerSession, new_ids: list[str], on: date, batch: Batch
) -> None:
    """A reallocated request keeps its booked time: CANCEL to the facilitators who left,
    REQUEST with SEQUENCE + 1 to everyone now invited."""
    request = session.get(LedgerRequest, (key, booked.request_id))
    assert request is not None
    before = json.loads(booked.attendees)
    organizer, after = people(session, key, request, new_ids)
    kept = {a["email"].casefold() for a in after}
    gone = [a for a in before if a["role"] == "CHAIR" and a["email"].casefold() not in kept]
    booked.sequence += 1
    booked.attendees = json.dumps(after)
    start, end = aware(booked.start), aware(booked.end)
    if gone:
        old = invitation(
            booked.request_id, organizer, gone, start, end, booked.sequence, booked.location
        )
        queue(session, key, old, method="CANCEL", on=on, batch=batch)
    new = invitation(
        booked.request_id, organizer, after, start, end, booked.sequence, booked.location
    )
    queue(session, key, new, method="REQUEST", on=on, batch=batch, update=True)


def cancel_session(
    session: DbSession, key: str, booked: LedgerSession, on: date, batch: Batch
) -> None:
    """Cancel a booked session: METHOD:CANCEL, same UID, SEQUENCE + 1, all attendees."""
    booked.sequence += 1
    booked.status = "cancelled"
    invite = invitation(
        booked.request_id,
        json.loads(booked.organizer),
        json.loads(booked.attendees),
        aware(booked.start),
        aware(booked.end),
        booked.sequence,
        booked.location,
    )
    queue(session, key, invite, method="CANCEL", on=on, batch=batch)


# Sending ----------------------------------------------------------------------------


def pending(session: DbSession, key: str) -> list[OutboxMessage]:
    """Messages waiting to go out (queued, or failed and kept for a retry), oldest first."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.partnership == key, OutboxMessage.status.in_(("queued", "failed")))
            .order_by(OutboxMessage.id)
        )
    )


def recipients_of(message: OutboxMessage) -> tuple[Person, ...]:
    return tuple(Person(p["name"], p["email"]) for p in json.loads(message.recipients))


def as_plain(message: OutboxMessage) -> dict[str, Any]:
    """A message's fields for a status table (no body)."""
    return {
        "id": message.id,
        "request_id": message.request_id,
        "method": message.method,
        "sequence": message.sequence,
        "status": message.status,
        "attempts": message.attempts,
        "provider_id": message.provider_id or "",
        "error": message.error or "",
    }
