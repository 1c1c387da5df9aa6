"""No lock-in and no keeping data longer than needed: export every table, purge old
personal data."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from jags.csv_output import csv_bytes
from jags.ledger.models import (
    Allocation,
    Base,
    Batch,
    Event,
    EventNote,
    Feedback,
    LedgerFacilitator,
    LedgerParticipant,
    LedgerRequest,
    LedgerSession,
    OutboxMessage,
    Partnership,
)

if TYPE_CHECKING:
    from datetime import date

    from sqlalchemy.orm import Session

EXPORTED: tuple[type[Base], ...] = (
    Partnership,
    Batch,
    LedgerFacilitator,
    LedgerRequest,
    LedgerParticipant,
    Allocation,
    LedgerSession,
    OutboxMessage,
    Event,
    EventNote,
    Feedback,
)
ENDED = ("closed", "stepped_down", "cancelled")


def export_tables(session: Session, key: str) -> dict[str, bytes]:
    """Every table's rows of one partnership as ``<table>.csv`` (binary columns base64)."""
    files: dict[str, bytes] = {}
    for model in EXPORTED:
        table = Base.metadata.tables[str(model.__tablename__)]
        columns = [c.name for c in table.columns]
        owner = table.c.key if model is Partnership else table.c.partnership
        order = list(table.primary_key.columns)
        rows = session.execute(select(table).where(owner == key).order_by(*order))
        files[f"{table.name}.csv"] = csv_bytes(
            columns,
            (
                [base64.b64encode(v).decode("ascii") if isinstance(v, bytes) else v for v in row]
                for row in rows
            ),
        )
    return files


def purge(session: Session, key: str, before: date, on: date) -> list[str]:
    """Remove the personal data of requests that ended before ``before``.

    Names, e-mails, case and family references, the topic, the pin
    rationale, the people in their sessions and invitations, and the notes
    typed with their events go; the dates, states, organisations and
    facilitators the reports need stay.

    Returns
    -------
    list[str]
        The request ids purged now (sorted).
    """
    rows = list(
        session.scalars(
            select(LedgerRequest).where(
                LedgerRequest.partnership == key,
                LedgerRequest.purged_on.is_(None),
                LedgerRequest.state.in_(ENDED),
                or_(LedgerRequest.closed_on < before, LedgerRequest.ended_on < before),
            )
        )
    )
    ids = sorted(r.request_id for r in rows)
    for row in rows:
        row.requester_name = row.requester_email = None
        row.case_ref = row.family_ref = row.topic = row.preference_rationale = None
        row.purged_on = on
    for person in session.scalars(
        select(LedgerParticipant).where(
            LedgerParticipant.partnership == key, LedgerParticipant.request_id.in_(ids)
        )
    ):
        person.name = person.email = None
    for booked in session.scalars(
        select(LedgerSession).where(
            LedgerSession.partnership == key, LedgerSession.request_id.in_(ids)
        )
    ):
        booked.organizer = json.dumps({"name": "", "email": ""})
        booked.attendees = json.dumps(
            [{"name": "", "email": "", "role": a["role"]} for a in json.loads(booked.attendees)]
        )
    for message in session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.partnership == key, OutboxMessage.request_id.in_(ids)
        )
    ):
        message.recipients, message.ics = "[]", b""
    event_ids = select(Event.id).where(Event.partnership == key, Event.request_id.in_(ids))
    for note in session.scalars(select(EventNote).where(EventNote.event_id.in_(event_ids))):
        note.text = None
    return ids
