"""Scheduling through the ledger: the job behind ``jags schedule WORKSPACE [--commit]`` and
``jags invite WORKSPACE --send`` when the workspace has a ledger.

Confirmed requests with no session are proposed times from the calendars,
keeping clear of every session already booked on the ledger (so nobody is
double-booked and the per-day limit holds across runs); with ``--commit`` the
sessions are booked and their invitations queued in the outbox.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from allocator import InputError, WorkingCalendar
from jags.csv_output import csv_bytes
from jags.daily import open_ledger
from jags.ledger.booking import recipients_of, stamp_for
from jags.schedule import (
    PROPOSAL_COLUMNS,
    SEARCH_DAYS,
    calendar_sources,
    proposal_rows,
    read_availability,
    remote_source,
)
from jags.send import OutgoingInvite
from scheduling.invitations import Person, eml_bytes, message_id_for
from scheduling.proposals import Attendee, SessionRequest, propose, window_days

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import date

    from allocator import Policy
    from jags.ledger.booking import Candidate
    from jags.ledger.models import OutboxMessage
    from jags.locate import Where
    from jags.schedule import Remote
    from scheduling.proposals import Booked, ScheduleResult


@dataclass
class LedgerSchedule:
    """What a scheduling run against the ledger did."""

    result: ScheduleResult | None
    booked: list[str]
    refused: list[tuple[str, str]]
    committed: bool
    files: dict[str, bytes] = field(default_factory=dict)


def session_request(candidate: Candidate) -> SessionRequest:
    """The scheduling engine's view of a candidate: attendees with their roles."""
    return SessionRequest(
        candidate.request_id,
        candidate.confirmed_on,
        tuple(
            Attendee(
                a["email"],
                a["name"],
                required=a["role"] != "OPT-PARTICIPANT",
                facilitator=a["role"] == "CHAIR",
            )
            for a in candidate.attendees
        ),
    )


def run_ledger_schedule(
    where: Where,
    on: date,
    by: str,
    *,
    commit: bool,
    policy: Policy | None = None,
    remote: Remote | None = None,
    time_limit: float = 30.0,
    check: Callable[[Mapping[str, bytes]], None] | None = None,
) -> LedgerSchedule:
    """Propose times for confirmed requests (and book them with ``commit``).

    A request whose session window opened before ``on`` is refused: its
    window would lie (partly) in the past, where calendars look empty.
    ``check`` (default none) sees ``proposals.csv`` before anything is booked
    and may refuse it by raising: nothing is then booked.
    """
    ledger = open_ledger(where)
    try:
        chosen_policy = policy or ledger.policy
        calendar = WorkingCalendar.for_policy(chosen_policy)
        refused: list[tuple[str, str]] = []
        usable: list[SessionRequest] = []
        for candidate in ledger.schedule_candidates():
            first = window_days(candidate.confirmed_on, chosen_policy, calendar)[0][1]
            if first < on:
                refused.append(
                    (
                        candidate.request_id,
                        f"its session window opened on {first.isoformat()}, before "
                        f"this run ({on.isoformat()}); arrange the session by hand and "
                        f"record it as held",
                    )
                )
            else:
                usable.append(session_request(candidate))
        if not usable:
            return LedgerSchedule(None, [], refused, commit)
        sources = calendar_sources(where.workspace) if where.workspace.is_dir() else []
        if remote is not None:
            sources.append(remote_source(remote))
        availability, after_window = read_availability(sources, usable, chosen_policy, calendar)
        outcome: dict[str, ScheduleResult] = {}

        def choose(found: list[Candidate], booked: list[Booked]) -> dict[str, tuple[Any, Any]]:
            ids = {c.request_id for c in found}
            batch = [s for s in usable if s.request_id in ids]
            result = propose(
                batch,
                availability,
                chosen_policy,
                calendar,
                booked=booked,
                time_limit=time_limit,
                search_days=SEARCH_DAYS,
                after_window=after_window,
            )
            outcome["result"] = result
            if check is not None:
                check({"proposals.csv": csv_bytes(PROPOSAL_COLUMNS, proposal_rows(result))})
            return {
                rid: (p.options[0].start, p.options[0].end)
                for rid, p in result.proposals.items()
                if p.scheduled
            }

        _, booked_ids = ledger.schedule(
            on, by, commit=commit, propose=choose, wanted=[s.request_id for s in usable]
        )
        result = outcome.get("result")
        run = LedgerSchedule(result, booked_ids, refused, commit)
        if result is not None:
            run.files["proposals.csv"] = csv_bytes(PROPOSAL_COLUMNS, proposal_rows(result))
        if commit and booked_ids:
            wanted = set(booked_ids)
            latest: dict[str, OutboxMessage] = {}
            for message in ledger.outbox(pending_only=False):
                if message.request_id in wanted:
                    latest[message.request_id] = message
            for rid, message in sorted(latest.items()):
                run.files[f"invites/{rid}.ics"] = message.ics
                run.files[f"invites/{rid}.eml"] = message_eml(message, on)
        return run
    finally:
        ledger.close()


