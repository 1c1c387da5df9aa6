"""Ledger operations: init, intake, the daily allocation step, and recorded events.

Every operation runs in one transaction (:meth:`Store.write`), so a crash
leaves the ledger as it was before or as after, never between. Nothing else
in the product writes SQL.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from allocator import DayState, Facilitator, PastRole, PastSession, Policy, Workspace
from allocator.workdays import WorkingCalendar
from jags.ledger.booking import Candidate, candidates, pending
from jags.ledger.lifecycle import OPEN_STATES, EventKind, State, next_state, refusal
from jags.ledger.models import (
    Allocation,
    Batch,
    Event,
    EventNote,
    LedgerFacilitator,
    LedgerParticipant,
    LedgerRequest,
    LedgerSession,
    OutboxMessage,
    Partnership,
)
from jags.ledger.records import (
    aware,
    changes,
    participant_values,
    request_values,
    row_digest,
    to_participant,
    to_request,
)
from jags.ledger.retention import export_tables, purge
from jags.ledger.store import (
    LedgerError,
    Store,
    fault_point,
    ledger_url,
    open_store,
    slug,
    valid_key,
)
from jags.ledger.views import (
    FacilitatorStatus,
    RequestStatus,
    facilitator_status,
    request_status,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from pathlib import Path

    from sqlalchemy.orm import Session

    from allocator import AllocationResult, Request
    from scheduling.proposals import Booked


class RecordError(LedgerError):
    """Events that do not fit the requests' states; nothing was recorded."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


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


@dataclass
class DayOutcome:
    """What a daily allocation step did."""

    result: AllocationResult
    intake: Intake
    batch_id: int | None
    committed: bool
    files: dict[str, bytes]
    unchanged_since: int | None = None
    """With nothing new to do: the batch whose files were written again."""
    reallocated: list[str] = field(default_factory=list)


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


