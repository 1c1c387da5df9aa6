"""Draft records of a synthetic workspace, and their assembly into a validated Workspace.

:mod:`jags.generate` draws facilitators, requests and earlier JAGS as these
mutable drafts (facilitators referred to by their index in the list), then
:func:`assemble` numbers them and builds the :class:`~allocator.models.Workspace`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from allocator.models import (
    Facilitator,
    Involvement,
    Leave,
    Organisation,
    Participant,
    PastSession,
    Request,
    Workspace,
)

if TYPE_CHECKING:
    from datetime import date, datetime

    from allocator.models import Attendance, Mode
    from jags.generate_people import Org, Person

__all__ = ["Fac", "InvolvementRow", "Past", "Req", "assemble"]

InvolvementRow = tuple[int, str | None, str | None, str]
"""A facilitator's involvement: (facilitator index, case_ref, family_ref, note)."""


@dataclass
class Fac:
    """A facilitator being drawn (``open_jags`` counts places already taken)."""

    person: Person
    sector: str | None
    locality: str
    trained_on: date | None
    training_expires: date | None
    max_open: int | None
    can_lead: bool
    specialisms: tuple[str, ...]
    active: bool
    leave: list[tuple[date, date]] = field(default_factory=list)
    open_jags: int = 0


@dataclass
class Req:
    """A request being drawn; ``preferred`` is a facilitator's index in the list."""

    received_at: datetime
    locality: str
    requester: Person
    participants: list[tuple[Person, Attendance]]
    case_ref: str
    family_ref: str | None
    mode: Mode
    topic: str | None
    preferred: int | None = None
    rationale: str | None = None
    follow_up: Past | None = None


@dataclass
class Past:
    """An earlier JAGS: the index of its facilitator, its dates and who attended."""

    facilitator: int
    allocated_on: date
    held_on: date | None
    closed_on: date | None
    attendees: list[str]


def assemble(
    facs: list[Fac],
    reqs: list[Req],
    past: list[Past],
    involvements: list[InvolvementRow],
    orgs: list[Org],
) -> Workspace:
    """The validated workspace of the drafts.

    Facilitators are numbered ``F001`` … in list order, requests ``R-0001`` …
    in list order and earlier JAGS ``H-0001`` … in order allocated; each
    facilitator's ``open_jags`` is their count of unclosed ``past`` rows.
    """
    width = max(3, len(str(len(facs))))
    fac_ids = [f"F{i + 1:0{width}d}" for i in range(len(facs))]
    req_width = max(4, len(str(len(reqs))))
    past_width = max(4, len(str(len(past))))
    past_sorted = sorted(past, key=lambda p: (p.allocated_on, p.facilitator))
    past_ids = {id(p): f"H-{k + 1:0{past_width}d}" for k, p in enumerate(past_sorted)}
    open_counts = [0] * len(facs)
    for p in past_sorted:
        if p.closed_on is None:
            open_counts[p.facilitator] += 1
    facilitators = tuple(
        Facilitator(
            facilitator_id=fac_ids[i],
            name=f.person.name,
            email=f.person.email,
            organisation=f.person.org.name,
            sector=f.sector,
            locality=f.locality,
            trained_on=f.trained_on,
            training_expires=f.training_expires,
            max_open=f.max_open,
            open_jags=open_counts[i],
            can_lead=f.can_lead,
            specialisms=f.specialisms,
            active=f.active,
        )
        for i, f in enumerate(facs)
    )
    leave = tuple(
        Leave(facilitator_id=fac_ids[i], start=a, end=b)
        for i, f in enumerate(facs)
        for a, b in f.leave
    )
    requests: list[Request] = []
    participants: list[Participant] = []
    for k, r in enumerate(reqs):
        rid = f"R-{k + 1:0{req_width}d}"
        requests.append(
            Request(
                request_id=rid,
                received_at=r.received_at,
                requester_name=r.requester.name,
                requester_email=r.requester.email,
                requester_organisation=r.requester.org.name,
                case_ref=r.case_ref,
                family_ref=r.family_ref,
                locality=r.locality,
                mode=r.mode,
                topic=r.topic,
                preferred_facilitator_id=None if r.preferred is None else fac_ids[r.preferred],
                preference_rationale=r.rationale,
                follow_up_of=None if r.follow_up is None else past_ids[id(r.follow_up)],
            )
        )
        participants.extend(
            Participant(
                request_id=rid, name=p.name, email=p.email, organisation=p.org.name, attendance=a
            )
            for p, a in r.participants
        )
    history = tuple(
        PastSession(
            request_id=past_ids[id(p)],
            facilitator_id=fac_ids[p.facilitator],
            allocated_on=p.allocated_on,
            held_on=p.held_on,
            closed_on=p.closed_on,
            attendees=tuple(p.attendees),
        )
        for p in past_sorted
    )
    return Workspace(
        facilitators=facilitators,
        leave=leave,
        requests=tuple(requests),
        participants=tuple(participants),
        involvements=tuple(
            Involvement(facilitator_id=fac_ids[i], case_ref=c, family_ref=fam, note=note)
            for i, c, fam, note in involvements
        ),
        history=history,
        organisations=tuple(
            Organisation(
                organisation=o.name, sector=o.sector, locality=None if o.countywide else o.locality
            )
            for o in orgs
        ),
    )
