"""The schedule manifest (``schedule.json``): what a file-only scheduling run invited, so
``jags invite`` can later choose another option, release holds or cancel, keeping each
UID and raising SEQUENCE.

The manifest is a frozen, typed model; every change makes a new one. Its JSON is
deterministic (sorted keys), so the same run gives the same bytes.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, ValidationError

from allocator import InputError, Policy
from jags.messages import invitation_text, location_for
from scheduling.invitations import (
    Attendee,
    Person,
    Session,
    cancel_ics,
    eml_bytes,
    message_id_for,
    request_ics,
    subject_for,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from pathlib import Path

    from allocator import Workspace
    from jags.send import OutgoingInvite
    from scheduling.proposals import ScheduleResult, SessionRequest

MANIFEST = "schedule.json"
Role = Literal["CHAIR", "REQ-PARTICIPANT", "OPT-PARTICIPANT"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Contact(_Model):
    """The organizer (the requester)."""

    name: str
    email: str


class Invitee(_Model):
    """An attendee and their iTIP role (CHAIR for a facilitator)."""

    name: str
    email: str
    role: Role


class Slot(_Model):
    """A proposed time (ISO 8601 with offset); ``outside`` when after the window."""

    start: str
    end: str
    outside: bool = False


class Invited(_Model):
    """A time invited to (or held) and the SEQUENCE of its latest document."""

    start: str
    end: str
    sequence: int


class Entry(_Model):
    """One request's session: who, where, the options, and what was sent."""

    organizer: Contact
    attendees: tuple[Invitee, ...]
    location: str | None
    options: tuple[Slot, ...]
    invited: Invited | None = None
    holds: dict[str, Invited] = {}
    cancelled: bool = False


class Manifest(_Model):
    """Everything ``jags invite`` needs after ``jags schedule``.

    Attributes
    ----------
    policy
        The policy the run used.
    made_on
        The day of the latest run (DTSTAMP of its documents).
    sessions
        Request id → its :class:`Entry`.
    outbox
        Documents written by the latest run (file stems under ``invites/``).
    """

    policy: Policy
    made_on: date
    sessions: dict[str, Entry]
    outbox: tuple[str, ...] = ()

    def to_bytes(self) -> bytes:
        """Deterministic JSON."""
        return (
            json.dumps(self.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False)
            + "\n"
        ).encode("utf-8")


def new_manifest(
    policy: Policy,
    workspace: Workspace,
    sessions: Sequence[SessionRequest],
    result: ScheduleResult,
    made_on: date,
) -> Manifest:
    """A manifest for a run's sessions, nothing invited yet."""
    entries: dict[str, Entry] = {}
    for session in sessions:
        req = workspace.request_by_id[session.request_id]
        proposal = result.proposals[session.request_id]
        entries[session.request_id] = Entry(
            organizer=Contact(name=req.requester_name, email=req.requester_email),
            attendees=tuple(
                Invitee(
                    name=a.name,
                    email=a.email,
                    role="CHAIR"
                    if a.facilitator
                    else "REQ-PARTICIPANT"
                    if a.required
                    else "OPT-PARTICIPANT",
                )
                for a in session.attendees
            ),
            location=location_for(str(req.mode)),
            options=tuple(
                Slot(start=o.start.isoformat(), end=o.end.isoformat(), outside=o.outside)
                for o in proposal.options
            ),
        )
    return Manifest(policy=policy, made_on=made_on, sessions=entries)


def load_manifest(folder: Path) -> Manifest:
    """The manifest a scheduling run wrote into ``folder``."""
    path = folder / MANIFEST
    try:
        return Manifest.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise InputError(f"{MANIFEST}: not found in {folder} (run jags schedule first)") from None
    except (OSError, ValidationError):
        raise InputError(f"{MANIFEST}: not a readable schedule manifest") from None


# Documents ------------------------------------------------------------------------------


