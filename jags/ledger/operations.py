"""Ledger operations: init, intake, the daily allocation step, and recorded events.

Every operation runs in one transaction (:meth:`Store.write`), so a crash
leaves the ledger as it was before or as after, never between. Nothing else
in the product writes SQL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from allocator import Policy
from jags.ledger.booking import Candidate, candidates, pending
from jags.ledger.daystate import commit_allocation, engine_inputs, unzip_files, whole, zip_files
from jags.ledger.events import RecordItem, Refused, digest, new_batch, record_one
from jags.ledger.intake import Intake, import_history, intake, snapshot_facilitators
from jags.ledger.models import Batch, LedgerRequest, OutboxMessage, Partnership
from jags.ledger.records import aware
from jags.ledger.retention import export_tables, purge
from jags.ledger.store import LedgerError, Store, ledger_url, open_store, slug, valid_key
from jags.ledger.views import FacilitatorStatus, RequestStatus, facilitator_status, request_status

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from pathlib import Path

    from allocator import AllocationResult, DayState, Workspace
    from scheduling.proposals import Booked


class RecordError(LedgerError):
    """Events that do not fit the requests' states; nothing was recorded."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


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
    def open(
        cls, workspace: Path, *, db: str | None = None, partnership: str | None = None
    ) -> Ledger | None:
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
    def init(
        cls,
        workspace_path: Path,
        files: Workspace,
        policy: Policy,
        *,
        on: date,
        by: str,
        db: str | None = None,
        partnership: str | None = None,
    ) -> tuple[Ledger, bool]:
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

                row = Partnership(
                    key=key, name=policy.partnership, policy=policy_toml(policy), created_on=on
                )
                session.add(row)
                session.flush()
                batch = new_batch(
                    session,
                    key,
                    "init",
                    on,
                    by,
                    digest(
                        [f.model_dump(mode="json") for f in files.facilitators]
                        + [h.model_dump(mode="json") for h in files.history]
                    ),
                )
                import_history(session, key, files, on, by, batch)
                snapshot_facilitators(session, key, files, on, initial=True)
                batch.summary = json.dumps(
                    {"history": len(files.history), "facilitators": len(files.facilitators)}
                )
                created = True
        return cls(store, row), created

    def close(self) -> None:
        self.store.close()

    def request_ids(self) -> frozenset[str]:
        """Every request id on the ledger (form and history)."""
        with self.store.read() as session:
            return frozenset(
                session.scalars(
                    select(LedgerRequest.request_id).where(LedgerRequest.partnership == self.key)
                )
            )

    # The daily step ------------------------------------------------------------

    def allocate_day(
        self,
        files: Workspace,
        on: date,
        by: str,
        *,
        commit: bool,
        run: Callable[[Workspace, DayState], AllocationResult],
        render: Callable[[AllocationResult], Mapping[str, bytes | Iterable[bytes]]],
    ) -> DayOutcome:
        """Import new requests, allocate the waiting ones against the ledger, and (with
        ``commit``) record the batch — all in one transaction.

        ``run`` is the engine call (the same daily step the simulation runs);
        ``render`` turns its result into the batch's output files.
        """
        if not commit:
            with self.store.read() as session:
                found = intake(session, self.key, files, on, write=False)
                engine_ws, state = engine_inputs(
                    session, self.key, files, extra=[files.request_by_id[r] for r in found.new]
                )
                result = run(engine_ws, state)
                return DayOutcome(result, found, None, False, whole(render(result)))
        with self.store.write(self.key) as session:
            found = intake(session, self.key, files, on, write=False)
            snapshot_facilitators(session, self.key, files, on)
            engine_ws, state = engine_inputs(
                session, self.key, files, extra=[files.request_by_id[r] for r in found.new]
            )
            result = run(engine_ws, state)
            if not found.new and not result.chosen:
                last = session.scalars(
                    select(Batch)
                    .where(Batch.partnership == self.key, Batch.kind == "allocate", Batch.on == on)
                    .order_by(Batch.id.desc())
                    .limit(1)
                ).first()
                files_out = (
                    unzip_files(last.files)
                    if last is not None and last.files
                    else whole(render(result))
                )
                return DayOutcome(
                    result,
                    found,
                    None,
                    False,
                    files_out,
                    unchanged_since=last.id if last is not None else None,
                )
            inputs = digest(
                {
                    "on": on,
                    "policy": result.instance.policy.model_dump(mode="json"),
                    "workspace": engine_ws.model_dump(mode="json"),
                    "open_load": dict(state.open_load),
                    "declined": sorted(state.declined),
                }
            )
            batch = new_batch(session, self.key, "allocate", on, by, inputs)
            intake(session, self.key, files, on, write=True, batch=batch, by=by)
            reallocated = commit_allocation(session, self.key, result, on, by, batch)
            out = whole(render(result))
            batch.files = zip_files(out)
            batch.summary = json.dumps({**result.summary, "imported": len(found.new)})
            return DayOutcome(result, found, batch.id, True, out, reallocated=reallocated)

    def import_requests(self, files: Workspace, on: date, by: str) -> Intake:
        """Import the export's new requests (received up to ``on``) without allocating;
        changed rows are reported, not applied. One transaction."""
        with self.store.write(self.key) as session:
            found = intake(session, self.key, files, on, write=False)
            if found.new:
                batch = new_batch(session, self.key, "intake", on, by, digest(sorted(found.new)))
                intake(session, self.key, files, on, write=True, batch=batch, by=by)
                batch.summary = json.dumps({"imported": len(found.new)})
            return found

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
            inputs = digest([(i.request_id, i.event, i.on, i.facilitator_id) for i in items])
            batch = new_batch(
                session,
                self.key,
                "record",
                max((i.on for i in items), default=date.today()),
                by,
                inputs,
            )
            for item in items:
                where = f"{item.where}: " if item.where else ""
                try:
                    line = record_one(session, self.key, item, by, batch, cancel_session)
                except Refused as exc:
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

    def schedule(
        self,
        on: date,
        by: str,
        *,
        commit: bool,
        propose: Callable[[list[Candidate], list[Booked]], dict[str, tuple[Any, Any]]],
        wanted: Iterable[str] | None = None,
    ) -> tuple[list[Candidate], list[str]]:
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
            found = [
                c for c in candidates(session, self.key) if keep is None or c.request_id in keep
            ]
            chosen = propose(found, booked_sessions(session, self.key)) if found else {}
            if not commit or not chosen:
                return found, []
            batch = new_batch(
                session,
                self.key,
                "schedule",
                on,
                by,
                digest(
                    {
                        "on": on,
                        "sessions": sorted((rid, str(a), str(b)) for rid, (a, b) in chosen.items()),
                    }
                ),
            )
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
            return list(
                session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.partnership == self.key)
                    .order_by(OutboxMessage.id)
                )
            )

    def interrupted(self) -> list[OutboxMessage]:
        """Messages claimed for sending whose result was never recorded (the sender was
        stopped between the two): whether they went out is unknown, so they are never
        sent again unless :meth:`requeue` says so."""
        with self.store.read() as session:
            return list(
                session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.partnership == self.key, OutboxMessage.status == "sending")
                    .order_by(OutboxMessage.id)
                )
            )

    def requeue(self, message_ids: Sequence[int], *, on: date, by: str) -> list[OutboxMessage]:
        """Queue interrupted messages again, after a person has checked they did not go
        out: all of them in one transaction, or none when one is not interrupted."""
        with self.store.write(self.key) as session:
            found: list[OutboxMessage] = []
            for message_id in message_ids:
                message = session.get(OutboxMessage, message_id)
                if message is None or message.partnership != self.key:
                    raise LedgerError(f"message {message_id} is not in this outbox")
                if message.status != "sending":
                    raise LedgerError(
                        f"message {message_id} is {message.status}, not interrupted: only a "
                        "message whose sending was interrupted can be queued again"
                    )
                found.append(message)
            batch = new_batch(session, self.key, "requeue", on, by, digest(list(message_ids)))
            for message in found:
                message.status, message.error = "queued", None
            batch.summary = json.dumps({"requeued": [m.id for m in found]})
            return found

    def send_queued(
        self, send_one: Callable[[OutboxMessage], str | None], *, on: date, by: str
    ) -> tuple[list[OutboxMessage], OutboxMessage | None, str]:
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
                batch = new_batch(session, self.key, "send", on, by, digest([message.id]))
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
                done.status, done.provider_id, done.sent_on, done.error = "sent", provider, on, None
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
                batch = new_batch(session, self.key, "purge", on, by, digest(ids))
                batch.summary = json.dumps({"purged": len(ids)})
            return ids

    def received_history(self) -> list[datetime]:
        """When each request from the form was received (aware, London): for what-if
        demand resampled from the partnership's own history."""
        with self.store.read() as session:
            times = session.scalars(
                select(LedgerRequest.received_at)
                .where(LedgerRequest.partnership == self.key, LedgerRequest.origin == "form")
                .order_by(LedgerRequest.received_at)
            )
            return [aware(t) for t in times if t is not None]


# Batches and events -------------------------------------------------------------------


# Intake -------------------------------------------------------------------------------


# History and facilitators ------------------------------------------------------------


# Engine inputs --------------------------------------------------------------------------


# Recording one event ---------------------------------------------------------------------


# Batch files -----------------------------------------------------------------------------


def ids_of(rows: Iterable[LedgerRequest]) -> list[str]:
    """Request ids of rows, sorted."""
    return sorted(r.request_id for r in rows)


def months_before(day: date, months: int) -> date:
    """``day`` moved back by whole months (clamped to the month's last day)."""
    from allocator.rules import add_months

    return add_months(day, -months)
