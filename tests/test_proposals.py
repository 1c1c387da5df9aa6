"""Tests for the scheduling.proposals package: the public names callers import."""

from __future__ import annotations

import subprocess
import sys

import scheduling
import scheduling.proposals as proposals
from scheduling.proposals.engine import has_free_slot, propose
from scheduling.proposals.sessions import Booked


def test_the_public_names_are_importable_as_before() -> None:
    assert proposals.__all__ == [
        "AfterWindow",
        "Attendee",
        "Booked",
        "Option",
        "ProposalInputs",
        "RequestProposal",
        "ScheduleResult",
        "Scoring",
        "SessionRequest",
        "SolveStatus",
        "day_slots",
        "has_free_slot",
        "propose",
        "window_days",
    ]
    for name in proposals.__all__:
        assert getattr(proposals, name) is not None
    assert proposals.propose is propose and proposals.has_free_slot is has_free_slot
    assert scheduling.propose is propose and scheduling.Booked is Booked
    for name in scheduling.__all__:  # loaded on first use, the same objects as before
        assert getattr(scheduling, name) is not None


def test_a_command_that_only_reads_the_ledger_loads_no_solver() -> None:
    # jags status and jags record import the ledger, which books sessions and writes
    # invitations: the scheduling package must not load CP-SAT or pandas for that.
    code = (
        "import sys; import jags.daily, jags.daily_status, jags.ledger.booking; "
        "print(sorted(m for m in ('ortools.sat.python.cp_model', 'pandas', 'requests') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
