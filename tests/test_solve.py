"""The engine's entry point: method choice, determinism, rows, and the fast
inline scores agreeing with their readable forms."""

from __future__ import annotations

from builders import ON, fac, req, workspace
from hypothesis import HealthCheck, given, settings
from strategies import workspaces

from allocator import Mode, Policy, allocate, build_instance, normalise_org

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


def _penalty(inst, r: int, f: int) -> int:
    """Stage-3 penalty straight from DESIGN.md, one pair at a time (a test oracle)."""
    fac, req, ws = inst.facilitators[f], inst.requests[r], inst.workspace
    weights = inst.policy.penalties
    sectors = {ws.sector_of_org[o].casefold() for o in inst.network_orgs[r]
               if o in ws.sector_of_org}
    seen = {e for h in ws.history if h.facilitator_id == fac.facilitator_id
            for e in h.attendees}  # the strategies' history is within the look-back
    return ((weights.same_sector if fac.sector and fac.sector.casefold() in sectors else 0)
            + (weights.same_locality if fac.locality and req.locality
               and normalise_org(fac.locality) == normalise_org(req.locality) else 0)
            + (weights.worked_alongside if seen & inst.network_emails[r] else 0))


def _preference(inst, r: int, f: int) -> int:
    fac, req = inst.facilitators[f], inst.requests[r]
    likes = inst.policy.preferences
    topic = normalise_org(req.topic or "")
    same_place = bool(fac.locality and req.locality
                      and normalise_org(fac.locality) == normalise_org(req.locality))
    return ((likes.specialism_match if topic and topic in {normalise_org(s)
                                                           for s in fac.specialisms} else 0)
            + (likes.locality_in_person if req.mode is Mode.IN_PERSON and same_place else 0)
            + (likes.named_facilitator if req.preferred_facilitator_id == fac.facilitator_id
               and not req.preference_rationale else 0))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workspaces())
def test_soft_scores_match_the_rules_and_their_words(ws) -> None:
    inst = build_instance(ws, NORFOLK, ON)
    for r, edges in enumerate(inst.edges):
        for k, f in enumerate(edges):
            assert inst.penalty[r][k] == _penalty(inst, r, f)
            assert inst.penalty[r][k] == sum(w for _, w in inst.penalty_terms(r, f))
            assert inst.preference[r][k] == _preference(inst, r, f)
