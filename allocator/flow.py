"""Network-flow solver for one facilitator per request.

With one facilitator per request the allocation is a bipartite
transportation problem (totally unimodular), so every stage is solved
exactly with OR-Tools' max-flow and min-cost-flow:

1–2. a max flow with minimum cost, the cost of a request being its age
     rank: the allocated set is a basis of a transversal matroid, so the
     cheapest one is the oldest-first (greedy) set, and it is unique
     because ranks are distinct;
3.   min-cost flow over that set, cost = soft-independence penalty;
4a.  the lowest utilisation cap that keeps stage 3 optimal, by bisection
     over the possible utilisation values;
4b–5. min-cost flow with stage 3 kept by a weight that dominates, convex
     per-facilitator costs for the spread (parallel unit arcs of rising
     cost) and preferences below those.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from allocator.errors import SolverError
from allocator.result import Solution, SolveStatus, Stage, StageResult, loads, spread_cost

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from allocator.eligibility import Instance



@dataclass(frozen=True)
class _Edges:
    """Request→facilitator edges as flat arrays."""

    request: NDArray[np.int64]
    facilitator: NDArray[np.int64]
    penalty: NDArray[np.int64]
    preference: NDArray[np.int64]

    @classmethod
    def of(cls, inst: Instance) -> _Edges:
        """Every edge of the instance."""
        sizes = [len(e) for e in inst.edges]
        return cls(
            request=np.repeat(np.arange(inst.n_requests, dtype=np.int64), sizes),
            facilitator=np.asarray([f for e in inst.edges for f in e], dtype=np.int64),
            penalty=np.asarray([p for ps in inst.penalty for p in ps], dtype=np.int64),
            preference=np.asarray([p for ps in inst.preference for p in ps], dtype=np.int64))

    def subset(self, mask: NDArray[np.bool_]) -> _Edges:
        """The edges where ``mask`` is true."""
        return _Edges(self.request[mask], self.facilitator[mask], self.penalty[mask],
                      self.preference[mask])


def solve_flow(inst: Instance) -> Solution:
    """Solve every stage to proven optimality with network flows."""
    if inst.policy.facilitators_per_request != 1:
        raise ValueError("the flow solver handles one facilitator per request only")
    edges = _Edges.of(inst)
    stages: list[StageResult] = []

    start = time.perf_counter()
    count = _max_flow(inst, edges)
    stages.append(StageResult(Stage.MOST_ALLOCATED, count, SolveStatus.OPTIMAL,
                              time.perf_counter() - start))

    start = time.perf_counter()
    allocated, rank_sum = _oldest_first(inst, edges, count)
    stages.append(StageResult(Stage.OLDEST_FIRST, rank_sum, SolveStatus.OPTIMAL,
                              time.perf_counter() - start))

    mask = np.isin(edges.request, np.asarray(sorted(allocated), dtype=np.int64))
    sub = edges.subset(mask)
    caps = list(inst.capacity)

    start = time.perf_counter()
    penalty, _ = _transport(inst, sub, allocated, caps, sub.penalty)
    if penalty is None:  # pragma: no cover - stage 2 found these requests a place
        raise SolverError("stage 3 became infeasible")
    stages.append(StageResult(Stage.INDEPENDENCE, penalty, SolveStatus.OPTIMAL,
                              time.perf_counter() - start))

    start = time.perf_counter()
    level, caps = _lowest_utilisation(inst, sub, allocated, penalty)
    stages.append(StageResult(Stage.HIGHEST_UTILISATION, level, SolveStatus.OPTIMAL,
                              time.perf_counter() - start))

    start = time.perf_counter()
    chosen = _spread_and_preferences(inst, sub, allocated, caps)
    seconds = time.perf_counter() - start
    spread = sum(spread_cost(inst.open_load[f], inst.max_open[f], n)
                 for f, n in enumerate(loads(inst, chosen)))
    preference = sum(inst.preference_of(r, fs[0]) for r, fs in chosen.items())
    stages.append(StageResult(Stage.SPREAD, spread, SolveStatus.OPTIMAL, seconds))
    stages.append(StageResult(Stage.PREFERENCES, preference, SolveStatus.OPTIMAL, 0.0))
    return Solution(chosen=chosen, stages=tuple(stages), method="flow")


def _nodes(inst: Instance) -> tuple[int, int, int, int]:
    """Source, first request node, first facilitator node, sink."""
    return 0, 1, 1 + inst.n_requests, 1 + inst.n_requests + inst.n_facilitators


def _max_flow(inst: Instance, edges: _Edges) -> int:
    """Stage 1: the most requests that can be allocated."""
    src, req0, fac0, sink = _nodes(inst)
    solver = max_flow.SimpleMaxFlow()
    n_r, n_f = inst.n_requests, inst.n_facilitators
    solver.add_arcs_with_capacity(np.zeros(n_r, dtype=np.int64),
                                  req0 + np.arange(n_r, dtype=np.int64),
                                  np.ones(n_r, dtype=np.int64))
    solver.add_arcs_with_capacity(req0 + edges.request, fac0 + edges.facilitator,
                                  np.ones(len(edges.request), dtype=np.int64))
    solver.add_arcs_with_capacity(fac0 + np.arange(n_f, dtype=np.int64),
                                  np.full(n_f, sink, dtype=np.int64),
                                  np.asarray(inst.capacity, dtype=np.int64))
    status = solver.solve(src, sink)
    if status != solver.OPTIMAL:
        raise SolverError(f"max flow failed with status {status}")
    return int(solver.optimal_flow())


def _oldest_first(inst: Instance, edges: _Edges, count: int) -> tuple[set[int], int]:
    """Stage 2: the allocated set with the smallest sum of age ranks."""
    src, req0, fac0, sink = _nodes(inst)
    solver = min_cost_flow.SimpleMinCostFlow()
    n_r, n_f = inst.n_requests, inst.n_facilitators
    ranks = np.arange(n_r, dtype=np.int64)
    solver.add_arcs_with_capacity_and_unit_cost(
        np.zeros(n_r, dtype=np.int64), req0 + ranks, np.ones(n_r, dtype=np.int64), ranks)
    first_edge = solver.num_arcs()
    solver.add_arcs_with_capacity_and_unit_cost(
        req0 + edges.request, fac0 + edges.facilitator,
        np.ones(len(edges.request), dtype=np.int64), np.zeros(len(edges.request), dtype=np.int64))
    solver.add_arcs_with_capacity_and_unit_cost(
        fac0 + np.arange(n_f, dtype=np.int64), np.full(n_f, sink, dtype=np.int64),
        np.asarray(inst.capacity, dtype=np.int64), np.zeros(n_f, dtype=np.int64))
    solver.set_node_supply(src, count)
    solver.set_node_supply(sink, -count)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise SolverError(f"min-cost flow failed with status {status}")
    flows = solver.flows(np.arange(first_edge, first_edge + len(edges.request), dtype=np.int64))
    allocated = {int(r) for r in edges.request[flows > 0]}
    return allocated, int(solver.optimal_cost())


def _transport(inst: Instance, sub: _Edges, allocated: set[int], caps: list[int],
               edge_cost: NDArray[np.int64],
               unit_costs: list[list[int]] | None = None
               ) -> tuple[int | None, dict[int, tuple[int, ...]]]:
    """Min-cost flow sending one unit from every allocated request.

    Returns ``(None, {})`` when the caps make it infeasible. ``unit_costs[f]``
    prices each successive JAGS of facilitator ``f`` (else free).
    """
    src, req0, fac0, sink = _nodes(inst)
    solver = min_cost_flow.SimpleMinCostFlow()
    n_f = inst.n_facilitators
    reqs = np.asarray(sorted(allocated), dtype=np.int64)
    solver.add_arcs_with_capacity_and_unit_cost(
        np.zeros(len(reqs), dtype=np.int64), req0 + reqs,
        np.ones(len(reqs), dtype=np.int64), np.zeros(len(reqs), dtype=np.int64))
    first_edge = solver.num_arcs()
    solver.add_arcs_with_capacity_and_unit_cost(
        req0 + sub.request, fac0 + sub.facilitator,
        np.ones(len(sub.request), dtype=np.int64), edge_cost)
    if unit_costs is None:
        solver.add_arcs_with_capacity_and_unit_cost(
            fac0 + np.arange(n_f, dtype=np.int64), np.full(n_f, sink, dtype=np.int64),
            np.asarray(caps, dtype=np.int64), np.zeros(n_f, dtype=np.int64))
    else:
        tails = [fac0 + f for f in range(n_f) for _ in range(caps[f])]
        costs = [c for f in range(n_f) for c in unit_costs[f][:caps[f]]]
        if tails:
            solver.add_arcs_with_capacity_and_unit_cost(
                np.asarray(tails, dtype=np.int64), np.full(len(tails), sink, dtype=np.int64),
                np.ones(len(tails), dtype=np.int64), np.asarray(costs, dtype=np.int64))
    solver.set_node_supply(src, len(reqs))
    solver.set_node_supply(sink, -len(reqs))
    status = solver.solve()
    if status == solver.INFEASIBLE:
        return None, {}
    if status != solver.OPTIMAL:
        raise SolverError(f"min-cost flow failed with status {status}")
    flows = solver.flows(np.arange(first_edge, first_edge + len(sub.request), dtype=np.int64))
    used = flows > 0
    pairs = zip(sub.request[used].tolist(), sub.facilitator[used].tolist(), strict=True)
    chosen: dict[int, tuple[int, ...]] = {int(r): (int(f),) for r, f in pairs}
    return int(solver.optimal_cost()), chosen


def _lowest_utilisation(inst: Instance, sub: _Edges, allocated: set[int], penalty: int
                        ) -> tuple[Fraction, list[int]]:
    """Stage 4a: the lowest cap on utilisation that keeps stages 1–3 optimal."""
    if not allocated:
        return Fraction(0), [0] * inst.n_facilitators
    used = set(sub.facilitator.tolist())
    levels = sorted({Fraction(inst.open_load[f] + k, inst.max_open[f])
                     for f in used for k in range(1, inst.capacity[f] + 1)})

    def caps_at(level: Fraction) -> list[int]:
        return [max(0, min(inst.capacity[f],
                           int(level * inst.max_open[f]) - inst.open_load[f]))
                for f in range(inst.n_facilitators)]

    lo, hi = 0, len(levels) - 1  # levels[hi] always works: it allows full capacity
    while lo < hi:
        mid = (lo + hi) // 2
        cost, _ = _transport(inst, sub, allocated, caps_at(levels[mid]), sub.penalty)
        if cost is not None and cost == penalty:
            hi = mid
        else:
            lo = mid + 1
    return levels[lo], caps_at(levels[lo])


def _spread_and_preferences(inst: Instance, sub: _Edges, allocated: set[int],
                            caps: list[int]) -> dict[int, tuple[int, ...]]:
    """Stages 4b and 5 with stage 3 held by a dominating weight."""
    top = int(sub.preference.max(initial=0))
    w_spread = len(allocated) * top + 1
    unit_costs = [[spread_cost(inst.open_load[f], inst.max_open[f], k)
                   - spread_cost(inst.open_load[f], inst.max_open[f], k - 1)
                   for k in range(1, caps[f] + 1)] for f in range(inst.n_facilitators)]
    spread_range = sum(sum(c) for c in unit_costs)
    w_penalty = w_spread * (spread_range + 1)
    edge_cost = w_penalty * sub.penalty + (top - sub.preference)
    scaled = [[w_spread * c for c in costs] for costs in unit_costs]
    cost, chosen = _transport(inst, sub, allocated, caps, edge_cost, scaled)
    if cost is None:  # pragma: no cover - caps came from a feasible stage 4a
        raise SolverError("stage 4b became infeasible")
    return chosen