def _digest(payload: object) -> str:
    text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Ledger:
    """One partnership's ledger in an open :class:`Store`.

    Parameters
    ----------
    store
        The database.
    partnership
        The partnership's row; every read and write is limited to its key.
    """

    def __init__(self, store: Store, partnership: Partnership) -> None:
        self.store = store
        self.key = partnership.key
        self.name = partnership.name
        self.policy = Policy.from_toml(partnership.policy, "the ledger's policy")

    # Opening ----------------------------------------------------------------

    @classmethod
    def open(cls, workspace: Path, *, db: str | None = None,
             partnership: str | None = None) -> Ledger | None:
        """The workspace's ledger, or ``None`` when it has none (the file-only flow)."""
        store = open_store(ledger_url(workspace, db), create=False)
        if store is None:
            return None
        with store.read() as session:
            empty = session.scalar(select(func.count()).select_from(Partnership)) == 0
        if empty and partnership is None:
            store.close()
            return None
        return cls(store, store.partnership(partnership))

    @classmethod
    def init(cls, workspace_path: Path, files: Workspace, policy: Policy, *, on: date, by: str,
             db: str | None = None, partnership: str | None = None) -> tuple[Ledger, bool]:
        """Create the ledger (or open it) and import history.csv and ``open_jags`` once.

        Returns the ledger and whether this call created the partnership.
        """
        key = valid_key(partnership) if partnership else slug(policy.name)
        store = open_store(ledger_url(workspace_path, db), create=True)
        assert store is not None
        created = False
        with store.write(key) as session:
            row = session.get(Partnership, key)
            if row is None:
                from jags.policies import policy_toml

                row = Partnership(key=key, name=policy.partnership, policy=policy_toml(policy),
                                  created_on=on)
                session.add(row)
                session.flush()
                batch = _batch(session, key, "init", on, by,
                               _digest([f.model_dump(mode="json") for f in files.facilitators]
                                       + [h.model_dump(mode="json") for h in files.history]))
                _import_history(session, key, files, on, by, batch)
                _snapshot_facilitators(session, key, files, on, initial=True)
                batch.summary = json.dumps({"history": len(files.history),
                                            "facilitators": len(files.facilitators)})
                created = True
        return cls(store, row), created

    def close(self) -> None:
        self.store.close()

    def request_ids(self) -> frozenset[str]:
        """Every request id on the ledger (form and history)."""
        with self.store.read() as session:
            return frozenset(session.scalars(select(LedgerRequest.request_id).where(
                LedgerRequest.partnership == self.key)))

    # The daily step ------------------------------------------------------------

    def allocate_day(self, files: Workspace, on: date, by: str, *, commit: bool,
                     run: Callable[[Workspace, DayState], AllocationResult],
                     render: Callable[[AllocationResult], Mapping[str, bytes | Iterable[bytes]]]
                     ) -> DayOutcome:
        """Import new requests, allocate the waiting ones against the ledger, and (with
        ``commit``) record the batch — all in one transaction.

        ``run`` is the engine call (the same daily step the simulation runs);
        ``render`` turns its result into the batch's output files.
        """
        if not commit:
            with self.store.read() as session:
                intake = _intake(session, self.key, files, on, write=False)
                engine_ws, state = _engine_inputs(session, self.key, files,
                                                  extra=[files.request_by_id[r]
                                                         for r in intake.new])
                result = run(engine_ws, state)
                return DayOutcome(result, intake, None, False, _whole(render(result)))
        with self.store.write(self.key) as session:
            intake = _intake(session, self.key, files, on, write=False)
            _snapshot_facilitators(session, self.key, files, on)
            engine_ws, state = _engine_inputs(session, self.key, files,
                                              extra=[files.request_by_id[r] for r in intake.new])
            result = run(engine_ws, state)
            if not intake.new and not result.chosen:
                last = session.scalars(select(Batch).where(
                    Batch.partnership == self.key, Batch.kind == "allocate", Batch.on == on)
                    .order_by(Batch.id.desc()).limit(1)).first()
                files_out = _unzip(last.files) if last is not None and last.files else \
                    _whole(render(result))
                return DayOutcome(result, intake, None, False, files_out,
                                  unchanged_since=last.id if last is not None else None)
            digest = _digest({"on": on, "policy": result.instance.policy.model_dump(mode="json"),
                              "workspace": engine_ws.model_dump(mode="json"),
                              "open_load": dict(state.open_load),
                              "declined": sorted(state.declined)})
            batch = _batch(session, self.key, "allocate", on, by, digest)
            _intake(session, self.key, files, on, write=True, batch=batch, by=by)
            reallocated = _commit_allocation(session, self.key, result, on, by, batch)
            out = _whole(render(result))
            batch.files = _zip(out)
            batch.summary = json.dumps({**result.summary, "imported": len(intake.new)})
            return DayOutcome(result, intake, batch.id, True, out, reallocated=reallocated)

    # Recorded events ------------------------------------------------------------

    def record(self, items: Sequence[RecordItem], by: str) -> list[str]:
        """Record events, all or none; returns one line per event recorded.

        Raises
        ------
        RecordError
            Listing every event that does not fit (unknown request, wrong state,
            a facilitator not on the request, a date before the request's last change).
        """
        from jags.ledger.booking import cancel_session

        problems: list[str] = []
        lines: list[str] = []
        with self.store.write(self.key) as session:
            digest = _digest([(i.request_id, i.event, i.on, i.facilitator_id) for i in items])
            batch = _batch(session, self.key, "record", max((i.on for i in items),
                                                               default=date.today()), by, digest)
            for item in items:
                where = f"{item.where}: " if item.where else ""
                try:
                    line = _record_one(session, self.key, item, by, batch, cancel_session)
                except _Refused as exc:
                    problems.append(where + str(exc))
                    continue
                lines.append(line)
                session.flush()  # the next row sees this one
            if problems:
                raise RecordError(problems)  # the transaction rolls back
            batch.summary = json.dumps({"events": len(lines)})
        return lines

    # Sessions and invitations -------------------------------------------------------

    def schedule_candidates(self) -> list[Candidate]:
        """Confirmed requests with no booked session (a snapshot, for reading calendars)."""
        with self.store.read() as session:
            return candidates(session, self.key)

    def schedule(self, on: date, by: str, *, commit: bool,
                 propose: Callable[[list[Candidate], list[Booked]], dict[str, tuple[Any, Any]]],
                 wanted: Iterable[str] | None = None) -> tuple[list[Candidate], list[str]]:
        """Propose times for the confirmed requests and (with ``commit``) book them.

        ``propose`` gets the candidates and the sessions already booked, and
        returns request id → (start, end) of option 1 for those placed in their
        window. Only requests in ``wanted`` (default all) are considered.
        Returns the candidates considered and the request ids booked.
        """
        from jags.ledger.booking import book, booked_sessions

        keep = None if wanted is None else set(wanted)
        context = self.store.write(self.key) if commit else self.store.read()
        with context as session:
            found = [c for c in candidates(session, self.key)
                     if keep is None or c.request_id in keep]
            chosen = propose(found, booked_sessions(session, self.key)) if found else {}
            if not commit or not chosen:
                return found, []
            batch = _batch(session, self.key, "schedule", on, by,
                           _digest({"on": on, "sessions": sorted(
                               (rid, str(a), str(b)) for rid, (a, b) in chosen.items())}))
            booked: list[str] = []
            for candidate in found:
                if candidate.request_id in chosen:
                    start, end = chosen[candidate.request_id]
                    book(session, self.key, candidate, start, end, on, by, batch)
                    booked.append(candidate.request_id)
            batch.summary = json.dumps({"booked": len(booked)})
            return found, booked

    def outbox(self, *, pending_only: bool = True) -> list[OutboxMessage]:
        """Messages in the outbox (by default those waiting to be sent), oldest first."""
        with self.store.read() as session:
            if pending_only:
                return pending(session, self.key)
            return list(session.scalars(select(OutboxMessage).where(
                OutboxMessage.partnership == self.key).order_by(OutboxMessage.id)))

    def send_queued(self, send_one: Callable[[OutboxMessage], str | None], *, on: date,
                    by: str) -> tuple[list[OutboxMessage], OutboxMessage | None, str]:
        """Send what is queued, one message at a time: claim it, send it, mark it.

        A message is claimed (``sending``, one more attempt) in its own
        transaction before it goes out, so two senders never send the same one.
        ``send_one`` returns the provider's id (or ``None``) or raises; on
        failure the message is kept for a retry with its error, and sending stops.

        Returns the messages sent, the one that failed (if any) and its error.
        """
        sent: list[OutboxMessage] = []
        while True:
            with self.store.write(self.key) as session:
                waiting = pending(session, self.key)
                if not waiting:
                    return sent, None, ""
                message = waiting[0]
                message.status, message.attempts = "sending", message.attempts + 1
                batch = _batch(session, self.key, "send", on, by, _digest([message.id]))
                message_id = message.id
            try:
                provider = send_one(message)
            except Exception as exc:  # the sender's error text is already safe to show
                error = str(exc) or exc.__class__.__name__
                with self.store.write(self.key) as session:
                    failed = session.get(OutboxMessage, message_id)
                    assert failed is not None
                    failed.status, failed.error = "failed", error
                    batch_row = session.get(Batch, batch.id)
                    if batch_row is not None:
                        batch_row.summary = json.dumps({"failed": message_id})
                return sent, failed, error
            with self.store.write(self.key) as session:
                done = session.get(OutboxMessage, message_id)
                assert done is not None
                done.status, done.provider_id, done.sent_on, done.error = \
                    "sent", provider, on, None
                batch_row = session.get(Batch, batch.id)
                if batch_row is not None:
                    batch_row.summary = json.dumps({"sent": message_id})
                sent.append(done)

    # Views, export, retention ---------------------------------------------------------

    def request_status(self, on: date, request_id: str | None = None) -> list[RequestStatus]:
        """``jags status`` rows (see :mod:`jags.ledger.views`)."""
        with self.store.read() as session:
            return request_status(session, self.key, self.policy, on, request_id)

    def facilitator_status(self) -> list[FacilitatorStatus]:
        """``jags status --facilitators`` rows."""
        with self.store.read() as session:
            return facilitator_status(session, self.key)

    def export(self) -> dict[str, bytes]:
        """Every table of this partnership as CSV files."""
        with self.store.read() as session:
            return export_tables(session, self.key)

    def purge(self, before: date, on: date, by: str) -> list[str]:
        """Remove the personal data of requests ended before ``before`` (one transaction)."""
        with self.store.write(self.key) as session:
            ids = purge(session, self.key, before, on)
            if ids:
                batch = _batch(session, self.key, "purge", on, by, _digest(ids))
                batch.summary = json.dumps({"purged": len(ids)})
            return ids

    def received_history(self) -> list[datetime]:
        """When each request from the form was received (aware, London): for what-if
        demand resampled from the partnership's own history."""
        with self.store.read() as session:
            times = session.scalars(select(LedgerRequest.received_at).where(
                LedgerRequest.partnership == self.key, LedgerRequest.origin == "form")
                .order_by(LedgerRequest.received_at))
            return [aware(t) for t in times if t is not None]


