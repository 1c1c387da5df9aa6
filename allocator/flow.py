"""Network-flow solver for one facilitator per request.

With one facilitator per request the allocation is a bipartite
transportation problem (totally unimodular), so every stage is solved
exactly with OR-Tools' max-flow and min-cost-flow:

1–2. a max flow with minimum cost, the cost of a request being its age
     rank: the allocated set is a basis of a transversal matroid, so the
     cheapest one is the oldest-first (greedy) set, and it is unique
     because ranks are distinct. These two stages only ask *whether* a
     request can reach a facilitator, so they run on a compressed network:
     the available facilitators are the leaves of a segment tree, sorted by
     organisation, and each request is joined to the few tree nodes that
     cover the facilitators no rule excludes it from (its exclusions are a
     handful of organisations and people, so the rest is a few ranges).
     Same reachability, same flows, a fraction of the arcs;
3.   min-cost flow over the allocated requests' edges, cost = soft-
     independence penalty;
4a.  the lowest utilisation cap that keeps stage 3 optimal, by bisection
     over the utilisation values that can occur (a facilitator takes at
     most as many requests as can reach them);
4b–5. min-cost flow with stage 3 kept by a weight that dominates, convex
     per-facilitator costs for the spread (parallel unit arcs of rising
     cost, at most one per allocated request) and preferences below those.

No step depends on the size of a number in the input: capacities and
personal maxima enter only through loads that can occur in this batch.

A small batch (the daily one: a few requests) takes shortcuts that give the
same answers without building networks: stages 1–2 by augmenting paths
(:mod:`allocator.matching`); stage 3 as the sum of each request's cheapest
penalty when those cheapest choices fit together (a lower bound, reached);
stage 4a's search then asks the same question of its caps; stage 4b–5 for a
lone request when one facilitator is strictly cheapest. When a shortcut
does not apply (ties, contention), the flow is solved as for any batch.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np
from ortools.graph.python import min_cost_flow

from allocator.errors import SolverError
from allocator.flow_reach import Reach
from allocator.matching import all_matchable, greedy_matchable
from allocator.result import (
    Solution,
    SolveStatus,
    Stage,
    StageResult,
    loads,
    spread_cost,
    spread_steps,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

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
    def of(cls, inst: Instance, requests: list[int]) -> _Edges:
        """Every edge of ``requests`` (ascending), by request then facilitator."""
        r, f = inst.edge_arrays(requests)
        return cls(r, f, inst.scores.penalty(r, f), inst.scores.preference(r, f))

    def of_requests(self, requests: list[int]) -> _Edges:
        """The edges of some of these requests (the same arrays :meth:`of` gives)."""
        wanted = np.zeros(int(self.request.max(initial=-1)) + 1, dtype=np.bool_)
        wanted[np.asarray(requests, dtype=np.int64)] = True
        keep = wanted[self.request]
        return _Edges(
            self.request[keep], self.facilitator[keep], self.penalty[keep], self.preference[keep]
        )

    def options(self, requests: list[int]) -> list[list[int]]:
        """Per request of ``requests``: its facilitators."""
        return [self.facilitator[low:high].tolist() for low, high in self._spans(requests)]

    def cheapest(self, requests: list[int]) -> tuple[list[list[int]], int]:
        """Per request of ``requests``, its facilitators of lowest penalty; and the sum of
        those lowest penalties (a lower bound on stage 3)."""
        options, bound = [], 0
        for low, high in self._spans(requests):
            costs = self.penalty[low:high]
            least = int(costs.min())
            options.append(self.facilitator[low:high][costs == least].tolist())
            bound += least
        return options, bound

    def _spans(self, requests: list[int]) -> list[tuple[int, int]]:
        at = np.asarray(requests, dtype=np.int64)
        lows = np.searchsorted(self.request, at, side="left").tolist()
        highs = np.searchsorted(self.request, at, side="right").tolist()
        return list(zip(lows, highs, strict=True))


SMALL_BATCH_CELLS = 1 << 14
"""Batches with at most this many request × facilitator cells take the shortcuts."""


def solve_flow(inst: Instance, *, shortcuts: bool = True) -> Solution:
    """Solve every stage to proven optimality with network flows.

    Parameters
    ----------
    inst
        The compiled batch (one facilitator per request).
    shortcuts
        Let a small batch (at most :data:`SMALL_BATCH_CELLS` request ×
        facilitator cells) skip the flows whose answer is known without
        them (default ``True``); the result is the same either way.
    """
    if inst.policy.facilitators_per_request != 1:
        raise ValueError("the flow solver handles one facilitator per request only")
    small = shortcuts and inst.n_requests * inst.n_facilitators <= SMALL_BATCH_CELLS
    stages: list[StageResult] = []

    start = time.perf_counter()
    if small:  # stages 1–2 at once: the greedy by age is the oldest-first maximum
        every = _Edges.of(inst, list(range(inst.n_requests)))
        allocated = greedy_matchable(every.options(list(range(inst.n_requests))), inst.capacity)
        count, rank_sum, sub = len(allocated), sum(allocated), every.of_requests(allocated)
        stage_1, stage_2 = time.perf_counter() - start, 0.0
    else:
        network = Reach.of(inst)
        count = network.max_flow()
        stage_1, start = time.perf_counter() - start, time.perf_counter()
        allocated, rank_sum = network.oldest_first(count)
        stage_2 = time.perf_counter() - start
        sub = _Edges.of(inst, allocated)
    stages.append(StageResult(Stage.MOST_ALLOCATED, count, SolveStatus.OPTIMAL, stage_1))
    stages.append(StageResult(Stage.OLDEST_FIRST, rank_sum, SolveStatus.OPTIMAL, stage_2))

    caps = list(inst.capacity)

    start = time.perf_counter()
    cheapest: list[list[int]] | None = None
    penalty: int | None = None
    if small:
        cheapest, bound = sub.cheapest(allocated)
        if all_matchable(cheapest, caps):  # the lower bound is reached: it is the optimum
            penalty = bound
        else:
            cheapest = None
    if penalty is None:
        penalty, _ = _transport(inst, sub, allocated, caps, sub.penalty)
    if penalty is None:  # pragma: no cover - stage 2 found these requests a place
        raise SolverError("stage 3 became infeasible")
    stages.append(
        StageResult(Stage.INDEPENDENCE, penalty, SolveStatus.OPTIMAL, time.perf_counter() - start)
    )

    start = time.perf_counter()
    level, caps = _lowest_utilisation(inst, sub, allocated, penalty, cheapest)
    stages.append(
        StageResult(
            Stage.HIGHEST_UTILISATION, level, SolveStatus.OPTIMAL, time.perf_counter() - start
        )
    )

    start = time.perf_counter()
    chosen = _spread_and_preferences(inst, sub, allocated, caps, lone=small)
    seconds = time.perf_counter() - start
    spread = sum(
        spread_cost(inst.open_load[f], inst.max_open[f], n)
        for f, n in enumerate(loads(inst, chosen))
        if n
    )
    taken = np.asarray([fs[0] for _, fs in sorted(chosen.items())], dtype=np.int64)
    preference = int(
        inst.scores.preference(np.asarray(sorted(chosen), dtype=np.int64), taken).sum()
    )
    stages.append(StageResult(Stage.SPREAD, spread, SolveStatus.OPTIMAL, seconds))
    stages.append(StageResult(Stage.PREFERENCES, preference, SolveStatus.OPTIMAL, 0.0))
    return Solution(chosen=chosen, stages=tuple(stages), method="flow")


# Stages 3–5 on the allocated requests' edges ----------------------------------------------


def _nodes(inst: Instance) -> tuple[int, int, int, int]:
    """Source, first request node, first facilitator node, sink."""
    return 0, 1, 1 + inst.n_requests, 1 + inst.n_requests + inst.n_facilitators


def _transport(
    inst: Instance,
    sub: _Edges,
    allocated: list[int],
    caps: list[int],
    edge_cost: NDArray[np.int64],
    unit_costs: list[list[int]] | None = None,
) -> tuple[int | None, dict[int, tuple[int, ...]]]:
    """Min-cost flow sending one unit from every allocated request.

    Returns ``(None, {})`` when the caps make it infeasible. ``unit_costs[f]``
    prices each successive JAGS of facilitator ``f`` (else free).
    """
    src, req0, fac0, sink = _nodes(inst)
    solver = min_cost_flow.SimpleMinCostFlow()
    n_f = inst.n_facilitators
    reqs = np.asarray(allocated, dtype=np.int64)
    solver.add_arcs_with_capacity_and_unit_cost(
        np.zeros(len(reqs), dtype=np.int64),
        req0 + reqs,
        np.ones(len(reqs), dtype=np.int64),
        np.zeros(len(reqs), dtype=np.int64),
    )
    first_edge = solver.num_arcs()
    solver.add_arcs_with_capacity_and_unit_cost(
        req0 + sub.request,
        fac0 + sub.facilitator,
        np.ones(len(sub.request), dtype=np.int64),
        edge_cost,
    )
    if unit_costs is None:
        solver.add_arcs_with_capacity_and_unit_cost(
            fac0 + np.arange(n_f, dtype=np.int64),
            np.full(n_f, sink, dtype=np.int64),
            np.asarray([min(c, inst.n_requests) for c in caps], dtype=np.int64),
            np.zeros(n_f, dtype=np.int64),
        )
    else:
        tails = [fac0 + f for f in range(n_f) for _ in range(len(unit_costs[f]))]
        costs = [c for f in range(n_f) for c in unit_costs[f]]
        if tails:
            solver.add_arcs_with_capacity_and_unit_cost(
                np.asarray(tails, dtype=np.int64),
                np.full(len(tails), sink, dtype=np.int64),
                np.ones(len(tails), dtype=np.int64),
                np.asarray(costs, dtype=np.int64),
            )
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


def _lowest_utilisation(
    inst: Instance,
    sub: _Edges,
    allocated: list[int],
    penalty: int,
    cheapest: list[list[int]] | None = None,
) -> tuple[Fraction, list[int]]:
    """Stage 4a: the lowest cap on utilisation that keeps stages 1–3 optimal.

    The candidates are the utilisations a facilitator can reach in this
    batch: open load plus 1, 2, … up to the requests that can reach them
    (never more than their places), over their personal maximum. Each is
    kept as a whole number over the least common multiple of those maxima,
    so they sort and compare exactly without fractions. ``cheapest`` (per
    allocated request, its lowest-penalty facilitators; given when stage 3's
    optimum is the sum of those penalties) turns each test of a cap into a
    matching over those choices instead of a flow.
    """
    n_f = inst.n_facilitators
    if not allocated:
        return Fraction(0), [0] * n_f
    reach = np.bincount(sub.facilitator, minlength=n_f).tolist()
    reached = [f for f in range(n_f) if reach[f]]
    scale = math.lcm(*{inst.max_open[f] for f in reached})
    levels = sorted(
        {
            (inst.open_load[f] + k) * (scale // inst.max_open[f])
            for f in reached
            for k in range(1, min(inst.capacity[f], reach[f]) + 1)
        }
    )

    def caps_at(level: int, among: Iterable[int] = range(n_f)) -> dict[int, int]:
        """The caps of utilisation ``level / scale`` (of the facilitators ``among``)."""
        return {
            f: max(0, min(inst.capacity[f], level * inst.max_open[f] // scale - inst.open_load[f]))
            for f in among
        }

    places = sorted({f for options in cheapest for f in options}) if cheapest else []

    def keeps_stage_3(level: int) -> bool:
        if cheapest is not None:
            return all_matchable(cheapest, caps_at(level, places))
        caps = list(caps_at(level).values())
        cost, _ = _transport(inst, sub, allocated, caps, sub.penalty)
        return cost is not None and cost == penalty

    lo, hi = 0, len(levels) - 1  # levels[hi] always works: it allows full capacity
    while lo < hi:
        mid = (lo + hi) // 2
        if keeps_stage_3(levels[mid]):
            hi = mid
        else:
            lo = mid + 1
    return Fraction(levels[lo], scale), list(caps_at(levels[lo]).values())


def _spread_and_preferences(
    inst: Instance, sub: _Edges, allocated: list[int], caps: list[int], *, lone: bool = False
) -> dict[int, tuple[int, ...]]:
    """Stages 4b and 5 with stage 3 held by a dominating weight.

    With ``lone`` and a single allocated request, a facilitator strictly
    cheaper than every other is the answer without a flow (ties go to the
    flow, which breaks them as for any batch).
    """
    if lone and len(allocated) == 1:
        only = _lone_choice(inst, sub, caps)
        if only is not None:
            return {allocated[0]: (only,)}
    top = int(sub.preference.max(initial=0))
    w_spread = len(allocated) * top + 1
    most = len(allocated)  # no facilitator takes more than every allocated request
    unit_costs = [
        spread_steps(inst.open_load[f], inst.max_open[f], min(caps[f], most))
        for f in range(inst.n_facilitators)
    ]
    spread_range = sum(sum(c) for c in unit_costs)
    w_penalty = w_spread * (spread_range + 1)
    edge_cost = w_penalty * sub.penalty + (top - sub.preference)
    scaled = [[w_spread * c for c in costs] for costs in unit_costs]
    cost, chosen = _transport(inst, sub, allocated, caps, edge_cost, scaled)
    if cost is None:  # pragma: no cover - caps came from a feasible stage 4a
        raise SolverError("stage 4b became infeasible")
    return chosen


def _lone_choice(inst: Instance, sub: _Edges, caps: list[int]) -> int | None:
    """The facilitator of a batch's only allocated request when one is strictly cheapest.

    With one request the flow of :func:`_spread_and_preferences` sends one unit
    along one edge; its weights (penalties, rises in squared utilisation and
    preferences are never negative, and each weight exceeds everything below
    it) order the edges by (penalty, rise in squared utilisation, −preference).
    ``None`` when two edges tie on all three: the flow decides.
    """
    facilitators: list[int] = sub.facilitator.tolist()
    penalties: list[int] = sub.penalty.tolist()
    preferences: list[int] = sub.preference.tolist()
    keys = sorted(
        (penalty, spread_cost(inst.open_load[f], inst.max_open[f], 1), -preference, f)
        for f, penalty, preference in zip(facilitators, penalties, preferences, strict=True)
        if caps[f] > 0
    )
    if len(keys) == 1 or keys[0][:3] < keys[1][:3]:
        return keys[0][3]
    return None
