"""The engine's entry point: method choice, determinism, rows, the cheap path."""

from __future__ import annotations

from builders import ON, fac, req, workspace
from hypothesis import HealthCheck, given, settings
from strategies import workspaces

from allocator import Policy, allocate

NORFOLK = Policy.preset("norfolk")


def test_auto_method_uses_flow_for_one_facilitator_and_cpsat_for_two() -> None:
    ws = workspace([fac("F1", "Org A"), fac("F2", "Org B")], [req("R1")])
    assert allocate(ws, NORFOLK, on=ON).method == "flow"
    assert allocate(ws, Policy.preset("bedfordshire"), on=ON).method == "cpsat"
    assert allocate(ws, NORFOLK, on=ON, method="cpsat").method == "cpsat"


def test_assignment_rows_cover_every_request_in_age_order() -> None:
    ws = workspace([fac("F1", max_open=1)], [req("R2", day=18), req("R1", day=17)])
    rows = allocate(ws, NORFOLK, on=ON).assignments
    assert [(a.request_id, a.facilitator_id, a.status) for a in rows] == [
        ("R1", "F1", "allocated"),
        ("R2", "", "unallocated"),
    ]
    assert rows[1].reason.startswith("Waiting: ")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workspaces())
def test_same_input_same_result(ws) -> None:
    for policy in (NORFOLK, Policy.preset("bedfordshire")):
        one, two = allocate(ws, policy, on=ON), allocate(ws, policy, on=ON)
        assert one.assignments == two.assignments
        assert [s.value for s in one.stages] == [s.value for s in two.stages]


def test_without_explanations_the_same_allocation_and_no_reasons() -> None:
    ws = workspace(
        [fac("F1", max_open=1), fac("F2", "Org B")], [req("R2", day=18), req("R1", day=17)]
    )
    full = allocate(ws, NORFOLK, on=ON)
    cheap = allocate(ws, NORFOLK, on=ON, explain=False)
    assert cheap.chosen == full.chosen
    assert [s.value for s in cheap.stages] == [s.value for s in full.stages]
    assert cheap.reasons == {} and cheap.unblock == {}
    assert [(a.request_id, a.facilitator_id, a.status, a.reason) for a in cheap.assignments] == [
        (a.request_id, a.facilitator_id, a.status, "") for a in full.assignments
    ]
