"""Plain-English reasons, why-not per pair, and what would unblock a request."""

from __future__ import annotations

from datetime import date

from builders import ON, fac, part, req, workspace
from hypothesis import HealthCheck, given, settings
from strategies import workspaces

from allocator import Explainer, Leave, PastSession, Policy, allocate

NORFOLK = Policy.preset("norfolk")


def explain(ws, policy: Policy = NORFOLK):
    result = allocate(ws, policy, on=ON)
    return result, Explainer(result.instance, result.chosen)


def codes(result, explainer, rid: str) -> dict[str, str]:
    r = next(i for i, x in enumerate(result.instance.requests) if x.request_id == rid)
    return {ex.facilitator_id: ex.code
            for ex in (explainer.pair(r, f) for f in range(result.instance.n_facilitators))}


def test_reason_for_an_independent_choice() -> None:
    result, _ = explain(workspace([fac("F1", "Org A", max_open=3)], [req("R1")]))
    assert result.reasons["R1"] == ("Allocated to F1 (Facilitator F1, Org A). Independent of "
                                    "the case network. Workload after this batch: F1 1 of 3 "
                                    "open JAGS.")


def test_reason_names_the_soft_concerns_of_the_closest_choice() -> None:
    ws = workspace([fac("F1", "Org A", sector="Police", locality="Norwich")],
                   [req("R1", locality="Norwich")],
                   participants=[part("R1", "pc@p.example", "Org P")])
    ws = ws.replace(facilitators=(*ws.facilitators, fac("F9", "Org P", sector="Police")))
    result, _ = explain(ws)
    assert ("Closest independent choice available: F1: same sector as the case network "
            "(Police), same locality.") in result.reasons["R1"]


def test_waiting_request_names_who_frees_a_place_and_when() -> None:
    history = [PastSession(request_id="H-2", facilitator_id="F1", allocated_on=date(2026, 10, 1)),
               PastSession(request_id="H-1", facilitator_id="F1", allocated_on=date(2026, 9, 1))]
    ws = workspace([fac("F1", max_open=2, open_jags=2)], [req("R1")], history=history)
    result, _ = explain(ws)
    assert result.unblock["R1"] == ("all 1 eligible facilitators at capacity; F1 frees a "
                                    "place when H-1 closes.")


def test_waiting_request_with_no_eligible_facilitator_counts_the_reasons() -> None:
    ws = workspace([fac("F1", "Org X"), fac("F2", "Org X"), fac("F3", active=False)],
                   [req("R1", "Org X")])
    result, _ = explain(ws)
    text = result.unblock["R1"]
    assert text.startswith("no facilitator is eligible (2 share an organisation with the case "
                           "network, 1 not active).")
    assert "named facilitator with a rationale" in text


def test_incomplete_record_is_suggested_only_when_it_would_help() -> None:
    ws = workspace([fac("F1", "Org X"), fac("F2", sector=None),
                    fac("F3", sector=None, trained_on=date(2026, 12, 6))], [req("R1", "Org X")])
    result, _ = explain(ws)
    assert "Completing the record of F2 would add a candidate." in result.unblock["R1"]
    assert "F3" not in result.unblock["R1"]


def test_pair_codes_name_the_rule_or_the_stage() -> None:
    leave = [Leave(facilitator_id="F5", start=ON, end=ON)]
    ws = workspace([fac("F1", "Org A", max_open=1), fac("F2", "Org B", sector="Police"),
                    fac("F3", "Org C", max_open=1), fac("F4", "Org X", sector="Housing"),
                    fac("F5", "Org E")],
                   [req("R-old", day=17), req("R1", day=18)],
                   participants=[part("R1", "pc@p.example", "Org P"),
                                 part("R-old", "pc2@p.example", "Org P")], leave=leave)
    ws = ws.replace(facilitators=(*ws.facilitators, fac("F9", "Org P", sector="Police",
                                                        active=False)))
    result, explainer = explain(ws)
    found = codes(result, explainer, "R1")
    assert found["F4"] == "shares_organisation"
    assert found["F5"] == "on_leave"
    assert found["F9"] == "inactive"
    assert found[result.facilitators_of("R1")[0]] == "chosen"
    # F1 and F3 have one place each: one went to the older request.
    older = result.facilitators_of("R-old")[0]
    assert found[older] == "stage_2_oldest_first"
    assert found["F2"] == "stage_3_independence"  # Police, like the network's Org P


def test_pinned_pair_code_and_why_lines() -> None:
    ws = workspace([fac("F1", "Org X", sector="Police"), fac("F2", "Org X", sector="Police"),
                    fac("F3", "Org A")],
                   [req("R1", "Org X", preferred_facilitator_id="F1",
                        preference_rationale="asked for")])
    result, explainer = explain(ws)
    found = codes(result, explainer, "R1")
    assert found == {"F1": "pinned", "F2": "shares_organisation", "F3": "stage_1_most_allocated"}
    lines = explainer.why(0)
    assert lines[0].startswith("R1: Allocated to F1")
    assert "- Police facilitators share an organisation with the case network: F2" in lines


def test_reasons_never_carry_case_details() -> None:
    ws = workspace([fac("F1", "Org X"), fac("F2", "Org A")],
                   [req("R1", "Org X", family_ref="FAM-SECRET", topic="secret topic",
                        preferred_facilitator_id="F1", preference_rationale="SECRET RATIONALE")])
    result, explainer = explain(ws)
    text = " ".join([*result.reasons.values(), *explainer.why(0),
                     *(" ".join(map(str, row)) for row in explainer.rows())])
    for secret in ("CASE-R1", "FAM-SECRET", "secret topic", "SECRET RATIONALE"):
        assert secret not in text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workspaces())
def test_fast_rows_agree_with_pair_by_pair_explanations(ws) -> None:
    result, explainer = explain(ws)
    inst = result.instance
    expected = [explainer.pair(r, f) for r in range(inst.n_requests)
                for f in range(inst.n_facilitators)]
    assert list(explainer.rows()) == expected
