"""Stages 1–2 on the compressed segment-tree network."""

from __future__ import annotations

import numpy as np
from builders import ON, fac, req, workspace

from allocator import Policy, build_instance
from allocator.flow_reach import Reach, cover


def test_cover_finds_the_fewest_tree_vertices_for_each_range() -> None:
    # Leaves 4..7 of a tree of size 4: the whole range is the root, [5, 7) is leaves 5 and 6.
    owners, vertices = cover(np.array([0, 1]), np.array([4, 5]), np.array([8, 7]))
    assert sorted(zip(owners.tolist(), vertices.tolist(), strict=True)) == [(0, 1), (1, 5), (1, 6)]


def test_reach_allocates_the_most_requests_then_the_oldest() -> None:
    # R1 (older) could take F1 or F2; R2 only F1 (F2 shares its organisation).
    ws = workspace(
        [fac("F1", "Org A", max_open=1), fac("F2", "Org B", max_open=1)],
        [req("R1", day=16), req("R2", "Org B", day=17)],
    )
    network = Reach.of(build_instance(ws, Policy.preset("norfolk"), on=ON))
    assert network.max_flow() == 2
    assert network.oldest_first(1) == ([0], 0)
    assert network.oldest_first(2) == ([0, 1], 1)
