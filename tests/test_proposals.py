"""Tests for the scheduling.proposals package: the public names callers import."""

from __future__ import annotations

import scheduling
import scheduling.proposals as proposals
from scheduling.proposals.engine import has_free_slot, propose
from scheduling.proposals.sessions import Booked


def test_the_public_names_are_importable_as_before() -> None:
    assert proposals.__all__ == [
        "Attendee", "Booked", "Option", "ProposalInputs", "RequestProposal", "ScheduleResult",
        "Scoring", "SessionRequest", "SolveStatus", "day_slots", "has_free_slot", "propose",
        "window_days",
    ]
    for name in proposals.__all__:
        assert getattr(proposals, name) is not None
    assert proposals.propose is propose and proposals.has_free_slot is has_free_slot
    assert scheduling.propose is propose and scheduling.Booked is Booked
