"""Tests for scheduling.proposals.solve: placing the most, then each criterion in turn."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from ortools.sat.python import cp_model
from proposal_helpers import CAL, CONFIRMED, D10, FAC, POLICY, REQ, at, first, free, person, session

from allocator.errors import SolverError
from scheduling.availability import Availability, Status
from scheduling.proposals import Attendee, SolveStatus, propose


def test_batch_places_more_than_greedy() -> None:
    # R-2's requester only fits 09:00 on the one window day; R-1 must move away from it.
    one_day = POLICY.replace(window_last_day=10, max_sessions_per_facilitator_per_day=2)
    other = Attendee("other@x.org", "Omar Other")
    av = {
        **free(FAC, REQ),
        other.email: person(other.email, (at(D10, 10, 30), at(D10, 17), Status.BUSY)),
    }
    result = propose([session("R-1", FAC, REQ), session("R-2", FAC, other)], av, one_day, CAL)
    assert first(result, "R-2").start == at(D10, 9)
    assert first(result, "R-1").start == at(D10, 10, 30)
    assert "other sessions in this batch" in first(result, "R-1").reason
    assert result.unscheduled == () and result.check() == []


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_pruning_never_changes_the_optimum(limit: int) -> None:
    people = [Attendee(f"p{i}@x.org", f"P{i}") for i in range(4)]
    sessions = [session(f"R-{i}", FAC, people[i % 4], people[(i + 1) % 4]) for i in range(5)]
    av = free(FAC, *people)
    exact = propose(sessions, av, POLICY, CAL, candidate_limit=None)
    pruned = propose(sessions, av, POLICY, CAL, candidate_limit=limit)
    assert pruned.objective == exact.objective
    assert pruned.status is SolveStatus.OPTIMAL and pruned.check() == []


def test_pruned_slots_come_back_when_needed(caplog: pytest.LogCaptureFixture) -> None:
    # Five sessions of one facilitator on one day fit only at 09:00, 10:30, 12:00, 13:30, 15:00.
    policy = POLICY.replace(
        window_last_day=10, max_sessions_per_facilitator_per_day=5, gap_minutes=0
    )
    people = [Attendee(f"p{i}@x.org", f"P{i}") for i in range(5)]
    sessions = [session(f"R-{i}", FAC, people[i]) for i in range(5)]
    with caplog.at_level("INFO", logger="scheduling"):
        result = propose(sessions, free(FAC, *people), policy, CAL, candidate_limit=1)
    assert "pruned away" in caplog.text
    assert sorted(first(result, s.request_id).start for s in sessions) == [
        at(D10, 9),
        at(D10, 10, 30),
        at(D10, 12),
        at(D10, 13, 30),
        at(D10, 15),
    ]
    assert result.status is SolveStatus.OPTIMAL and result.check() == []
    assert result == propose(sessions, free(FAC, *people), policy, CAL, candidate_limit=1)


def test_same_input_same_output() -> None:
    people = [Attendee(f"p{i}@x.org", f"P{i}", required=i % 3 > 0) for i in range(6)]
    sessions = [session(f"R-{i}", FAC, *people[i : i + 3]) for i in range(4)]
    av = {
        p.email: person(p.email, (at(D10, 9 + i), at(D10, 10 + i), Status.TENTATIVE))
        for i, p in enumerate(people)
    }
    assert propose(sessions, av, POLICY, CAL) == propose(sessions, av, POLICY, CAL)


def test_model_invalid_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def invalid(self: cp_model.CpSolver, model: cp_model.CpModel, *args: object) -> object:
        return cp_model.MODEL_INVALID

    monkeypatch.setattr(cp_model.CpSolver, "solve", invalid)
    # Two sessions of one facilitator on one day: the start-time stage must be solved.
    policy = POLICY.replace(window_last_day=10, max_sessions_per_facilitator_per_day=2)
    with pytest.raises(SolverError):
        propose([session("R-1", FAC, REQ), session("R-2", FAC)], free(FAC, REQ), policy, CAL)


def test_fifty_sessions_with_a_year_of_meetings_are_solved_to_optimality() -> None:
    # Speed is measured by `make bench`; this checks the result at that scale.
    rng = random.Random(7)
    facilitators = [Attendee(f"f{i}@x.org", f"F{i}", facilitator=True) for i in range(10)]
    participants = [f"p{i}@x.org" for i in range(500)]
    av: dict[str, Availability] = {}
    for email in [f.email for f in facilitators] + participants:
        spans = []
        for _ in range(6):  # six weekly meetings, all year
            day = date(2026, 9, 7) + timedelta(days=rng.randrange(5))
            start_minute = rng.randrange(16) * 30
            length = rng.choice([30, 60, 90])
            status = rng.choice([Status.BUSY, Status.BUSY, Status.TENTATIVE])
            while day < date(2027, 9, 1):
                start = at(day, 9) + timedelta(minutes=start_minute)
                spans.append((start, start + timedelta(minutes=length), status))
                day += timedelta(days=7)
        av[email] = person(email, *spans)
    sessions = []
    for i in range(50):
        guests = [
            Attendee(e, e.split("@")[0], required=rng.random() < 0.8)
            for e in rng.sample(participants, 9)
        ]
        sessions.append(
            session(
                f"R-{i}", facilitators[i % 10], *guests, confirmed=CONFIRMED + timedelta(days=i % 3)
            )
        )
    result = propose(sessions, av, POLICY, CAL)
    assert result.status is SolveStatus.OPTIMAL
    assert result.check() == []
    assert all(p.options for p in result.proposals.values())
