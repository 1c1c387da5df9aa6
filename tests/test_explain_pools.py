"""Facilitator pools the unblock search reads for waiting requests."""

from __future__ import annotations

from builders import ON, fac, req, workspace

from allocator import Code, Explainer, Policy, allocate
from allocator.explain_pools import Pools


def test_pools_count_each_exclusion_once_most_common_first() -> None:
    ws = workspace(
        [fac("F1", "Org X"), fac("F2", "Org X"), fac("F3", active=False), fac("F4", "Org B")],
        [req("R1", "Org X")],
    )
    result = allocate(ws, Policy.preset("norfolk"), on=ON)
    pools = Pools(Explainer(result.instance, result.chosen))
    assert pools.exclusion_counts(0) == [(Code.SHARES_ORGANISATION, 2), (Code.INACTIVE, 1)]
    outside = pools.outside(0)
    assert outside.count(pools.available) == 1
    assert outside.first(pools.available, 5) == [3]