class _Refused(Exception):
    """One event that cannot be recorded (message is user-facing)."""


# Batches and events -------------------------------------------------------------------


def _batch(session: Session, key: str, kind: str, on: date, by: str, digest: str) -> Batch:
    batch = Batch(partnership=key, kind=kind, on=on, by=by, digest=digest, summary="{}")
    session.add(batch)
    session.flush()
    return batch


def add_event(session: Session, key: str, request: LedgerRequest, kind: EventKind, on: date,
              by: str, batch: Batch, new_state: State, *, facilitator_id: str | None = None,
              note: str | None = None) -> Event:
    """Append an event and move the request to ``new_state``."""
    row = Event(partnership=key, request_id=request.request_id, event=kind.value, on=on, by=by,
                old_state=request.state if kind is not EventKind.RECEIVED else None,
                new_state=new_state.value, facilitator_id=facilitator_id, batch_id=batch.id,
                digest=batch.digest)
    session.add(row)
    request.state = new_state.value
    if note:
        session.flush()
        session.add(EventNote(event_id=row.id, partnership=key, text=note))
    return row


# Intake -------------------------------------------------------------------------------


def _intake(session: Session, key: str, files: Workspace, on: date, *, write: bool,
            batch: Batch | None = None, by: str = "") -> Intake:
    """New rows of requests.csv (by request_id) imported; changed ones reported."""
    report = Intake()
    known = {r.request_id: r for r in session.scalars(
        select(LedgerRequest).where(LedgerRequest.partnership == key))}
    people: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if files.requests:
        for p in session.scalars(select(LedgerParticipant).where(
                LedgerParticipant.partnership == key).order_by(LedgerParticipant.request_id,
                                                               LedgerParticipant.position)):
            people[p.request_id].append({"position": p.position, "name": p.name,
                                         "email": p.email, "organisation": p.organisation,
                                         "attendance": p.attendance})
    policy = _policy_of(session, key)
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
                report.changed += [Change(req.request_id, column, was, now) for column, was, now
                                   in changes(old, values, people[req.request_id], mine)]
            continue
        report.new.append(req.request_id)
        if write:
            assert batch is not None
            day0 = calendar.day_zero(req.received_at, policy.cutoff)
            row = LedgerRequest(partnership=key, request_id=req.request_id, origin="form",
                                state=State.RECEIVED.value, day_zero=day0,
                                allocate_by=calendar.add_working_days(
                                    day0, policy.allocate_within_days),
                                row_digest=row_digest(values, mine), imported_on=on, declines=0,
                                **values)
            session.add(row)
            session.flush()  # requests before the rows that refer to them
            session.add_all(LedgerParticipant(partnership=key, request_id=req.request_id,
                                              **p) for p in mine)
            add_event(session, key, row, EventKind.RECEIVED,
                      calendar.local(req.received_at).date(), by, batch, State.RECEIVED)
    if write:
        session.flush()
    return report


