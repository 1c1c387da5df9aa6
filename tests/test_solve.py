"""The engine's entry point: method choice, determinism, rows, and the fast
inline scores agreeing with their readable forms."""

from __future__ import annotations

from builders import ON, fac, req, workspace
from hypothesis import HealthCheck, given, settings
from strategies import workspaces

from allocator import Policy, allocate, build_instance
from allocator.eligibility import penalty_terms, preference_score

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
        ("R1", "F1", "allocated"), ("R2", "", "unallocated")]
    assert rows[1].reason.startswith("Waiting: ")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workspaces())
def test_same_input_same_result(ws) -> None:
    for policy in (NORFOLK, Policy.preset("bedfordshire")):
        one, two = allocate(ws, policy, on=ON), allocate(ws, policy, on=ON)
        assert one.assignments == two.assignments
        assert [s.value for s in one.stages] == [s.value for s in two.stages]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workspaces())
def test_inline_penalties_and_preferences_match_their_readable_forms(ws) -> None:
    inst = build_instance(ws, NORFOLK, ON)
    for r, edges in enumerate(inst.edges):
        for k, f in enumerate(edges):
            assert inst.penalty[r][k] == sum(w for _, w in penalty_terms(inst, r, f))
            assert inst.preference[r][k] == preference_score(inst, r, f)


def test_without_explanations_the_choices_are_the_same_and_no_reasons_are_built() -> None:
    ws = workspace([fac("F1", "Org A", max_open=1), fac("F2", "Org B", max_open=1)],
                   [req("R1", day=16), req("R2", day=17), req("R3", day=18)])
    full = allocate(ws, NORFOLK, on=ON)
    bare = allocate(ws, NORFOLK, on=ON, explain=False)
    assert bare.chosen == full.chosen
    assert [(a.request_id, a.facilitator_id) for a in bare.assignments] == [
        (a.request_id, a.facilitator_id) for a in full.assignments]
    assert bare.reasons == {} and bare.unblock == {}
    assert all(a.reason == "" for a in bare.assignments)
    assert all(a.reason for a in full.assignments)