def _stamp(day: date, policy: Policy) -> datetime:
    """DTSTAMP for documents made on ``day``: midnight there, so re-runs are stable."""
    return datetime.combine(day, time(0), ZoneInfo(policy.timezone))


def _session(entry: Entry, rid: str, start: str, end: str, sequence: int) -> Session:
    return Session(
        request_id=rid,
        start=datetime.fromisoformat(start),
        end=datetime.fromisoformat(end),
        organizer=Person(entry.organizer.name, entry.organizer.email),
        attendees=tuple(Attendee(a.name, a.email, a.role) for a in entry.attendees),
        sequence=sequence,
        location=entry.location,
    )


def _documents(
    name: str,
    ics: bytes,
    session: Session,
    *,
    method: Literal["REQUEST", "CANCEL"],
    stamp: datetime,
    option: int | None = None,
    update: bool = False,
) -> dict[str, bytes]:
    """The .ics and a matching .eml for people who send from their own mailbox."""
    subject = subject_for(session.request_id, method=method, option=option, update=update)
    text = invitation_text(session.request_id, method=method, option=option)
    recipients = [Person(a.name, a.email) for a in session.attendees]
    eml = eml_bytes(
        ics,
        method=method,
        sender=session.organizer,
        recipients=recipients,
        subject=subject,
        text=text,
        date=stamp,
        message_id=message_id_for(
            session.request_id, method=method, sequence=session.sequence, ics=ics
        ),
    )
    return {f"invites/{name}.ics": ics, f"invites/{name}.eml": eml}


def render_initial(manifest: Manifest, *, holds: bool) -> tuple[Manifest, dict[str, bytes]]:
    """First invitations: option 1 of every request placed in its window, or with
    ``holds`` a tentative hold for every in-window option. Returns the manifest that
    records them and the documents."""
    policy = manifest.policy
    stamp = _stamp(manifest.made_on, policy)
    files: dict[str, bytes] = {}
    outbox: list[str] = []
    sessions = dict(manifest.sessions)
    for rid, entry in manifest.sessions.items():
        options = [o for o in entry.options if not o.outside]
        if not options:
            continue
        if holds:
            held: dict[str, Invited] = {}
            for n, opt in enumerate(options, start=1):
                session = _session(entry, rid, opt.start, opt.end, 0)
                ics = request_ics(session, policy, dtstamp=stamp, hold=True, option=n)
                files.update(
                    _documents(
                        f"{rid}-hold-{n}", ics, session, method="REQUEST", stamp=stamp, option=n
                    )
                )
                held[str(n)] = Invited(start=opt.start, end=opt.end, sequence=0)
                outbox.append(f"{rid}-hold-{n}")
            sessions[rid] = entry.model_copy(update={"holds": held})
        else:
            first = options[0]
            session = _session(entry, rid, first.start, first.end, 0)
            files.update(
                _documents(
                    rid,
                    request_ics(session, policy, dtstamp=stamp),
                    session,
                    method="REQUEST",
                    stamp=stamp,
                )
            )
            sessions[rid] = entry.model_copy(
                update={"invited": Invited(start=first.start, end=first.end, sequence=0)}
            )
            outbox.append(rid)
    return manifest.model_copy(update={"sessions": sessions, "outbox": tuple(outbox)}), files