def _policy_of(session: Session, key: str) -> Policy:
    row = session.get(Partnership, key)
    assert row is not None
    return Policy.from_toml(row.policy, "the ledger's policy")


# History and facilitators ------------------------------------------------------------


def _import_history(session: Session, key: str, files: Workspace, on: date, by: str,
                    batch: Batch) -> None:
    """history.csv as ended or open JAGS (one row per facilitator when co-facilitated)."""
    by_request: dict[str, list[PastSession]] = defaultdict(list)
    for past in files.history:
        by_request[past.request_id].append(past)
    for rid, rows in by_request.items():
        closed = next((r.closed_on for r in rows if r.closed_on), None)
        held = next((r.held_on for r in rows if r.held_on), None)
        allocated = min((r.allocated_on for r in rows if r.allocated_on), default=None)
        state = State.CLOSED if closed else State.HELD if held else State.ALLOCATED
        request = LedgerRequest(partnership=key, request_id=rid, origin="history",
                                state=State.RECEIVED.value, imported_on=on, declines=0,
                                allocated_on=allocated, held_on=held, closed_on=closed)
        session.add(request)
        session.flush()  # requests before the rows that refer to them
        emails = sorted({e for r in rows for e in r.attendees})
        session.add_all(LedgerParticipant(partnership=key, request_id=rid, position=i,
                                          email=e, attendance="required")
                        for i, e in enumerate(emails))
        ordered = sorted(rows, key=lambda r: (r.role != "lead", r.facilitator_id))
        for past in ordered:
            session.add(Allocation(
                partnership=key, request_id=rid, facilitator_id=past.facilitator_id,
                role=(past.role.value if past.role else ""), pinned=False, batch_id=batch.id,
                allocated_on=past.allocated_on,
                status="open" if state in OPEN_STATES else "released",
                ended_on=None if state in OPEN_STATES else (held or closed)))
        add_event(session, key, request, EventKind.IMPORTED, allocated or on, by, batch, state,
                  facilitator_id=ordered[0].facilitator_id)


