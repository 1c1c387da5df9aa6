"""Stages 1–2 of :mod:`allocator.flow` on the compressed segment-tree network."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from allocator.errors import SolverError

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from allocator.eligibility import Instance


@dataclass(frozen=True)
class Reach:
    """Source → requests → segment tree over available facilitators → sink."""

    n_requests: int
    n_nodes: int
    tails: NDArray[np.int64]
    heads: NDArray[np.int64]
    capacities: NDArray[np.int64]

    @property
    def sink(self) -> int:
        return self.n_nodes - 1

    @classmethod
    def of(cls, inst: Instance) -> Reach:
        n_r = inst.n_requests
        available = np.flatnonzero(inst.available)
        order = available[np.lexsort((available, inst.group[available]))]
        position = np.full(inst.n_facilitators, -1, dtype=np.int64)
        position[order] = np.arange(len(order))
        # Each organisation's available facilitators are one run of leaves.
        groups = inst.group[order]
        starts = np.searchsorted(groups, np.arange(inst.n_groups), side="left").tolist()
        ends = np.searchsorted(groups, np.arange(inst.n_groups), side="right").tolist()
        size = 1 << max(len(order) - 1, 0).bit_length()
        tree0 = 1 + n_r  # node of tree vertex t is tree0 + t (t = 1 .. 2·size − 1)
        sink = tree0 + 2 * size
        owners, lows, highs, solo_r, solo_leaf = [], [], [], [], []
        for r in range(n_r):
            solo = inst.solo_pin(r)
            if solo is not None:
                solo_r.append(r)
                solo_leaf.append(size + int(position[solo]))
                continue
            cuts = [(starts[g], ends[g]) for g in inst.network_groups[r] if ends[g] > starts[g]]
            cuts += [(p, p + 1) for f in inst.people[r] if (p := int(position[f])) >= 0]
            lifted = inst.lifted.get(r)
            low = 0
            for cut_low, cut_high in sorted(cuts):
                if lifted is not None and cut_low <= position[lifted] < cut_high:
                    at = int(position[lifted])  # a pin's override: that leaf stays open
                    owners.append(r)
                    lows.append(at)
                    highs.append(at + 1)
                if cut_low > low:
                    owners.append(r)
                    lows.append(low)
                    highs.append(cut_low)
                low = max(low, cut_high)
            if low < len(order):
                owners.append(r)
                lows.append(low)
                highs.append(len(order))
        cover_r, cover_t = cover(
            np.asarray(owners, dtype=np.int64),
            np.asarray(lows, dtype=np.int64) + size,
            np.asarray(highs, dtype=np.int64) + size,
        )
        inner = np.arange(1, size, dtype=np.int64)
        leaves = size + np.arange(len(order), dtype=np.int64)
        tails = np.concatenate(
            [
                1 + cover_r,
                1 + np.asarray(solo_r, dtype=np.int64),
                tree0 + inner,
                tree0 + inner,
                tree0 + leaves,
            ]
        )
        heads = np.concatenate(
            [
                tree0 + cover_t,
                tree0 + np.asarray(solo_leaf, dtype=np.int64),
                tree0 + 2 * inner,
                tree0 + 2 * inner + 1,
                np.full(len(order), sink),
            ]
        )
        room = np.asarray([min(inst.capacity[f], n_r) for f in order.tolist()], dtype=np.int64)
        capacities = np.concatenate(
            [
                np.ones(len(cover_r) + len(solo_r), dtype=np.int64),
                np.full(2 * len(inner), n_r, dtype=np.int64),
                room,
            ]
        )
        return cls(n_r, sink + 1, tails, heads, capacities)

    def max_flow(self) -> int:
        """Stage 1: the most requests that can be allocated."""
        n_r = self.n_requests
        solver = max_flow.SimpleMaxFlow()
        requests = 1 + np.arange(n_r, dtype=np.int64)
        solver.add_arcs_with_capacity(
            np.zeros(n_r, dtype=np.int64), requests, np.ones(n_r, dtype=np.int64)
        )
        solver.add_arcs_with_capacity(self.tails, self.heads, self.capacities)
        status = solver.solve(0, self.sink)
        if status != solver.OPTIMAL:
            raise SolverError(f"max flow failed with status {status}")
        return int(solver.optimal_flow())

    def oldest_first(self, count: int) -> tuple[list[int], int]:
        """Stage 2: the allocated set with the smallest sum of age ranks."""
        n_r = self.n_requests
        solver = min_cost_flow.SimpleMinCostFlow()
        ranks = np.arange(n_r, dtype=np.int64)
        solver.add_arcs_with_capacity_and_unit_cost(
            np.zeros(n_r, dtype=np.int64), 1 + ranks, np.ones(n_r, dtype=np.int64), ranks
        )
        solver.add_arcs_with_capacity_and_unit_cost(
            self.tails, self.heads, self.capacities, np.zeros(len(self.tails), dtype=np.int64)
        )
        solver.set_node_supply(0, count)
        solver.set_node_supply(self.sink, -count)
        status = solver.solve()
        if status != solver.OPTIMAL:
            raise SolverError(f"min-cost flow failed with status {status}")
        flows = solver.flows(np.arange(n_r, dtype=np.int64))
        return np.flatnonzero(flows > 0).tolist(), int(solver.optimal_cost())


def cover(
    owner: NDArray[np.int64], low: NDArray[np.int64], high: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Segment-tree vertices covering each leaf range ``[low, high)``, all ranges at once."""
    found_r: list[NDArray[np.int64]] = [np.zeros(0, dtype=np.int64)]
    found_t: list[NDArray[np.int64]] = [np.zeros(0, dtype=np.int64)]
    while len(owner):
        take = (low & 1) == 1
        found_r.append(owner[take])
        found_t.append(low[take])
        low = low + take
        take = (high & 1) == 1
        high = high - take
        found_r.append(owner[take])
        found_t.append(high[take])
        low, high = low >> 1, high >> 1
        keep = low < high
        owner, low, high = owner[keep], low[keep], high[keep]
    return np.concatenate(found_r), np.concatenate(found_t)
