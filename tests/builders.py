"""Tiny workspaces for exact-model tests (not a test module)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from allocator import Facilitator, Involvement, Leave, Participant, PastSession, Request, Workspace

ON = date(2026, 11, 20)  # a Friday


def fac(
    fid: str,
    org: str = "Org A",
    *,
    sector: str = "Health",
    max_open: int | None = 2,
    open_jags: int = 0,
    **kw: Any,
) -> Facilitator:
    fields: dict[str, Any] = dict(
        facilitator_id=fid,
        name=f"Facilitator {fid}",
        email=f"{fid.lower()}@fac.example",
        organisation=org,
        sector=sector,
        trained_on=date(2025, 1, 1),
        max_open=max_open,
        open_jags=open_jags,
    )
    fields.update(kw)
    return Facilitator(**fields)


def req(
    rid: str, org: str = "Org X", *, day: int = 18, hour: int = 10, minute: int = 0, **kw: Any
) -> Request:
    fields: dict[str, Any] = dict(
        request_id=rid,
        received_at=datetime(2026, 11, day, hour, minute),
        requester_name="Requester",
        requester_email=f"{rid.lower()}@req.example",
        requester_organisation=org,
        case_ref=f"CASE-{rid}",
    )
    fields.update(kw)
    return Request(**fields)


def part(rid: str, email: str, org: str, **kw: Any) -> Participant:
    return Participant(request_id=rid, name="Participant", email=email, organisation=org, **kw)


def workspace(
    facilitators: list[Facilitator],
    requests: list[Request],
    *,
    participants: Sequence[Participant] = (),
    leave: Sequence[Leave] = (),
    involvements: Sequence[Involvement] = (),
    history: Sequence[PastSession] = (),
    known_requests: frozenset[str] = frozenset(),
) -> Workspace:
    return Workspace(
        facilitators=tuple(facilitators),
        requests=tuple(requests),
        participants=tuple(participants),
        leave=tuple(leave),
        involvements=tuple(involvements),
        history=tuple(history),
        known_requests=known_requests,
    )
