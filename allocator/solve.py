"""The allocation engine's one entry point."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Literal

from allocator.eligibility import build_instance
from allocator.explain import Explainer
from allocator.result import AllocationResult, Assignment

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from allocator.eligibility import Instance
    from allocator.models import Workspace
    from allocator.policy import Policy
    from allocator.result import Solution
    from allocator.state import DayState
    from allocator.workdays import WorkingCalendar

log = logging.getLogger("allocator")

Method = Literal["auto", "flow", "cpsat"]


def allocate(
    workspace: Workspace,
    policy: Policy,
    *,
    on: date,
    time_limit: float | None = None,
    seed: int = 0,
    method: Method = "auto",
    calendar: WorkingCalendar | None = None,
    unavailable: Iterable[str] = (),
    state: DayState | None = None,
    explain: bool = True,
    **params: Any,
) -> AllocationResult:
    """Allocate facilitators to the requests received up to ``on``.

    Parameters
    ----------
    workspace
        Validated facilitators, requests, participants, leave, involvements.
    policy
        The partnership's rules and weights.
    on
        The batch date.
    time_limit
        Seconds for the solver (default: ``policy.time_limit_seconds``).
        The flow method is exact and ignores it.
    seed
        CP-SAT random seed (default 0).
    method
        ``"flow"`` (one facilitator per request; exact network flows),
        ``"cpsat"`` (any policy) or ``"auto"`` (default: flow when the
        policy allows it, else CP-SAT).
    calendar
        Working days (default: England and Wales plus the policy's closures).
    unavailable
        Facilitator ids with no free slot in the expected window, for
        calendar-aware allocation (excluded as ``on_leave``).
    state
        The day's state: open loads and declined pairs, from the ledger or
        a simulation (default ``None``: open loads from the workspace's
        ``open_jags`` and open ``history`` rows). This is the daily step:
        the same call serves a real day and a simulated one.
    explain
        Write a reason for every request (default ``True``). ``False`` leaves
        ``reasons`` and ``unblock`` empty and every assignment's reason ``""``:
        the cheapest call, for simulations that need only who got what.
    **params
        Raw CP-SAT parameters, passed through.
    """
    inst = build_instance(workspace, policy, on, calendar, frozenset(unavailable), state)
    return solve_instance(
        inst, time_limit=time_limit, seed=seed, method=method, explain=explain, **params
    )


def solve_instance(
    inst: Instance,
    *,
    time_limit: float | None = None,
    seed: int = 0,
    method: Method = "auto",
    explain: bool = True,
    **params: Any,
) -> AllocationResult:
    """Solve a compiled batch and explain the outcome (see :func:`allocate`)."""
    start = time.perf_counter()
    if method == "auto":
        method = "flow" if inst.policy.facilitators_per_request == 1 else "cpsat"
    solution: Solution
    if method == "flow":
        from allocator.flow import solve_flow  # OR-Tools' graph solvers only

        solution = solve_flow(inst)
    else:
        from allocator.cpsat import solve_cpsat  # CP-SAT loads only when used

        limit = inst.policy.time_limit_seconds if time_limit is None else time_limit
        solution = solve_cpsat(inst, time_limit=limit, seed=seed, **params)
    runtime = time.perf_counter() - start
    log.info(
        "allocated %d of %d requests with %s in %.2fs (%s)",
        len(solution.chosen),
        inst.n_requests,
        solution.method,
        runtime,
        solution.status,
    )
    reasons: dict[str, str] = {}
    unblock: dict[str, str] = {}
    if explain:
        explainer = Explainer(inst, solution.chosen)
        reasons = {req.request_id: explainer.reason(r) for r, req in enumerate(inst.requests)}
        unblock = {
            inst.requests[r].request_id: explainer.unblock(r)
            for r in range(inst.n_requests)
            if r not in solution.chosen
        }
    return AllocationResult(
        instance=inst,
        chosen=solution.chosen,
        assignments=tuple(_assignments(inst, solution.chosen, reasons)),
        stages=solution.stages,
        status=solution.status,
        method=solution.method,
        runtime=runtime,
        reasons=reasons,
        unblock=unblock,
    )


def _assignments(
    inst: Instance, chosen: dict[int, tuple[int, ...]], reasons: dict[str, str]
) -> list[Assignment]:
    rows = []
    for r, req in enumerate(inst.requests):
        fs = chosen.get(r, ())
        pin = inst.pins.get(r)
        reason = reasons.get(req.request_id, "")
        if not fs:
            rows.append(
                Assignment(req.request_id, "", "", "unallocated", inst.allocate_by[r], reason)
            )
            continue
        for i, f in enumerate(fs):
            pinned = pin is not None and pin.refused is None and pin.facilitator == f
            role = ("lead" if i == 0 else "co") if len(fs) == 2 else ""
            rows.append(
                Assignment(
                    req.request_id,
                    inst.facilitators[f].facilitator_id,
                    role,
                    "pinned" if pinned else "allocated",
                    inst.allocate_by[r],
                    reason,
                )
            )
    return rows
