"""CP-SAT constraints, each on a model where it alone decides."""

from __future__ import annotations

from builders import ON, fac, req, workspace
from ortools.sat.python import cp_model

from allocator import Policy, build_instance
from allocator.cpsat.constraints import add_constraints
from allocator.cpsat.variables import make_variables


def best_count(ws, policy: Policy) -> int:
    inst = build_instance(ws, policy, ON)
    model = cp_model.CpModel()
    v = make_variables(model, inst)
    add_constraints(model, inst, v)
    model.maximize(sum(v.y))
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL
    return int(solver.objective_value)


def test_capacity_limits_new_jags() -> None:
    ws = workspace([fac("F1", max_open=3, open_jags=1)], [req(f"R{i}") for i in range(4)])
    assert best_count(ws, Policy.preset("norfolk")) == 2


def test_distinct_organisations_for_co_facilitators() -> None:
    ws = workspace([fac("F1", "Org A"), fac("F2", "Org A")], [req("R1")])
    assert best_count(ws, Policy.preset("bedfordshire")) == 0
    ws = workspace([fac("F1", "Org A"), fac("F2", "Org B")], [req("R1")])
    assert best_count(ws, Policy.preset("bedfordshire")) == 1


def test_lead_capable_needed() -> None:
    ws = workspace(
        [fac("F1", "Org A", can_lead=False), fac("F2", "Org B", can_lead=False)], [req("R1")]
    )
    assert best_count(ws, Policy.preset("bedfordshire")) == 0


def test_pin_forces_the_pinned_facilitator() -> None:
    ws = workspace(
        [fac("F1", "Org A", max_open=1), fac("F2", "Org B", max_open=1)],
        [
            req("R1", preferred_facilitator_id="F1", preference_rationale="x"),
            req("R2", preferred_facilitator_id="F1", preference_rationale="x"),
        ],
    )
    assert best_count(ws, Policy.preset("norfolk")) == 1
