"""The ledger's tables: SQLAlchemy 2 declarative models.

Every row carries its partnership, so one PostgreSQL database can serve a
regional service; the operations (``jags.ledger.operations``) only ever read
or change the rows of the partnership they were opened for.

Dates are business dates (the ``--on`` day of a command); date-times are
stored in UTC without an offset. The ``events`` table is append-only: a
trigger refuses UPDATE and DELETE on it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID = String(64)
"""Ids (request, facilitator, partnership): the safe id pattern, up to 64 characters."""

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with named constraints (Alembic batch mode needs names)."""

    metadata = MetaData(naming_convention=NAMING)


class Partnership(Base):
    """A partnership served by this database, with the policy it chose at ``jags init``."""

    __tablename__ = "partnerships"

    key: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    policy: Mapped[str] = mapped_column(Text)
    """The policy as TOML (``jags policies`` form)."""
    created_on: Mapped[date] = mapped_column(Date)


class Batch(Base):
    """One command that changed the ledger: who, when, and a digest of its inputs."""

    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partnership: Mapped[str] = mapped_column(ForeignKey("partnerships.key"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    """init, allocate, record, schedule, invite, send, purge."""
    on: Mapped[date] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the batch's inputs."""
    summary: Mapped[str] = mapped_column(Text, default="{}")
    """Counts as JSON."""
    files: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    """The output files of an allocation batch (a zip), so a re-run rewrites them."""


class LedgerRequest(Base):
    """A request as received, its current state and its milestone dates."""

    __tablename__ = "requests"

    partnership: Mapped[str] = mapped_column(ForeignKey("partnerships.key"), primary_key=True)
    request_id: Mapped[str] = mapped_column(ID, primary_key=True)
    origin: Mapped[str] = mapped_column(String(10))
    """``form`` (requests.csv or a Forms export) or ``history`` (history.csv at init)."""
    state: Mapped[str] = mapped_column(String(20), index=True)
    received_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    day_zero: Mapped[date | None] = mapped_column(Date, nullable=True)
    allocate_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    requester_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    requester_email: Mapped[str | None] = mapped_column(Text, nullable=True)
    requester_organisation: Mapped[str | None] = mapped_column(Text, nullable=True)
    case_ref: Mapped[str | None] = mapped_column(Text, nullable=True)
    family_ref: Mapped[str | None] = mapped_column(Text, nullable=True)
    locality: Mapped[str | None] = mapped_column(Text, nullable=True)
    mode: Mapped[str | None] = mapped_column(String(20), nullable=True)
    topic: Mapped[str | None] = mapped_column(Text, nullable=True)
    preferred_facilitator_id: Mapped[str | None] = mapped_column(ID, nullable=True)
    preference_rationale: Mapped[str | None] = mapped_column(Text, nullable=True)
    follow_up_of: Mapped[str | None] = mapped_column(ID, nullable=True)
    row_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """SHA-256 of the request's row and participants as imported (change detection)."""
    imported_on: Mapped[date] = mapped_column(Date)
    allocated_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    contacted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    confirmed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    held_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    """The day it was stepped down or cancelled."""
    declines: Mapped[int] = mapped_column(Integer, default=0)
    purged_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class LedgerParticipant(Base):
    """A professional invited to a request's session (history rows: e-mail only)."""

    __tablename__ = "participants"
    __table_args__ = (
        ForeignKeyConstraint(
            ["partnership", "request_id"], ["requests.partnership", "requests.request_id"]
        ),
        Index("ix_participants_request", "partnership", "request_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partnership: Mapped[str] = mapped_column(ID)
    request_id: Mapped[str] = mapped_column(ID)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(Text, nullable=True)
    email: Mapped[str | None] = mapped_column(Text, nullable=True)
    organisation: Mapped[str | None] = mapped_column(Text, nullable=True)
    attendance: Mapped[str] = mapped_column(String(10), default="required")


class LedgerFacilitator(Base):
    """The facilitators as last seen in ``facilitators.csv`` (a snapshot per batch)."""

    __tablename__ = "facilitators"

    partnership: Mapped[str] = mapped_column(ForeignKey("partnerships.key"), primary_key=True)
    facilitator_id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    email: Mapped[str] = mapped_column(Text)
    organisation: Mapped[str | None] = mapped_column(Text, nullable=True)
    sector: Mapped[str | None] = mapped_column(Text, nullable=True)
    max_open: Mapped[int | None] = mapped_column(Integer, nullable=True)
    untracked_open: Mapped[int] = mapped_column(Integer, default=0)
    """Hand-kept open JAGS at import beyond the open history rows (``open_jags`` − rows)."""
    first_seen: Mapped[date] = mapped_column(Date)
    last_seen: Mapped[date] = mapped_column(Date)
    in_workspace: Mapped[bool] = mapped_column(Boolean, default=True)


class Allocation(Base):
    """A facilitator given to a request by a batch (two rows when co-facilitated)."""

    __tablename__ = "allocations"
    __table_args__ = (
        ForeignKeyConstraint(
            ["partnership", "request_id"], ["requests.partnership", "requests.request_id"]
        ),
        Index("ix_allocations_request", "partnership", "request_id"),
        Index("ix_allocations_open", "partnership", "status", "facilitator_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partnership: Mapped[str] = mapped_column(ID)
    request_id: Mapped[str] = mapped_column(ID)
    facilitator_id: Mapped[str] = mapped_column(ID)
    role: Mapped[str] = mapped_column(String(10), default="")
    """``lead``, ``co`` or empty (one facilitator)."""
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    allocated_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(10))
    """``open`` (counts as load), ``released`` (held, closed, stepped down, cancelled) or
    ``declined``."""
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class LedgerSession(Base):
    """The booked session of a request: its slot, invitation UID and SEQUENCE."""

    __tablename__ = "sessions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["partnership", "request_id"], ["requests.partnership", "requests.request_id"]
        ),
        UniqueConstraint("partnership", "request_id", name="uq_sessions_request"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partnership: Mapped[str] = mapped_column(ID)
    request_id: Mapped[str] = mapped_column(ID)
    start: Mapped[datetime] = mapped_column(DateTime)
    end: Mapped[datetime] = mapped_column(DateTime)
    uid: Mapped[str] = mapped_column(String(200))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10))
    """``booked``, ``cancelled`` or ``held``."""
    organizer: Mapped[str] = mapped_column(Text)
    """JSON {name, email}."""
    attendees: Mapped[str] = mapped_column(Text)
    """JSON list of {name, email, role}; role CHAIR for facilitators."""
    location: Mapped[str | None] = mapped_column(Text, nullable=True)
    confirmed_on: Mapped[date] = mapped_column(Date)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))


class OutboxMessage(Base):
    """Every version of every invitation, queued until sent."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status", "partnership", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partnership: Mapped[str] = mapped_column(ForeignKey("partnerships.key"))
    request_id: Mapped[str] = mapped_column(ID)
    name: Mapped[str] = mapped_column(String(100))
    """File stem: the request id, or ``<request_id>-hold-<n>``."""
    uid: Mapped[str] = mapped_column(String(200))
    sequence: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(10))
    """REQUEST or CANCEL."""
    recipients: Mapped[str] = mapped_column(Text)
    """JSON list of {name, email}."""
    subject: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    ics: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(10))
    """queued, sending, sent or failed (a failed message stays queued for a retry)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    provider_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    sent_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class Event(Base):
    """Append-only: every change of a request's state, with its day, person and batch."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_request", "partnership", "request_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partnership: Mapped[str] = mapped_column(ForeignKey("partnerships.key"))
    request_id: Mapped[str] = mapped_column(ID)
    event: Mapped[str] = mapped_column(String(20))
    on: Mapped[date] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(100))
    old_state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    new_state: Mapped[str] = mapped_column(String(20))
    facilitator_id: Mapped[str | None] = mapped_column(ID, nullable=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    digest: Mapped[str] = mapped_column(String(64))
    """The batch's input digest."""


class EventNote(Base):
    """The reason typed with an event (kept apart: it is free text, purged with the request)."""

    __tablename__ = "event_notes"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    partnership: Mapped[str] = mapped_column(ID)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)


class Feedback(Base):
    """One answer to the session feedback form: themes and before/after confidence.

    Free text never reaches the ledger: only the theme words (3–5 per session)
    and the scores.
    """

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("partnership", "response_id", name="uq_feedback_response"),
        Index("ix_feedback_request", "partnership", "request_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partnership: Mapped[str] = mapped_column(ForeignKey("partnerships.key"))
    response_id: Mapped[str] = mapped_column(ID)
    request_id: Mapped[str] = mapped_column(ID)
    role: Mapped[str | None] = mapped_column(String(40), nullable=True)
    themes: Mapped[str] = mapped_column(Text)
    """Theme words or phrases separated by ``;``."""
    confidence_before: Mapped[int | None] = mapped_column(Integer, nullable=True)
    confidence_after: Mapped[int | None] = mapped_column(Integer, nullable=True)
    submitted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
