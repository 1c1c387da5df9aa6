"""The daily step's input and output on the ledger: the day's state read from the rows
(waiting requests, open loads, declined pairs, history), and a solved batch recorded."""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from allocator import DayState, Facilitator, PastRole, PastSession, Workspace
from jags.ledger.events import add_event
from jags.ledger.lifecycle import EventKind, State
from jags.ledger.models import (
    Allocation,
    LedgerFacilitator,
    LedgerParticipant,
    LedgerRequest,
    LedgerSession,
)
from jags.ledger.records import to_participant, to_request
from jags.ledger.store import fault_point

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from datetime import date

    from sqlalchemy.orm import Session

    from allocator import AllocationResult, Request
    from jags.ledger.models import Batch


def open_loads(session: Session, key: str) -> dict[str, int]:
    """Facilitator id → open JAGS on the ledger (plus hand-kept ones from before it)."""
    loads: dict[str, int] = defaultdict(int)
    for fid, untracked in session.execute(
        select(LedgerFacilitator.facilitator_id, LedgerFacilitator.untracked_open).where(
            LedgerFacilitator.partnership == key
        )
    ):
        if untracked:
            loads[fid] += untracked
    for fid, count in session.execute(
        select(Allocation.facilitator_id, func.count())
        .where(Allocation.partnership == key, Allocation.status == "open")
        .group_by(Allocation.facilitator_id)
    ):
        loads[fid] += count
    return dict(loads)


def engine_inputs(
    session: Session, key: str, files: Workspace, extra: Sequence[Request] = ()
) -> tuple[Workspace, DayState]:
    """The day's engine input: the workspace's facilitators and rules data, the ledger's
    waiting requests (plus ``extra`` not yet imported), its history and state."""
    waiting_rows = list(
        session.scalars(
            select(LedgerRequest)
            .where(
                LedgerRequest.partnership == key,
                LedgerRequest.state == State.RECEIVED.value,
                LedgerRequest.origin == "form",
            )
            .order_by(LedgerRequest.request_id)
        )
    )
    waiting = [to_request(r) for r in waiting_rows]
    waiting_ids = {r.request_id for r in waiting}
    participants = [
        to_participant(p)
        for p in session.scalars(
            select(LedgerParticipant)
            .where(
                LedgerParticipant.partnership == key, LedgerParticipant.request_id.in_(waiting_ids)
            )
            .order_by(LedgerParticipant.request_id, LedgerParticipant.position)
        )
    ]
    for req in extra:
        waiting.append(req)
        participants.extend(files.participants_by_request.get(req.request_id, ()))
    past = history(session, key)
    facilitators = list(files.facilitators)
    known = {f.facilitator_id for f in facilitators}
    gone = {h.facilitator_id for h in past} - known
    for row in session.scalars(
        select(LedgerFacilitator).where(
            LedgerFacilitator.partnership == key, LedgerFacilitator.facilitator_id.in_(gone)
        )
    ):
        facilitators.append(
            Facilitator(
                facilitator_id=row.facilitator_id,
                name=row.name,
                email=row.email,
                organisation=row.organisation,
                sector=row.sector,
                max_open=row.max_open,
                active=False,
            )
        )
    past = [h for h in past if h.facilitator_id in known or h.facilitator_id in gone]
    declined = {
        (rid, fid)
        for rid, fid in session.execute(
            select(Allocation.request_id, Allocation.facilitator_id).where(
                Allocation.partnership == key,
                Allocation.status == "declined",
                Allocation.request_id.in_(waiting_ids),
            )
        )
    }
    workspace = Workspace(
        facilitators=tuple(facilitators),
        leave=files.leave,
        requests=tuple(waiting),
        participants=tuple(participants),
        involvements=files.involvements,
        history=tuple(past),
        organisations=files.organisations,
    )
    return workspace, DayState.of(open_loads(session, key), declined)