def _snapshot_facilitators(session: Session, key: str, files: Workspace, on: date, *,
                           initial: bool = False) -> None:
    """Keep the ledger's copy of facilitators.csv current (for reports and history)."""
    stored = {f.facilitator_id: f for f in session.scalars(
        select(LedgerFacilitator).where(LedgerFacilitator.partnership == key))}
    open_rows = files.open_history if initial else {}
    for fac in files.facilitators:
        row = stored.get(fac.facilitator_id)
        if row is None:
            untracked = max(0, fac.open_jags - open_rows.get(fac.facilitator_id, 0))
            row = LedgerFacilitator(partnership=key, facilitator_id=fac.facilitator_id,
                                    first_seen=on, untracked_open=untracked)
            session.add(row)
        row.name, row.email = fac.name, fac.email
        row.organisation, row.sector, row.max_open = fac.organisation, fac.sector, fac.max_open
        row.last_seen, row.in_workspace = max(on, row.last_seen or on), True
    current = {f.facilitator_id for f in files.facilitators}
    for fid, row in stored.items():
        if fid not in current:
            row.in_workspace = False


# Engine inputs --------------------------------------------------------------------------


def open_loads(session: Session, key: str) -> dict[str, int]:
    """Facilitator id → open JAGS on the ledger (plus hand-kept ones from before it)."""
    loads: dict[str, int] = defaultdict(int)
    for fid, untracked in session.execute(select(
            LedgerFacilitator.facilitator_id, LedgerFacilitator.untracked_open).where(
            LedgerFacilitator.partnership == key)):
        if untracked:
            loads[fid] += untracked
    for fid, count in session.execute(select(Allocation.facilitator_id, func.count()).where(
            Allocation.partnership == key, Allocation.status == "open")
            .group_by(Allocation.facilitator_id)):
        loads[fid] += count
    return dict(loads)


