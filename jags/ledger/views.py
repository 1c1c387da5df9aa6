"""Read-only views of the ledger: request and facilitator status, what is overdue."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from allocator.workdays import WorkingCalendar
from jags.ledger.lifecycle import State
from jags.ledger.models import Allocation, LedgerFacilitator, LedgerRequest, LedgerSession
from jags.ledger.records import aware

if TYPE_CHECKING:
    from datetime import date

    from sqlalchemy.orm import Session

    from allocator import Policy

REQUEST_COLUMNS = (
    "request_id",
    "state",
    "received_at",
    "allocate_by",
    "facilitator_ids",
    "allocated_on",
    "contacted_on",
    "confirmed_on",
    "session_start",
    "held_on",
    "closed_on",
    "overdue",
)
FACILITATOR_COLUMNS = ("facilitator_id", "name", "open_load", "max_open", "requests")


@dataclass(frozen=True)
class RequestStatus:
    """One row of ``jags status``."""

    request_id: str
    state: str
    received_at: str
    allocate_by: date | None
    facilitator_ids: str
    allocated_on: date | None
    contacted_on: date | None
    confirmed_on: date | None
    session_start: str
    held_on: date | None
    closed_on: date | None
    overdue: str

    def row(self) -> tuple[object, ...]:
        return tuple(getattr(self, c) for c in REQUEST_COLUMNS)


@dataclass(frozen=True)
class FacilitatorStatus:
    """One row of ``jags status --facilitators``."""

    facilitator_id: str
    name: str
    open_load: int
    max_open: int | None
    requests: str

    def row(self) -> tuple[object, ...]:
        return tuple(getattr(self, c) for c in FACILITATOR_COLUMNS)


def request_status(
    session: Session, key: str, policy: Policy, on: date, request_id: str | None = None
) -> list[RequestStatus]:
    """Every request from the form (or one), oldest first, with what is overdue on ``on``."""
    query = select(LedgerRequest).where(
        LedgerRequest.partnership == key, LedgerRequest.origin == "form"
    )
    if request_id is not None:
        query = query.where(LedgerRequest.request_id == request_id)
    rows = list(
        session.scalars(query.order_by(LedgerRequest.received_at, LedgerRequest.request_id))
    )
    ids = [r.request_id for r in rows]
    current: dict[str, list[Allocation]] = defaultdict(list)
    latest: dict[str, list[Allocation]] = defaultdict(list)
    for alloc in session.scalars(
        select(Allocation)
        .where(Allocation.partnership == key, Allocation.request_id.in_(ids))
        .order_by(Allocation.id)
    ):
        if alloc.status == "open":
            current[alloc.request_id].append(alloc)
        elif alloc.status == "released":
            latest[alloc.request_id].append(alloc)
    sessions = {
        s.request_id: s
        for s in session.scalars(
            select(LedgerSession).where(
                LedgerSession.partnership == key, LedgerSession.request_id.in_(ids)
            )
        )
    }
    calendar = WorkingCalendar.for_policy(policy)
    out = []
    for row in rows:
        allocs = current.get(row.request_id) or latest.get(row.request_id, [])
        allocs = sorted(allocs, key=lambda a: a.role == "co")
        booked = sessions.get(row.request_id)
        start = ""
        if booked is not None and booked.status != "cancelled":
            start = aware(booked.start).isoformat(timespec="minutes")
        allocated_on = max(
            (a.allocated_on for a in current.get(row.request_id, []) if a.allocated_on),
            default=row.allocated_on,
        )
        out.append(
            RequestStatus(
                request_id=row.request_id,
                state=row.state,
                received_at=aware(row.received_at).isoformat(timespec="minutes")
                if row.received_at
                else "",
                allocate_by=row.allocate_by,
                facilitator_ids=";".join(a.facilitator_id for a in allocs),
                allocated_on=allocated_on,
                contacted_on=row.contacted_on,
                confirmed_on=row.confirmed_on,
                session_start=start,
                held_on=row.held_on,
                closed_on=row.closed_on,
                overdue=overdue(row, allocated_on, booked, policy, calendar, on),
            )
        )
    return out


def overdue(
    row: LedgerRequest,
    allocated_on: date | None,
    booked: LedgerSession | None,
    policy: Policy,
    calendar: WorkingCalendar,
    on: date,
) -> str:
    """What the Business Unit should chase on ``on`` (empty when nothing)."""
    state = State(row.state)
    if state is State.RECEIVED and row.allocate_by is not None and on > row.allocate_by:
        return f"not allocated by {row.allocate_by.isoformat()}"
    if state is State.ALLOCATED and allocated_on is not None:
        due = calendar.add_working_days(allocated_on, policy.contact_days)
        if on > due:
            return f"no contact recorded by {due.isoformat()}"
    if state is State.CONFIRMED and row.confirmed_on is not None:
        last = calendar.add_working_days(row.confirmed_on, policy.window_last_day)
        if on > last:
            return f"no session held or booked by {last.isoformat()}"
    if state is State.SCHEDULED and booked is not None and aware(booked.end).date() < on:
        return "session date passed: record held, stepped down or cancelled"
    return ""


def facilitator_status(session: Session, key: str) -> list[FacilitatorStatus]:
    """Every facilitator the ledger knows, with their open JAGS."""
    open_by: dict[str, list[str]] = defaultdict(list)
    for alloc in session.scalars(
        select(Allocation)
        .where(Allocation.partnership == key, Allocation.status == "open")
        .order_by(Allocation.request_id)
    ):
        open_by[alloc.facilitator_id].append(alloc.request_id)
    out = []
    for fac in session.scalars(
        select(LedgerFacilitator)
        .where(LedgerFacilitator.partnership == key)
        .order_by(LedgerFacilitator.facilitator_id)
    ):
        requests = open_by.get(fac.facilitator_id, [])
        out.append(
            FacilitatorStatus(
                fac.facilitator_id,
                fac.name,
                len(requests) + fac.untracked_open,
                fac.max_open,
                ";".join(requests),
            )
        )
    return out
