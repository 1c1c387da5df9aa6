"""Intake: new rows of the request export imported once, changed rows reported; history.csv
and the facilitators' hand-kept open JAGS imported at ``jags init``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from allocator import PastSession, Policy
from allocator.workdays import WorkingCalendar
from jags.ledger.events import add_event
from jags.ledger.lifecycle import OPEN_STATES, EventKind, State
from jags.ledger.models import (
    Allocation,
    LedgerFacilitator,
    LedgerParticipant,
    LedgerRequest,
    Partnership,
)
from jags.ledger.records import changes, participant_values, request_values, row_digest

if TYPE_CHECKING:
    from datetime import date

    from sqlalchemy.orm import Session

    from allocator import Workspace
    from jags.ledger.models import Batch


@dataclass(frozen=True)
class Change:
    """A column of an imported request that differs in today's export (not applied)."""

    request_id: str
    column: str
    old: object
    new: object


@dataclass
class Intake:
    """What an import of requests.csv found."""

    new: list[str] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    in_history: list[str] = field(default_factory=list)
    later: list[str] = field(default_factory=list)
    """Received after the batch date: left for a later batch."""


def intake(
    session: Session,
    key: str,
    files: Workspace,
    on: date,
    *,
    write: bool,
    batch: Batch | None = None,
    by: str = "",
) -> Intake:
    """New rows of requests.csv (by request_id) imported; changed ones reported."""
    report = Intake()
    known = {
        r.request_id: r
        for r in session.scalars(select(LedgerRequest).where(LedgerRequest.partnership == key))
    }
    people: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if files.requests:
        for p in session.scalars(
            select(LedgerParticipant)
            .where(LedgerParticipant.partnership == key)
            .order_by(LedgerParticipant.request_id, LedgerParticipant.position)
        ):
            people[p.request_id].append(
                {
                    "position": p.position,
                    "name": p.name,
                    "email": p.email,
                    "organisation": p.organisation,
                    "attendance": p.attendance,
                }
            )
    policy = policy_of(session, key)
    calendar = WorkingCalendar.for_policy(policy)
    for req in files.requests:
        values = request_values(req)
        mine = participant_values(files.participants_by_request.get(req.request_id, ()))
        old = known.get(req.request_id)
        if old is None and calendar.local(req.received_at).date() > on:
            report.later.append(req.request_id)
            continue
        if old is not None:
            if old.origin == "history":
                report.in_history.append(req.request_id)
            elif old.row_digest != row_digest(values, mine) and old.purged_on is None:
                report.changed += [
                    Change(req.request_id, column, was, now)
                    for column, was, now in changes(old, values, people[req.request_id], mine)
                ]
            continue
        report.new.append(req.request_id)
        if write:
            assert batch is not None
            day0 = calendar.day_zero(req.received_at, policy.cutoff)
            row = LedgerRequest(
                partnership=key,
                request_id=req.request_id,
                origin="form",
                state=State.RECEIVED.value,
                day_zero=day0,
                allocate_by=calendar.add_working_days(day0, policy.allocate_within_days),
                row_digest=row_digest(values, mine),
                imported_on=on,
                declines=0,
                **values,
            )
            session.add(row)
            session.flush()  # requests before the rows that refer to them
            session.add_all(
                LedgerParticipant(partnership=key, request_id=req.request_id, **p) for p in mine
            )
            add_event(
                session,
                key,
                row,
                EventKind.RECEIVED,
                calendar.local(req.received_at).date(),
                by,
                batch,
                State.RECEIVED,
            )
    if write:
        session.flush()
    return report


def policy_of(session: Session, key: str) -> Policy:
    row = session.get(Partnership, key)
    assert row is not None
    return Policy.from_toml(row.policy, "the ledger's policy")


def import_history(
    session: Session, key: str, files: Workspace, on: date, by: str, batch: Batch
) -> None:
    """history.csv as ended or open JAGS (one row per facilitator when co-facilitated)."""
    by_request: dict[str, list[PastSession]] = defaultdict(list)
    for past in files.history:
        by_request[past.request_id].append(past)
    for rid, rows in by_request.items():
        closed = next((r.closed_on for r in rows if r.closed_on), None)
        held = next((r.held_on for r in rows if r.held_on), None)
        allocated = min((r.allocated_on for r in rows if r.allocated_on), default=None)
        state = State.CLOSED if closed else State.HELD if held else State.ALLOCATED
        request = LedgerRequest(
            partnership=key,
            request_id=rid,
            origin="history",
            state=State.RECEIVED.value,
            imported_on=on,
            declines=0,
            allocated_on=allocated,
            held_on=held,
            closed_on=closed,
        )
        session.add(request)
        session.flush()  # requests before the rows that refer to them
        emails = sorted({e for r in rows for e in r.attendees})
        session.add_all(
            LedgerParticipant(
                partnership=key, request_id=rid, position=i, email=e, attendance="required"
            )
            for i, e in enumerate(emails)
        )
        ordered = sorted(rows, key=lambda r: (r.role != "lead", r.facilitator_id))
        for past in ordered:
            session.add(
                Allocation(
                    partnership=key,
                    request_id=rid,
                    facilitator_id=past.facilitator_id,
                    role=(past.role.value if past.role else ""),
                    pinned=False,
                    batch_id=batch.id,
                    allocated_on=past.allocated_on,
                    status="open" if state in OPEN_STATES else "released",
                    ended_on=None if state in OPEN_STATES else (held or closed),
                )
            )
        add_event(
            session,
            key,
            request,
            EventKind.IMPORTED,
            allocated or on,
            by,
            batch,
            state,
            facilitator_id=ordered[0].facilitator_id,
        )


def snapshot_facilitators(
    session: Session, key: str, files: Workspace, on: date, *, initial: bool = False
) -> None:
    """Keep the ledger's copy of facilitators.csv current (for reports and history)."""
    stored = {
        f.facilitator_id: f
        for f in session.scalars(
            select(LedgerFacilitator).where(LedgerFacilitator.partnership == key)
        )
    }
    open_rows = files.open_history if initial else {}
    for fac in files.facilitators:
        row = stored.get(fac.facilitator_id)
        if row is None:
            untracked = max(0, fac.open_jags - open_rows.get(fac.facilitator_id, 0))
            row = LedgerFacilitator(
                partnership=key,
                facilitator_id=fac.facilitator_id,
                first_seen=on,
                untracked_open=untracked,
            )
            session.add(row)
        elif row.untracked_open > fac.open_jags:
            # Hand-kept JAGS the ledger never saw end only when the Business Unit lowers
            # open_jags in facilitators.csv; raising it adds nothing (new JAGS come from
            # the ledger's own batches).
            row.untracked_open = fac.open_jags
        row.name, row.email = fac.name, fac.email
        row.organisation, row.sector, row.max_open = fac.organisation, fac.sector, fac.max_open
        row.last_seen, row.in_workspace = max(on, row.last_seen or on), True
    current = {f.facilitator_id for f in files.facilitators}
    for fid, row in stored.items():
        if fid not in current:
            row.in_workspace = False