def history(session: Session, key: str) -> list[PastSession]:
    """Every JAGS the ledger has given a facilitator (not declined), as history rows."""
    attendees: dict[str, list[str]] = defaultdict(list)
    for rid, email in session.execute(
        select(LedgerRequest.request_id, LedgerRequest.requester_email).where(
            LedgerRequest.partnership == key, LedgerRequest.requester_email.is_not(None)
        )
    ):
        if email:
            attendees[rid].append(email)
    for rid, email in session.execute(
        select(LedgerParticipant.request_id, LedgerParticipant.email).where(
            LedgerParticipant.partnership == key, LedgerParticipant.email.is_not(None)
        )
    ):
        if email:
            attendees[rid].append(email)
    rows: dict[tuple[str, str], PastSession] = {}
    query = (
        select(Allocation, LedgerRequest.held_on, LedgerRequest.closed_on, LedgerRequest.ended_on)
        .join(
            LedgerRequest,
            (LedgerRequest.partnership == Allocation.partnership)
            & (LedgerRequest.request_id == Allocation.request_id),
        )
        .where(Allocation.partnership == key, Allocation.status != "declined")
        .order_by(Allocation.id)
    )
    for alloc, held_on, closed_on, ended_on in session.execute(query):
        closed = None if alloc.status == "open" else (closed_on or alloc.ended_on or ended_on)
        rows[alloc.request_id, alloc.facilitator_id] = PastSession.model_construct(
            request_id=alloc.request_id,
            facilitator_id=alloc.facilitator_id,
            role=PastRole(alloc.role) if alloc.role else None,
            allocated_on=alloc.allocated_on,
            held_on=held_on,
            closed_on=closed,
            attendees=tuple(sorted(set(attendees[alloc.request_id]))),
        )
    return list(rows.values())


# Committing an allocation ---------------------------------------------------------------


def commit_allocation(
    session: Session, key: str, result: AllocationResult, on: date, by: str, batch: Batch
) -> list[str]:
    """Record the chosen facilitators; returns requests reallocated with a booked session."""
    from jags.ledger.booking import replace_facilitators

    inst = result.instance
    reallocated: list[str] = []
    for r, chosen in sorted(result.chosen.items()):
        req = inst.requests[r]
        row = session.get(LedgerRequest, (key, req.request_id))
        if row is None or row.state != State.RECEIVED.value:
            continue  # pragma: no cover - the write lock makes this impossible
        pin = inst.pins.get(r)
        ids = [inst.facilitators[f].facilitator_id for f in chosen]
        for position, f in enumerate(chosen):
            role = ("lead" if position == 0 else "co") if len(chosen) == 2 else ""
            pinned = pin is not None and pin.refused is None and pin.facilitator == f
            session.add(
                Allocation(
                    partnership=key,
                    request_id=req.request_id,
                    facilitator_id=ids[position],
                    role=role,
                    pinned=pinned,
                    batch_id=batch.id,
                    allocated_on=on,
                    status="open",
                )
            )
        if row.allocated_on is None:
            row.allocated_on = on
        add_event(
            session,
            key,
            row,
            EventKind.ALLOCATED,
            on,
            by,
            batch,
            State.ALLOCATED,
            facilitator_id=ids[0],
        )
        session.flush()
        fault_point("mid-batch")
        booked = session.scalars(
            select(LedgerSession).where(
                LedgerSession.partnership == key,
                LedgerSession.request_id == req.request_id,
                LedgerSession.status == "booked",
            )
        ).first()
        if booked is not None:
            replace_facilitators(session, key, booked, ids, on, batch)
            reallocated.append(req.request_id)
    return reallocated


def whole(files: Mapping[str, bytes | Iterable[bytes]]) -> dict[str, bytes]:
    """Files whose content may be streamed (byte chunks), made whole."""
    return {
        name: content if isinstance(content, bytes) else b"".join(content)
        for name, content in files.items()
    }


def zip_files(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return buffer.getvalue()


def unzip_files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
