"""The CP-SAT model: co-facilitation (Bedfordshire), time limits, invalid models."""

from __future__ import annotations

import pytest
from builders import ON, fac, part, req, workspace
from hypothesis import HealthCheck, given, settings
from ortools.sat.python import cp_model
from strategies import workspaces

from allocator import Policy, SolverError, Stage, allocate, build_instance
from allocator.cpsat import objective, solve_cpsat
from allocator.cpsat.constraints import add_constraints
from allocator.cpsat.variables import make_variables

BEDS = Policy.preset("bedfordshire")


def test_co_facilitation_two_organisations_with_lead_capable_lead() -> None:
    ws = workspace(
        [
            fac("F1", "Org A", can_lead=False),
            fac("F2", "Org A", can_lead=True),
            fac("F3", "Org B", can_lead=False),
        ],
        [req("R1")],
    )
    result = allocate(ws, BEDS, on=ON)
    assert result.method == "cpsat"
    assert result.facilitators_of("R1") == ("F2", "F3")
    assert [(a.facilitator_id, a.role) for a in result.assignments] == [
        ("F2", "lead"),
        ("F3", "co"),
    ]
    assert result.check() == []


def test_co_facilitation_different_sectors_where_possible() -> None:
    ws = workspace(
        [
            fac("F1", "Org A", sector="Health"),
            fac("F2", "Org B", sector="Health"),
            fac("F3", "Org C", sector="Police"),
        ],
        [req("R1")],
    )
    chosen = set(allocate(ws, BEDS, on=ON).facilitators_of("R1"))
    assert "F3" in chosen and len(chosen) == 2
    # With only Health facilitators the pair is still made.
    ws = workspace([fac("F1", "Org A"), fac("F2", "Org B")], [req("R1")])
    assert set(allocate(ws, BEDS, on=ON).facilitators_of("R1")) == {"F1", "F2"}


def test_co_facilitation_waits_when_only_one_organisation_is_free() -> None:
    ws = workspace([fac("F1", "Org A"), fac("F2", "Org A")], [req("R1")])
    result = allocate(ws, BEDS, on=ON)
    assert result.facilitators_of("R1") == ()
    assert "different organisations" in result.reasons["R1"]


def test_co_facilitation_pin_is_one_of_the_pair() -> None:
    ws = workspace(
        [fac("F1", "Org A"), fac("F2", "Org B"), fac("F3", "Org X", can_lead=False)],
        [req("R1", "Org X", preferred_facilitator_id="F3", preference_rationale="continuity")],
    )
    result = allocate(ws, BEDS, on=ON)
    fs = result.facilitators_of("R1")
    assert "F3" in fs and fs[0] != "F3"  # F3 cannot lead
    assert {a.status for a in result.assignments if a.facilitator_id == "F3"} == {"pinned"}


def test_supervisee_limit_is_flagged() -> None:
    participants = [part("R1", f"p{i}@x.example", f"Org {i}") for i in range(11)]
    ws = workspace([fac("F1", "Org A"), fac("F2", "Org B")], [req("R1")], participants=participants)
    assert (
        "12 professionals invited, above the policy's 10" in allocate(ws, BEDS, on=ON).reasons["R1"]
    )


def test_single_policy_on_cpsat_matches_flow() -> None:
    ws = workspace(
        [fac("F1", "Org A", max_open=1), fac("F2", "Org B", max_open=1)],
        [req("R1", day=16), req("R2", "Org B", day=17)],
    )
    norfolk = Policy.preset("norfolk")
    flow = allocate(ws, norfolk, on=ON, method="flow")
    cpsat = allocate(ws, norfolk, on=ON, method="cpsat")
    assert flow.chosen == cpsat.chosen


def test_model_invalid_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    ws = workspace([fac("F1"), fac("F2", "Org B")], [req("R1"), req("R2"), req("R3")])
    inst = build_instance(ws, BEDS, ON)
    # An objective whose coefficients may overflow: CP-SAT reports MODEL_INVALID.
    monkeypatch.setattr(objective, "most_allocated", lambda v: sum(2**61 * y for y in v.y))
    with pytest.raises(SolverError, match="invalid"):
        solve_cpsat(inst, time_limit=5)


def test_huge_personal_maximum_costs_no_more_than_a_small_one() -> None:
    # The model's sizes depend on the loads that can occur in the batch, never on the
    # size of max_open: a 40-digit maximum gives the same model as 5 does.
    def model_size(max_open: int) -> tuple[int, int]:
        ws = workspace(
            [fac("F1", max_open=max_open), fac("F2", "Org B", max_open=max_open)],
            [req("R1"), req("R2", day=17)],
        )
        inst = build_instance(ws, BEDS, ON)
        model = cp_model.CpModel()
        v = make_variables(model, inst)
        add_constraints(model, inst, v)
        objective.highest_utilisation(model, inst, v)
        objective.spread(model, inst, v)
        proto = model.proto
        return len(proto.variables), len(proto.constraints)

    assert model_size(10**40) == model_size(5)
    ws = workspace(
        [
            fac("F1", max_open=10**40),
            fac("F2", "Org B", max_open=10**40),
            fac("F3", "Org C", max_open=10**40),
        ],
        [req("R1"), req("R2", day=17)],
    )
    result = allocate(ws, BEDS, on=ON)
    assert result.status == "optimal" and result.summary["allocated"] == 2
    assert result.check() == []


def test_time_limit_returns_best_found_with_honest_status() -> None:
    from jags.generate import generate_workspace

    ws = generate_workspace(120, 40, seed=3)
    result = allocate(ws, BEDS, on=ON, time_limit=0.05)
    assert result.check() == []
    statuses = {s.status for s in result.stages}
    assert result.status == ("optimal" if statuses == {"optimal"} else "feasible")


def test_raw_cpsat_parameters_pass_through() -> None:
    ws = workspace([fac("F1", "Org A"), fac("F2", "Org B")], [req("R1")])
    result = allocate(ws, BEDS, on=ON, num_workers=2, interleave_search=True)
    assert result.stage_value(Stage.MOST_ALLOCATED) == 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workspaces())
def test_co_facilitation_never_breaks_a_hard_rule(ws) -> None:
    result = allocate(ws, BEDS, on=ON, time_limit=20)
    assert result.check() == []
    assert result.objectives() == {s.stage: s.value for s in result.stages}
