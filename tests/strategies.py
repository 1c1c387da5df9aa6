"""Hypothesis strategies for random workspaces (not a test module)."""

from __future__ import annotations

from datetime import date

from builders import fac, part, req, workspace
from hypothesis import strategies as st

from allocator import DayState, Involvement, Leave, PastSession, Workspace

ORGS = ["Org A", "Org B", "Org C", "Org D", "Org E"]
SECTORS = ["Health", "Police", "Education"]
PLACES = [None, "Norwich", "Breckland"]
TOPICS = [None, "neglect", "exploitation"]


@st.composite
def workspaces(draw: st.DrawFn, max_facilitators: int = 7, max_requests: int = 9) -> Workspace:
    n_f = draw(st.integers(1, max_facilitators))
    n_r = draw(st.integers(1, max_requests))
    facilitators = []
    for i in range(n_f):
        max_open = draw(st.integers(0, 3))
        facilitators.append(
            fac(
                f"F{i}",
                draw(st.sampled_from(ORGS)),
                sector=draw(st.sampled_from(SECTORS)),
                locality=draw(st.sampled_from(PLACES)),
                max_open=draw(st.sampled_from([max_open, max_open, max_open, None])),
                open_jags=draw(st.integers(0, 2)),
                can_lead=draw(st.booleans()),
                specialisms=tuple(t for t in TOPICS[1:] if draw(st.booleans())),
                trained_on=draw(st.sampled_from([date(2025, 1, 1)] * 5 + [date(2026, 12, 1)])),
                active=draw(st.sampled_from([True] * 6 + [False])),
            )
        )
    requests, participants, involvements = [], [], []
    for j in range(n_r):
        rid = f"R{j}"
        pinned = draw(st.integers(-3, n_f - 1))
        requests.append(
            req(
                rid,
                draw(st.sampled_from(ORGS)),
                day=draw(st.integers(9, 20)),
                hour=draw(st.integers(8, 18)),
                locality=draw(st.sampled_from(PLACES)),
                topic=draw(st.sampled_from(TOPICS)),
                mode=draw(st.sampled_from(["in_person", "online", "either"])),
                preferred_facilitator_id=f"F{pinned}" if pinned >= 0 else None,
                preference_rationale="rationale" if pinned >= 0 and draw(st.booleans()) else None,
            )
        )
        for k in range(draw(st.integers(0, 2))):
            participants.append(part(rid, f"p{j}{k}@net.example", draw(st.sampled_from(ORGS))))
        if draw(st.integers(0, 5)) == 0:
            involvements.append(
                Involvement(
                    facilitator_id=f"F{draw(st.integers(0, n_f - 1))}", case_ref=f"CASE-{rid}"
                )
            )
    leave = []
    if draw(st.booleans()):
        leave.append(
            Leave(
                facilitator_id=f"F{draw(st.integers(0, n_f - 1))}",
                start=date(2026, 11, 19),
                end=date(2026, 11, 23),
            )
        )
    return workspace(
        facilitators, requests, participants=participants, involvements=involvements, leave=leave
    )


@st.composite
def daily_batches(
    draw: st.DrawFn, max_facilitators: int = 14, max_requests: int = 4
) -> tuple[Workspace, DayState]:
    """A daily batch as the ledger and the what-if simulation hand it over: a few
    requests, more facilitators, open loads and declines from the day's state, and a
    history of earlier JAGS whose attendees turn on the worked-alongside penalty."""
    ws = draw(workspaces(max_facilitators=max_facilitators, max_requests=max_requests))
    fids = [f.facilitator_id for f in ws.facilitators]
    emails = sorted({p.email for p in ws.participants} | {r.requester_email for r in ws.requests})
    history = [
        PastSession(
            request_id=f"H{k}",
            facilitator_id=draw(st.sampled_from(fids)),
            allocated_on=date(2026, draw(st.integers(1, 11)), 2),
            attendees=tuple(draw(st.lists(st.sampled_from(emails), max_size=3))),
        )
        for k in range(draw(st.integers(0, 4)))
    ]
    loads = {fid: draw(st.integers(0, 3)) for fid in fids if draw(st.booleans())}
    declined = {
        (r.request_id, draw(st.sampled_from(fids)))
        for r in ws.requests
        if draw(st.integers(0, 3)) == 0
    }
    return ws.replace(history=tuple(history)), DayState.of(loads, declined)
