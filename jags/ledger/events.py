"""Batches and events: how every change is written (append-only events, one batch per
command) and how one recorded event moves a request."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from jags.ledger.lifecycle import EventKind, State, next_state, refusal
from jags.ledger.models import Allocation, Batch, Event, EventNote, LedgerRequest, LedgerSession

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class RecordItem:
    """One event to record (from the command line or a row of events.csv)."""

    request_id: str
    event: EventKind
    on: date
    facilitator_id: str | None = None
    reason: str | None = None
    where: str = ""
    """Where it came from, for messages (``"events.csv, row 3"``)."""


def digest(payload: object) -> str:
    text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Refused(Exception):
    """One event that cannot be recorded (message is user-facing)."""


def new_batch(session: Session, key: str, kind: str, on: date, by: str, digest: str) -> Batch:
    batch = Batch(partnership=key, kind=kind, on=on, by=by, digest=digest, summary="{}")
    session.add(batch)
    session.flush()
    return batch


def add_event(
    session: Session,
    key: str,
    request: LedgerRequest,
    kind: EventKind,
    on: date,
    by: str,
    batch: Batch,
    new_state: State,
    *,
    facilitator_id: str | None = None,
    note: str | None = None,
) -> Event:
    """Append an event and move the request to ``new_state``."""
    row = Event(
        partnership=key,
        request_id=request.request_id,
        event=kind.value,
        on=on,
        by=by,
        old_state=request.state if kind is not EventKind.RECEIVED else None,
        new_state=new_state.value,
        facilitator_id=facilitator_id,
        batch_id=batch.id,
        digest=batch.digest,
    )
    session.add(row)
    request.state = new_state.value
    if note:
        session.flush()
        session.add(EventNote(event_id=row.id, partnership=key, text=note))
    return row


def record_one(
    session: Session,
    key: str,
    item: RecordItem,
    by: str,
    batch: Batch,
    cancel: Callable[[Session, str, LedgerSession, date, Batch], None],
) -> str:
    row = session.get(LedgerRequest, (key, item.request_id))
    if row is None or row.origin != "form":
        raise Refused(f"request {item.request_id} is not in the ledger")
    state = State(row.state)
    target = next_state(state, item.event)
    if target is None:
        raise Refused(refusal(item.request_id, state, item.event))
    last = session.scalar(
        select(func.max(Event.on)).where(
            Event.partnership == key, Event.request_id == item.request_id
        )
    )
    if last is not None and item.on < last:
        raise Refused(
            f"{item.request_id}: {item.event.value} on {item.on.isoformat()} is "
            f"before its last recorded change ({last.isoformat()})"
        )
    current = list(
        session.scalars(
            select(Allocation)
            .where(
                Allocation.partnership == key,
                Allocation.request_id == item.request_id,
                Allocation.status == "open",
            )
            .order_by(Allocation.id)
        )
    )
    current_ids = [a.facilitator_id for a in current]
    who = item.facilitator_id
    if who is not None and who not in current_ids:
        on_it = ", ".join(current_ids) or "none"
        raise Refused(
            f"{item.request_id}: facilitator {who} is not on this request "
            f"(its facilitators: {on_it})"
        )
    if item.event is EventKind.DECLINED:
        if who is None:
            if len(current_ids) != 1:
                raise Refused(
                    f"{item.request_id}: say which facilitator declined "
                    f"(--facilitator; its facilitators: {', '.join(current_ids)})"
                )
            who = current_ids[0]
        for alloc in current:
            alloc.status = "declined" if alloc.facilitator_id == who else "released"
            alloc.ended_on = item.on
        row.declines += 1
        row.contacted_on = row.confirmed_on = None
    elif target in (State.HELD, State.STEPPED_DOWN, State.CANCELLED):
        for alloc in current:
            alloc.status, alloc.ended_on = "released", item.on
    booked = session.scalars(
        select(LedgerSession).where(
            LedgerSession.partnership == key,
            LedgerSession.request_id == item.request_id,
            LedgerSession.status == "booked",
        )
    ).first()
    if target in (State.STEPPED_DOWN, State.CANCELLED) and booked is not None:
        cancel(session, key, booked, item.on, batch)
    if target is State.HELD and booked is not None:
        booked.status = "held"
    _stamp(row, item.event, item.on)
    add_event(
        session,
        key,
        row,
        item.event,
        item.on,
        by,
        batch,
        target,
        facilitator_id=who or (current_ids[0] if current_ids else None),
        note=item.reason,
    )
    line = (
        f"{item.request_id}: {item.event.value} on {item.on.isoformat()} ({state.value} → "
        f"{target.value})"
    )
    if item.event is EventKind.CONFIRMED and booked is not None:
        add_event(
            session,
            key,
            row,
            EventKind.SCHEDULED,
            item.on,
            by,
            batch,
            State.SCHEDULED,
            facilitator_id=current_ids[0] if current_ids else None,
        )
        line += "; its session is already booked (→ scheduled)"
    return line


def _stamp(row: LedgerRequest, event: EventKind, on: date) -> None:
    if event is EventKind.CONTACTED:
        row.contacted_on = on
    elif event is EventKind.CONFIRMED:
        row.confirmed_on = on
    elif event is EventKind.HELD:
        row.held_on = on
    elif event is EventKind.CLOSED:
        row.closed_on = on
    elif event in (EventKind.STEPPED_DOWN, EventKind.CANCELLED):
        row.ended_on = on
