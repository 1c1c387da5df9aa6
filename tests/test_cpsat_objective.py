"""Each stage expression evaluates to the value the result recomputes from data."""

from __future__ import annotations

from fractions import Fraction

from builders import ON, fac, part, req, workspace
from ortools.sat.python import cp_model

from allocator import Policy, Stage, build_instance
from allocator.cpsat import objective
from allocator.cpsat.constraints import add_constraints
from allocator.cpsat.variables import make_variables
from allocator.result import objective_values


def test_stage_expressions_match_recomputed_objectives() -> None:
    ws = workspace(
        [
            fac("F1", "Org A", sector="Police", max_open=3, open_jags=1, specialisms=("neglect",)),
            fac("F2", "Org B", sector="Health", max_open=2),
        ],
        [req("R1", topic="neglect"), req("R2", day=19)],
        participants=[part("R1", "p@x.example", "Org P")],
    )
    ws = ws.replace(facilitators=(*ws.facilitators, fac("F3", "Org P", sector="Police")))
    inst = build_instance(ws, Policy.preset("norfolk"), ON)
    model = cp_model.CpModel()
    v = make_variables(model, inst)
    add_constraints(model, inst, v)
    exprs = {
        Stage.MOST_ALLOCATED: objective.most_allocated(v),
        Stage.OLDEST_FIRST: objective.oldest_first(v),
        Stage.INDEPENDENCE: objective.independence(model, inst, v),
        Stage.SPREAD: objective.spread(model, inst, v),
        Stage.PREFERENCES: objective.preferences(inst, v),
    }
    level = objective.highest_utilisation(model, inst, v)
    # Force R1 → F1 (index 0) and R2 → F2 (index 1).
    model.add(v.x[0, 0] == 1)
    model.add(v.x[1, 1] == 1)
    model.minimize(level)
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL
    expected = objective_values(inst, {0: (0,), 1: (1,)})
    for stage, expr in exprs.items():
        assert solver.value(expr) == expected[stage], stage
    # The level is a rank among the utilisations that can occur: exact, no scaling.
    levels = objective.utilisation_levels(inst, v)
    assert levels[solver.value(level)] == expected[Stage.HIGHEST_UTILISATION] == Fraction(2, 3)