def _engine_inputs(session: Session, key: str, files: Workspace,
                   extra: Sequence[Request] = ()) -> tuple[Workspace, DayState]:
    """The day's engine input: the workspace's facilitators and rules data, the ledger's
    waiting requests (plus ``extra`` not yet imported), its history and state."""
    waiting_rows = list(session.scalars(select(LedgerRequest).where(
        LedgerRequest.partnership == key, LedgerRequest.state == State.RECEIVED.value,
        LedgerRequest.origin == "form").order_by(LedgerRequest.request_id)))
    waiting = [to_request(r) for r in waiting_rows]
    waiting_ids = {r.request_id for r in waiting}
    participants = [to_participant(p) for p in session.scalars(
        select(LedgerParticipant).where(LedgerParticipant.partnership == key,
                                        LedgerParticipant.request_id.in_(waiting_ids))
        .order_by(LedgerParticipant.request_id, LedgerParticipant.position))]
    for req in extra:
        waiting.append(req)
        participants.extend(files.participants_by_request.get(req.request_id, ()))
    history = _history(session, key)
    facilitators = list(files.facilitators)
    known = {f.facilitator_id for f in facilitators}
    gone = {h.facilitator_id for h in history} - known
    for row in session.scalars(select(LedgerFacilitator).where(
            LedgerFacilitator.partnership == key, LedgerFacilitator.facilitator_id.in_(gone))):
        facilitators.append(Facilitator(
            facilitator_id=row.facilitator_id, name=row.name, email=row.email,
            organisation=row.organisation, sector=row.sector, max_open=row.max_open,
            active=False))
    history = [h for h in history if h.facilitator_id in known or h.facilitator_id in gone]
    declined = {(rid, fid) for rid, fid in session.execute(select(
        Allocation.request_id, Allocation.facilitator_id).where(
        Allocation.partnership == key, Allocation.status == "declined",
        Allocation.request_id.in_(waiting_ids)))}
    workspace = Workspace(facilitators=tuple(facilitators), leave=files.leave,
                          requests=tuple(waiting), participants=tuple(participants),
                          involvements=files.involvements, history=tuple(history),
                          organisations=files.organisations)
    return workspace, DayState.of(open_loads(session, key), declined)


def _history(session: Session, key: str) -> list[PastSession]:
    """Every JAGS the ledger has given a facilitator (not declined), as history rows."""
    attendees: dict[str, list[str]] = defaultdict(list)
    for rid, email in session.execute(select(LedgerRequest.request_id,
                                             LedgerRequest.requester_email).where(
            LedgerRequest.partnership == key, LedgerRequest.requester_email.is_not(None))):
        if email:
            attendees[rid].append(email)
    for rid, email in session.execute(select(LedgerParticipant.request_id,
                                             LedgerParticipant.email).where(
            LedgerParticipant.partnership == key, LedgerParticipant.email.is_not(None))):
        if email:
            attendees[rid].append(email)
    rows: dict[tuple[str, str], PastSession] = {}
    query = (select(Allocation, LedgerRequest.held_on, LedgerRequest.closed_on,
                    LedgerRequest.ended_on)
             .join(LedgerRequest, (LedgerRequest.partnership == Allocation.partnership)
                   & (LedgerRequest.request_id == Allocation.request_id))
             .where(Allocation.partnership == key, Allocation.status != "declined")
             .order_by(Allocation.id))
    for alloc, held_on, closed_on, ended_on in session.execute(query):
        closed = None if alloc.status == "open" else (closed_on or alloc.ended_on or ended_on)
        rows[alloc.request_id, alloc.facilitator_id] = PastSession.model_construct(
            request_id=alloc.request_id, facilitator_id=alloc.facilitator_id,
            role=PastRole(alloc.role) if alloc.role else None,
            allocated_on=alloc.allocated_on, held_on=held_on, closed_on=closed,
            attendees=tuple(sorted(set(attendees[alloc.request_id]))))
    return list(rows.values())


# Committing an allocation ---------------------------------------------------------------


def _commit_allocation(session: Session, key: str, result: AllocationResult, on: date,
                       by: str, batch: Batch) -> list[str]:
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
            session.add(Allocation(partnership=key, request_id=req.request_id,
                                   facilitator_id=ids[position], role=role, pinned=pinned,
                                   batch_id=batch.id, allocated_on=on, status="open"))
        if row.allocated_on is None:
            row.allocated_on = on
        add_event(session, key, row, EventKind.ALLOCATED, on, by, batch, State.ALLOCATED,
                  facilitator_id=ids[0])
        session.flush()
        fault_point("mid-batch")
        booked = session.scalars(select(LedgerSession).where(
            LedgerSession.partnership == key, LedgerSession.request_id == req.request_id,
            LedgerSession.status == "booked")).first()
        if booked is not None:
            replace_facilitators(session, key, booked, ids, on, batch)
            reallocated.append(req.request_id)
    return reallocated


