"""Lexicographic solve of the CP-SAT model: each stage optimised, then fixed."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from ortools.sat.python import cp_model

from allocator.cpsat import objective
from allocator.cpsat.constraints import add_constraints
from allocator.cpsat.variables import Variables, make_variables
from allocator.errors import SolverError
from allocator.result import Solution, SolveStatus, Stage, StageResult, objective_values

if TYPE_CHECKING:
    from fractions import Fraction

    from allocator.eligibility import Instance

log = logging.getLogger("allocator")

_MAXIMISE = {Stage.MOST_ALLOCATED, Stage.PREFERENCES}


def solve_cpsat(
    inst: Instance, *, time_limit: float = 60.0, seed: int = 0, **params: Any
) -> Solution:
    """Solve every stage in order, fixing each optimum before the next.

    Parameters
    ----------
    inst
        The compiled batch.
    time_limit
        Seconds for all stages together (default 60). A stage cut short
        keeps its best solution, is fixed as a bound and reported
        ``feasible``.
    seed
        CP-SAT random seed (default 0).
    **params
        Raw CP-SAT parameters (e.g. ``num_workers=8``); default one worker,
        which makes the result deterministic.

    Raises
    ------
    SolverError
        When CP-SAT reports MODEL_INVALID.
    """
    model = cp_model.CpModel()
    v = make_variables(model, inst)
    add_constraints(model, inst, v)
    stages: list[tuple[Stage, cp_model.LinearExprT]] = [
        (Stage.MOST_ALLOCATED, objective.most_allocated(v)),
        (Stage.OLDEST_FIRST, objective.oldest_first(v)),
        (Stage.INDEPENDENCE, objective.independence(model, inst, v)),
        (Stage.HIGHEST_UTILISATION, objective.highest_utilisation(model, inst, v)),
        (Stage.SPREAD, objective.spread(model, inst, v)),
        (Stage.PREFERENCES, objective.preferences(inst, v)),
    ]
    deadline = time.perf_counter() + time_limit
    chosen: dict[int, tuple[int, ...]] = {}
    results: list[StageResult] = []
    for stage, expr in stages:
        start = time.perf_counter()
        remaining = deadline - start
        status = _solve_stage(model, v, stage, expr, max(remaining, 0.01), seed, params)
        if status is None:  # out of time with nothing new: keep what we have
            log.warning("stage %s: no solution within the time limit", stage)
            results.append(_from_solution(inst, chosen, stage, SolveStatus.FEASIBLE, start))
            continue
        solver_status, value, chosen = status
        optimal = solver_status == cp_model.OPTIMAL
        if not isinstance(expr, int):  # an empty stage has nothing to fix
            if optimal:
                model.add(expr == value)
            elif stage in _MAXIMISE:
                model.add(expr >= value)
            else:
                model.add(expr <= value)
        _hint(model, v, chosen)
        state = SolveStatus.OPTIMAL if optimal else SolveStatus.FEASIBLE
        results.append(_from_solution(inst, chosen, stage, state, start))
    return Solution(chosen=_order_leads(inst, chosen), stages=tuple(results), method="cpsat")


def _solve_stage(
    model: cp_model.CpModel,
    v: Variables,
    stage: Stage,
    expr: cp_model.LinearExprT,
    seconds: float,
    seed: int,
    params: dict[str, Any],
) -> tuple[Any, int, dict[int, tuple[int, ...]]] | None:
    model.clear_objective()
    if stage in _MAXIMISE:
        model.maximize(expr)
    else:
        model.minimize(expr)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = 1
    for key, value in params.items():
        setattr(solver.parameters, key, value)
    status = solver.solve(model)
    if status == cp_model.MODEL_INVALID:
        raise SolverError(f"CP-SAT: model invalid at stage {stage}: {model.validate()}")
    if status == cp_model.INFEASIBLE:
        raise SolverError(f"CP-SAT: stage {stage} infeasible after fixing earlier stages")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    chosen: dict[int, list[int]] = {}
    for (r, f), var in v.x.items():
        if solver.boolean_value(var):
            chosen.setdefault(r, []).append(f)
    value = int(solver.value(expr)) if not isinstance(expr, int) else expr
    return status, value, {r: tuple(sorted(fs)) for r, fs in sorted(chosen.items())}


def _hint(model: cp_model.CpModel, v: Variables, chosen: dict[int, tuple[int, ...]]) -> None:
    """Start the next stage from this stage's solution."""
    model.clear_hints()
    for (r, f), var in v.x.items():
        model.add_hint(var, f in chosen.get(r, ()))
    for r, y in enumerate(v.y):
        model.add_hint(y, r in chosen)


def _from_solution(
    inst: Instance,
    chosen: dict[int, tuple[int, ...]],
    stage: Stage,
    status: SolveStatus,
    start: float,
) -> StageResult:
    value: int | Fraction = objective_values(inst, chosen)[stage]
    return StageResult(stage, value, status, time.perf_counter() - start)


def _order_leads(inst: Instance, chosen: dict[int, tuple[int, ...]]) -> dict[int, tuple[int, ...]]:
    """Put the lead first: a lead-capable pinned facilitator, else the first that can lead."""
    if inst.policy.facilitators_per_request != 2:
        return chosen
    ordered: dict[int, tuple[int, ...]] = {}
    for r, fs in chosen.items():
        pin = inst.pins.get(r)

        def key(f: int, pin_f: int | None = pin.facilitator if pin else None) -> tuple[int, int]:
            return (
                0
                if f == pin_f and inst.facilitators[f].can_lead
                else 1
                if inst.facilitators[f].can_lead
                else 2,
                f,
            )

        ordered[r] = tuple(sorted(fs, key=key))
    return ordered
