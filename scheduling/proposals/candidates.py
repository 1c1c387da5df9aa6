"""Candidate slots per session (rule 2), their pruning, and bookings already made."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from scheduling.availability import Status
from scheduling.proposals.slots import window_days

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import date, datetime

    from allocator.policy import Policy
    from allocator.workdays import WorkingCalendar
    from scheduling.proposals.scoring import Scoring
    from scheduling.proposals.sessions import Attendee, SessionRequest
    from scheduling.proposals.slots import Slot, SlotTable

__all__ = ["Bookings", "Candidate", "Plan", "evaluate", "greedy", "make_plan", "prune"]

_PER_DAY = 3
"""Besides the best ``candidate_limit`` slots, keep this many best slots of every day."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One slot for one session, with everything the ranking and reasons need."""

    working_day: int
    slot: Slot
    statuses: tuple[Status, ...]  # per attendee, request order
    gaps: tuple[bool, ...]
    parts: tuple[int, int, int, int, int, int]
    score: int


def evaluate(
    session: SessionRequest,
    table: SlotTable,
    scoring: Scoring,
    working_day: int,
    day: date,
    index: int,
) -> tuple[Candidate, bool]:
    """The candidate for ``session`` at slot ``index`` of ``day``, and whether it fits (rule 2)."""
    statuses: list[Status] = []
    gaps: list[bool] = []
    fits = True
    tentative = optional_busy = unknown = tight = 0
    for attendee in session.attendees:
        status, gap = table.states(attendee.email, day)[index]
        statuses.append(status)
        gaps.append(gap)
        tight += gap
        if status is Status.UNKNOWN:
            unknown += 1
        elif attendee.required:
            if status.blocks:
                fits = False
            elif status is Status.TENTATIVE:
                tentative += 1
        elif status.blocks:
            optional_busy += 1
    parts = (tentative, optional_busy, unknown, working_day, tight, index)
    slot = table.slots(day)[index]
    return Candidate(
        working_day, slot, tuple(statuses), tuple(gaps), parts, scoring.score(*parts)
    ), fits


@dataclass
class Plan:
    """Per session: the window, every window slot's candidate, and the fitting ones ranked."""

    session: SessionRequest
    window: tuple[tuple[int, date], ...]
    slots_in_window: list[Candidate]
    fitting: list[Candidate]  # by score (unique per session)


def make_plan(
    session: SessionRequest,
    policy: Policy,
    calendar: WorkingCalendar,
    table: SlotTable,
    scoring: Scoring,
) -> Plan:
    window = window_days(session.confirmed_on, policy, calendar)
    every: list[Candidate] = []
    fitting: list[Candidate] = []
    for k, day in window:
        for slot in table.slots(day):
            candidate, fits = evaluate(session, table, scoring, k, day, slot.index)
            every.append(candidate)
            if fits:
                fitting.append(candidate)
    fitting.sort(key=lambda c: c.score)
    return Plan(session, window, every, fitting)


def prune(fitting: list[Candidate], limit: int | None) -> list[Candidate]:
    """The best ``limit`` candidates plus the best few of every day, in score order."""
    if limit is None or len(fitting) <= limit:
        return list(fitting)
    keep = set(range(limit))
    per_day: dict[date, int] = {}
    for i, candidate in enumerate(fitting):
        seen = per_day.get(candidate.slot.day, 0)
        if seen < _PER_DAY:
            keep.add(i)
        per_day[candidate.slot.day] = seen + 1
    return [c for i, c in enumerate(fitting) if i in keep]


# --------------------------------------------------------------------------- bookings


class Bookings:
    """Option-1 times already given, per person, and facilitated sessions per day."""

    def __init__(self, limit: int, taken: Mapping[tuple[str, date], int]) -> None:
        self.limit = limit
        self.taken = taken
        self.by_person: dict[str, list[tuple[datetime, datetime, str]]] = {}
        self.by_facilitator_day: dict[tuple[str, date], set[str]] = {}

    def add(self, session: SessionRequest, slot: Slot) -> None:
        for attendee in session.attendees:
            self.by_person.setdefault(attendee.email, []).append(
                (slot.start, slot.end, session.request_id)
            )
            if attendee.facilitator:
                self.by_facilitator_day.setdefault((attendee.email, slot.day), set()).add(
                    session.request_id
                )

    def clashes(self, attendee: Attendee, slot: Slot, request_id: str) -> bool:
        """Whether ``attendee`` cannot attend ``slot`` because of another session."""
        for start, end, other in self.by_person.get(attendee.email, ()):
            if other != request_id and start < slot.end and slot.start < end:
                return True
        if attendee.facilitator:
            key = (attendee.email, slot.day)
            others = self.by_facilitator_day.get(key, set()) - {request_id}
            if len(others) + self.taken.get(key, 0) >= self.limit:
                return True
        return False

    def allows(self, session: SessionRequest, slot: Slot) -> bool:
        return not any(self.clashes(a, slot, session.request_id) for a in session.attendees)


# --------------------------------------------------------------------------- batch solve


def greedy(
    plans: Sequence[Plan],
    pools: Sequence[list[Candidate]],
    limit: int,
    taken: Mapping[tuple[str, date], int],
    start: Sequence[Candidate | None] | None = None,
) -> list[Candidate | None]:
    """Keep ``start``'s choices; every other session in turn takes its best slot still free."""
    bookings = Bookings(limit, taken)
    chosen: list[Candidate | None] = list(start) if start is not None else [None] * len(plans)
    for plan, pick in zip(plans, chosen, strict=True):
        if pick is not None:
            bookings.add(plan.session, pick.slot)
    for i, (plan, pool) in enumerate(zip(plans, pools, strict=True)):
        if chosen[i] is None:
            pick = next((c for c in pool if bookings.allows(plan.session, c.slot)), None)
            if pick is not None:
                bookings.add(plan.session, pick.slot)
                chosen[i] = pick
    return chosen