def outgoing(message: OutboxMessage) -> OutgoingInvite:
    """An outbox row as the sender's :class:`OutgoingInvite`."""
    return OutgoingInvite(
        request_id=message.request_id,
        method="CANCEL" if message.method == "CANCEL" else "REQUEST",
        ics=message.ics,
        recipients=recipients_of(message),
        subject=message.subject,
        text=message.text,
    )


def message_eml(message: OutboxMessage, on: date) -> bytes:
    """The e-mail carrying an outbox message, for people who send from their own mailbox."""
    people = recipients_of(message)
    organizer = _organizer(message) or people[0]
    return eml_bytes(
        message.ics,
        method=message.method,
        sender=organizer,
        recipients=list(people),
        subject=message.subject,
        text=message.text,
        date=stamp_for(on),
        message_id=message_id_for(
            message.request_id,
            method=message.method,  # type: ignore[arg-type]
            sequence=message.sequence,
            ics=message.ics,
        ),
    )


def _organizer(message: OutboxMessage) -> Person | None:
    """The invitation's ORGANIZER (read with icalendar, so a long line folded over two
    is read whole), or ``None`` when it has none that is a usable address."""
    from icalendar import Calendar

    try:
        calendar = Calendar.from_ical(message.ics)
    except ValueError:
        return None
    for event in calendar.walk("VEVENT"):
        organizer = event.get("ORGANIZER")
        if organizer is None:
            continue
        address = str(organizer)
        email = address[len("mailto:") :] if address.casefold().startswith("mailto:") else address
        name = str(organizer.params.get("CN", "")).strip()
        try:
            return Person(name or email, email.strip())
        except ValueError:
            return None
    return None


def send_from_ledger(
    where: Where, *, via: str, dry_run: bool, on: date, by: str
) -> tuple[list[str], str | None]:
    """Send what is queued in the outbox (a dry run by default).

    Returns the lines to show and the error that stopped sending, if any.
    """
    from jags.send import SendError, send_invites

    if via not in ("graph", "exchange"):
        raise InputError(f"--send: {via!r} is not exchange or graph")
    ledger = open_ledger(where)
    try:
        if dry_run:
            waiting = ledger.outbox()
            lines = send_invites(
                [outgoing(m) for m in waiting],
                via=via,  # type: ignore[arg-type]
                dry_run=True,
            )
            return [
                f"{line} (message {m.id}, SEQUENCE {m.sequence})"
                for line, m in zip(lines, waiting, strict=True)
            ], None

        def send_one(message: OutboxMessage) -> str | None:
            try:
                send_invites([outgoing(message)], via=via, dry_run=False)  # type: ignore[arg-type]
            except SendError as exc:
                raise RuntimeError(str(exc)) from None
            return None

        sent, failed, error = ledger.send_queued(send_one, on=on, by=by)
        lines = [
            f"sent {m.method} for {m.request_id} (message {m.id}, SEQUENCE {m.sequence}) "
            f"to {len(json.loads(m.recipients))} recipient(s) via {via}"
            for m in sent
        ]
        if failed is not None:
            return lines, (
                f"message {failed.id} ({failed.method} for {failed.request_id}) "
                f"was not sent and stays queued: {error}"
            )
        return lines, None
    finally:
        ledger.close()
