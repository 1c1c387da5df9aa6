"""Solving a batch (rule 4): the most sessions placed, then each criterion in turn."""

from __future__ import annotations

import logging
import time as clock
from typing import TYPE_CHECKING, Any

from ortools.sat.python import cp_model

from allocator.errors import SolverError
from scheduling.proposals.candidates import greedy, prune
from scheduling.proposals.model import REST, STAGES, build_model
from scheduling.proposals.result import SolveStatus

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import date

    from allocator.policy import Policy
    from scheduling.proposals.candidates import Candidate, Plan
    from scheduling.proposals.model import Batch

__all__ = ["solve_batch"]

logger = logging.getLogger("scheduling")


def _run(
    batch: Batch, deadline: float, seed: int, params: Mapping[str, Any]
) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
    """Solve with one worker and a fixed seed (deterministic); raise on an invalid model."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(deadline - clock.perf_counter(), 0.01)
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = 1
    # The full linear relaxation proves these assignment-like stages quickly.
    solver.parameters.linearization_level = 2
    for name, value in params.items():
        setattr(solver.parameters, name, value)
    code = solver.solve(batch.model)
    if code == cp_model.MODEL_INVALID:
        raise SolverError(f"session model invalid: {batch.model.validate()}")
    if code == cp_model.INFEASIBLE:
        raise SolverError("session model infeasible although a valid placement was given")
    return solver, code


def _index(pools: Sequence[list[Candidate]], picks: Sequence[Candidate | None]) -> list[int | None]:
    """``picks`` as pool indexes, ``REST`` for a pick pruned out of its pool."""
    out: list[int | None] = []
    for pool, pick in zip(pools, picks, strict=True):
        if pick is None:
            out.append(None)
        else:
            out.append(next((j for j, c in enumerate(pool) if c is pick), REST))
    return out


def _most_placed(
    plans: Sequence[Plan],
    full: Sequence[list[Candidate]],
    policy: Policy,
    greedy: list[Candidate | None],
    deadline: float,
    seed: int,
    params: Mapping[str, Any],
    taken: Mapping[tuple[str, date], int],
) -> tuple[list[Candidate | None], bool]:
    """Stage 0: the most sessions the batch can place, and whether that is proven."""
    batch = build_model(plans, full, full, policy, None, taken)
    batch.model.maximize(sum(x for group in batch.take for x in group))
    batch.hint(_index(full, greedy))
    solver, code = _run(batch, deadline, seed, params)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return greedy, False
    picks = [
        pool[j] if j is not None and j != REST else None
        for pool, j in zip(full, batch.choice(solver), strict=True)
    ]
    return picks, code == cp_model.OPTIMAL


def _lexicographic(
    batch: Batch,
    choice: list[int | None],
    exact: bool,
    deadline: float,
    seed: int,
    params: Mapping[str, Any],
) -> tuple[list[int | None], bool]:
    """Stages 1–6: minimise each criterion's batch total in turn, then hold it.

    A stage is skipped when the incumbent already meets the bound of every
    session at its own best. Returns the final choice and whether every
    stage was proven optimal.
    """
    proven = True
    for stage in range(len(STAGES)):
        total = batch.criterion(stage)
        best = batch.value(stage, choice)
        if not (exact and best == batch.lower_bound(stage)):
            batch.model.minimize(total)
            batch.hint(choice)
            solver, code = _run(batch, deadline, seed, params)
            if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                choice = batch.choice(solver)
                best = batch.value(stage, choice)
            proven = proven and code == cp_model.OPTIMAL
            logger.debug(
                "stage %s: total %d (%s, %.2f s)",
                STAGES[stage],
                best,
                solver.status_name(code),
                solver.wall_time,
            )
        batch.model.add(total <= best)
    return choice, proven


def solve_batch(
    plans: Sequence[Plan],
    policy: Policy,
    candidate_limit: int | None,
    time_limit: float,
    seed: int,
    params: Mapping[str, Any],
    taken: Mapping[tuple[str, date], int],
) -> tuple[list[Candidate | None], SolveStatus]:
    """Choose at most one slot per session with CP-SAT (rule 4).

    Stage 0 finds the most sessions the batch can place (skipped when a
    greedy pass places every session that has a fitting slot). Stages 1–6
    then minimise, over the pruned candidates, the batch totals of the
    score's criteria in the score's order (each solved, then held). When
    the result takes a pruned-out slot (``Batch.rest``), those sessions
    get all their candidates back and the stages run again, so
    ``optimal`` holds for the unpruned batch. There is always a valid
    placement to fall back on (greedy, then each stage's incumbent).
    """
    deadline = clock.perf_counter() + time_limit
    limit = policy.max_sessions_per_facilitator_per_day
    full = [plan.fitting for plan in plans]
    best = greedy(plans, full, limit, taken)
    possible = sum(1 for every in full if every)
    placed = sum(1 for c in best if c is not None)
    if possible == 0:
        return best, SolveStatus.OPTIMAL
    proven = True
    if placed < possible:
        best, proven = _most_placed(plans, full, policy, best, deadline, seed, params, taken)
        placed = sum(1 for c in best if c is not None)
    pools = [prune(every, candidate_limit) for every in full]
    for round_ in range(4):  # from round 3 every session has all its candidates
        batch = build_model(plans, pools, full, policy, placed, taken)
        choice, optimal = _lexicographic(
            batch, _index(pools, best), placed == possible, deadline, seed, params
        )
        picks = [
            pool[j] if j is not None and j != REST else None
            for pool, j in zip(pools, choice, strict=True)
        ]
        left_out = [i for i, j in enumerate(choice) if j == REST]
        if not left_out:
            return picks, SolveStatus.OPTIMAL if proven and optimal else SolveStatus.FEASIBLE
        best = greedy(plans, full, limit, taken, picks)
        if not optimal or clock.perf_counter() >= deadline:
            return best, SolveStatus.FEASIBLE
        logger.info(
            "round %d: %d sessions need slots pruned away; adding them back",
            round_ + 1,
            len(left_out),
        )
        for i in range(len(plans)) if round_ >= 2 else left_out:
            pools[i] = list(full[i])
    return best, SolveStatus.FEASIBLE  # pragma: no cover - round 4 has nothing left out
