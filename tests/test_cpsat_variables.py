"""CP-SAT variables: one per eligible pair only."""

from __future__ import annotations

from builders import ON, fac, req, workspace
from ortools.sat.python import cp_model

from allocator import Policy, build_instance
from allocator.cpsat.variables import make_variables


def test_one_boolean_per_eligible_pair_and_loads_bounded_by_capacity() -> None:
    ws = workspace(
        [fac("F1", "Org A", max_open=3, open_jags=1), fac("F2", "Org X")],
        [req("R1", "Org X"), req("R2", "Org Y")],
    )
    inst = build_instance(ws, Policy.preset("norfolk"), ON)
    model = cp_model.CpModel()
    v = make_variables(model, inst)
    assert sorted(v.x) == [(0, 0), (1, 0), (1, 1)]  # F2 shares R1's organisation
    assert [len(v.by_facilitator[f]) for f in range(2)] == [2, 1]
    assert list(v.load[0].proto.domain) == [0, 2]
