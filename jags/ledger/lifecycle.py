"""A request's journey: its states, the events that move it, and which are allowed when.

received → allocated → contacted → confirmed → scheduled → held → closed, with
the side exits stepped_down and cancelled. Contacted and scheduled may be
skipped (in Norfolk the requester often arranges the meeting, so a request
can go from confirmed to held). ``declined`` returns a request to the queue.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """Where a request is on its journey."""

    RECEIVED = "received"
    ALLOCATED = "allocated"
    CONTACTED = "contacted"
    CONFIRMED = "confirmed"
    SCHEDULED = "scheduled"
    HELD = "held"
    CLOSED = "closed"
    STEPPED_DOWN = "stepped_down"
    CANCELLED = "cancelled"


OPEN_STATES = frozenset({State.ALLOCATED, State.CONTACTED, State.CONFIRMED, State.SCHEDULED})
"""States that count towards a facilitator's open load."""
ENDED_STATES = frozenset({State.HELD, State.CLOSED, State.STEPPED_DOWN, State.CANCELLED})


class EventKind(StrEnum):
    """What happened to a request (the ``event`` column)."""

    RECEIVED = "received"
    IMPORTED = "imported"
    """An earlier JAGS imported from history.csv at ``jags init``."""
    ALLOCATED = "allocated"
    CONTACTED = "contacted"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    SCHEDULED = "scheduled"
    HELD = "held"
    CLOSED = "closed"
    STEPPED_DOWN = "stepped_down"
    CANCELLED = "cancelled"


RECORDABLE = (
    EventKind.CONTACTED,
    EventKind.CONFIRMED,
    EventKind.DECLINED,
    EventKind.STEPPED_DOWN,
    EventKind.CANCELLED,
    EventKind.HELD,
    EventKind.CLOSED,
)
"""Events a person records with ``jags record``."""

_ALLOWED: dict[EventKind, tuple[frozenset[State], State]] = {
    EventKind.CONTACTED: (frozenset({State.ALLOCATED}), State.CONTACTED),
    EventKind.CONFIRMED: (frozenset({State.ALLOCATED, State.CONTACTED}), State.CONFIRMED),
    EventKind.DECLINED: (OPEN_STATES, State.RECEIVED),
    EventKind.STEPPED_DOWN: (OPEN_STATES, State.STEPPED_DOWN),
    EventKind.CANCELLED: (OPEN_STATES | {State.RECEIVED}, State.CANCELLED),
    EventKind.HELD: (frozenset({State.CONFIRMED, State.SCHEDULED}), State.HELD),
    EventKind.CLOSED: (frozenset({State.HELD}), State.CLOSED),
}


def next_state(state: State, event: EventKind) -> State | None:
    """The state after ``event``, or ``None`` when it does not fit ``state``."""
    sources, target = _ALLOWED[event]
    return target if state in sources else None


def allowed(state: State) -> list[EventKind]:
    """The events a person may record in ``state``, in journey order."""
    return [e for e in RECORDABLE if state in _ALLOWED[e][0]]


def refusal(request_id: str, state: State, event: EventKind) -> str:
    """Why ``event`` cannot be recorded now, with the events that can."""
    options = ", ".join(allowed(state)) or "none (the request has ended)"
    return (
        f"{request_id} is {state.value.replace('_', ' ')}: '{event.value}' cannot be "
        f"recorded now (allowed: {options})"
    )