# Recording one event ---------------------------------------------------------------------


def _record_one(session: Session, key: str, item: RecordItem, by: str, batch: Batch,
                cancel: Callable[[Session, str, LedgerSession, date, Batch], None]) -> str:
    row = session.get(LedgerRequest, (key, item.request_id))
    if row is None or row.origin != "form":
        raise _Refused(f"request {item.request_id} is not in the ledger")
    state = State(row.state)
    target = next_state(state, item.event)
    if target is None:
        raise _Refused(refusal(item.request_id, state, item.event))
    last = session.scalar(select(func.max(Event.on)).where(
        Event.partnership == key, Event.request_id == item.request_id))
    if last is not None and item.on < last:
        raise _Refused(f"{item.request_id}: {item.event.value} on {item.on.isoformat()} is "
                       f"before its last recorded change ({last.isoformat()})")
    current = list(session.scalars(select(Allocation).where(
        Allocation.partnership == key, Allocation.request_id == item.request_id,
        Allocation.status == "open").order_by(Allocation.id)))
    current_ids = [a.facilitator_id for a in current]
    who = item.facilitator_id
    if who is not None and who not in current_ids:
        on_it = ", ".join(current_ids) or "none"
        raise _Refused(f"{item.request_id}: facilitator {who} is not on this request "
                       f"(its facilitators: {on_it})")
    if item.event is EventKind.DECLINED:
        if who is None:
            if len(current_ids) != 1:
                raise _Refused(f"{item.request_id}: say which facilitator declined "
                               f"(--facilitator; its facilitators: {', '.join(current_ids)})")
            who = current_ids[0]
        for alloc in current:
            alloc.status = "declined" if alloc.facilitator_id == who else "released"
            alloc.ended_on = item.on
        row.declines += 1
        row.contacted_on = row.confirmed_on = None
    elif target in (State.HELD, State.STEPPED_DOWN, State.CANCELLED):
        for alloc in current:
            alloc.status, alloc.ended_on = "released", item.on
    booked = session.scalars(select(LedgerSession).where(
        LedgerSession.partnership == key, LedgerSession.request_id == item.request_id,
        LedgerSession.status == "booked")).first()
    if target in (State.STEPPED_DOWN, State.CANCELLED) and booked is not None:
        cancel(session, key, booked, item.on, batch)
    if target is State.HELD and booked is not None:
        booked.status = "held"
    _stamp(row, item.event, item.on)
    add_event(session, key, row, item.event, item.on, by, batch, target,
              facilitator_id=who or (current_ids[0] if current_ids else None), note=item.reason)
    line = f"{item.request_id}: {item.event.value} on {item.on.isoformat()} ({state.value} → " \
           f"{target.value})"
    if item.event is EventKind.CONFIRMED and booked is not None:
        add_event(session, key, row, EventKind.SCHEDULED, item.on, by, batch, State.SCHEDULED,
                  facilitator_id=current_ids[0] if current_ids else None)
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


# Batch files -----------------------------------------------------------------------------


def _whole(files: Mapping[str, bytes | Iterable[bytes]]) -> dict[str, bytes]:
    """Files whose content may be streamed (byte chunks), made whole."""
    return {name: content if isinstance(content, bytes) else b"".join(content)
            for name, content in files.items()}


def _zip(files: Mapping[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return buffer.getvalue()


def _unzip(data: bytes) -> dict[str, bytes]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def ids_of(rows: Iterable[LedgerRequest]) -> list[str]:
    """Request ids of rows, sorted."""
    return sorted(r.request_id for r in rows)


def months_before(day: date, months: int) -> date:
    """``day`` moved back by whole months (clamped to the month's last day)."""
    from allocator.rules import add_months

    return add_months(day, -months)
