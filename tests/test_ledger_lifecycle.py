"""The request journey: which events fit which state."""

from __future__ import annotations

import pytest

from jags.ledger.lifecycle import (
    ENDED_STATES,
    OPEN_STATES,
    RECORDABLE,
    EventKind,
    State,
    allowed,
    next_state,
    refusal,
)


@pytest.mark.parametrize(
    ("state", "event", "after"),
    [
        (State.ALLOCATED, EventKind.CONTACTED, State.CONTACTED),
        (State.ALLOCATED, EventKind.CONFIRMED, State.CONFIRMED),  # contacted may be skipped
        (State.CONTACTED, EventKind.CONFIRMED, State.CONFIRMED),
        (State.CONFIRMED, EventKind.HELD, State.HELD),  # scheduled may be skipped (Norfolk)
        (State.SCHEDULED, EventKind.HELD, State.HELD),
        (State.HELD, EventKind.CLOSED, State.CLOSED),
        (State.SCHEDULED, EventKind.DECLINED, State.RECEIVED),  # back to the queue
        (State.CONTACTED, EventKind.STEPPED_DOWN, State.STEPPED_DOWN),
        (State.RECEIVED, EventKind.CANCELLED, State.CANCELLED),
    ],
)
def test_events_that_fit_move_the_request(state: State, event: EventKind, after: State) -> None:
    assert next_state(state, event) is after


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (State.ALLOCATED, EventKind.HELD),  # held before confirmed
        (State.RECEIVED, EventKind.CONTACTED),  # nobody to contact yet
        (State.RECEIVED, EventKind.DECLINED),
        (State.CONFIRMED, EventKind.CLOSED),
        (State.CLOSED, EventKind.CANCELLED),
        (State.STEPPED_DOWN, EventKind.HELD),
    ],
)
def test_events_that_do_not_fit_are_refused(state: State, event: EventKind) -> None:
    assert next_state(state, event) is None
    assert event not in allowed(state)


def test_open_load_counts_the_four_open_states_only() -> None:
    assert {State.ALLOCATED, State.CONTACTED, State.CONFIRMED, State.SCHEDULED} == OPEN_STATES
    assert not OPEN_STATES & ENDED_STATES
    assert State.RECEIVED not in OPEN_STATES | ENDED_STATES


def test_the_refusal_names_the_state_and_the_events_allowed() -> None:
    text = refusal("R-0003", State.ALLOCATED, EventKind.HELD)
    assert text == (
        "R-0003 is allocated: 'held' cannot be recorded now (allowed: contacted, "
        "confirmed, declined, stepped_down, cancelled)"
    )
    assert "none (the request has ended)" in refusal("R-1", State.CLOSED, EventKind.HELD)


def test_every_recordable_event_is_allowed_somewhere() -> None:
    assert all(any(e in allowed(s) for s in State) for e in RECORDABLE)