def update_invitations(
    manifest: Manifest, *, choose: Mapping[str, int], cancel: Iterable[str], on: date
) -> tuple[Manifest, dict[str, bytes]]:
    """Choose an option (releasing holds, moving an invitation) or cancel sessions.

    A moved invitation keeps its UID and raises SEQUENCE; released holds and
    cancelled sessions get METHOD:CANCEL with the same UID and a raised SEQUENCE.
    Returns the new manifest and the documents to write.
    """
    policy = manifest.policy
    stamp = _stamp(on, policy)
    sessions = dict(manifest.sessions)
    files: dict[str, bytes] = {}
    outbox: list[str] = []
    cancel = list(cancel)
    for rid in [*choose, *cancel]:
        if rid not in sessions:
            raise InputError(f"request {rid} is not in this schedule")
    for rid, number in sorted(choose.items()):
        entry = sessions[rid]
        if not 1 <= number <= len(entry.options):
            raise InputError(
                f"{rid}: option {number} does not exist ({len(entry.options)} proposed)"
            )
        opt = entry.options[number - 1]
        entry = _release_holds(entry, rid, policy, stamp, files, outbox)
        invited = entry.invited
        if invited and not entry.cancelled and (invited.start, invited.end) == (opt.start, opt.end):
            sessions[rid] = entry
            continue  # already invited to that time: nothing to send
        sequence = invited.sequence + 1 if invited else 0
        session = _session(entry, rid, opt.start, opt.end, sequence)
        files.update(
            _documents(
                rid,
                request_ics(session, policy, dtstamp=stamp),
                session,
                method="REQUEST",
                stamp=stamp,
                update=invited is not None,
            )
        )
        sessions[rid] = entry.model_copy(
            update={
                "invited": Invited(start=opt.start, end=opt.end, sequence=sequence),
                "cancelled": False,
            }
        )
        outbox.append(rid)
    for rid in sorted(set(cancel)):
        entry = _release_holds(sessions[rid], rid, policy, stamp, files, outbox)
        invited = entry.invited
        if invited is None or entry.cancelled:
            sessions[rid] = entry
            continue
        session = _session(entry, rid, invited.start, invited.end, invited.sequence + 1)
        files.update(
            _documents(
                rid,
                cancel_ics(session, policy, dtstamp=stamp),
                session,
                method="CANCEL",
                stamp=stamp,
            )
        )
        sessions[rid] = entry.model_copy(
            update={
                "invited": invited.model_copy(update={"sequence": invited.sequence + 1}),
                "cancelled": True,
            }
        )
        outbox.append(rid)
    return manifest.model_copy(
        update={"sessions": sessions, "outbox": tuple(outbox), "made_on": on}
    ), files


def _release_holds(
    entry: Entry,
    rid: str,
    policy: Policy,
    stamp: datetime,
    files: dict[str, bytes],
    outbox: list[str],
) -> Entry:
    """CANCEL every hold of ``entry`` (documents added to ``files``); the entry without them."""
    for number, hold in sorted(entry.holds.items()):
        session = _session(entry, rid, hold.start, hold.end, hold.sequence + 1)
        ics = cancel_ics(session, policy, dtstamp=stamp, option=int(number))
        files.update(
            _documents(
                f"{rid}-hold-{number}",
                ics,
                session,
                method="CANCEL",
                stamp=stamp,
                option=int(number),
            )
        )
        outbox.append(f"{rid}-hold-{number}")
    return entry.model_copy(update={"holds": {}}) if entry.holds else entry


def outgoing(folder: Path, manifest: Manifest) -> list[OutgoingInvite]:
    """The invitations of the latest schedule or invite run, ready to send."""
    from jags.send import OutgoingInvite

    items = []
    for name in manifest.outbox:
        path = folder / "invites" / f"{name}.ics"
        if not path.is_file():
            raise InputError(f"invites/{name}.ics: not found (written by the last run)")
        ics = path.read_bytes()
        rid, _, hold = name.partition("-hold-")
        option = int(hold) if hold else None
        method: Literal["REQUEST", "CANCEL"] = (
            "CANCEL" if b"\r\nMETHOD:CANCEL\r\n" in ics else "REQUEST"
        )
        entry = manifest.sessions[rid]
        items.append(
            OutgoingInvite(
                request_id=rid,
                method=method,
                ics=ics,
                recipients=tuple(Person(a.name, a.email) for a in entry.attendees),
                subject=subject_for(rid, method=method, option=option),
                text=invitation_text(rid, method=method, option=option),
            )
        )
    return items
