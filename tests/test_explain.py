"""Plain-English reasons, why-not per pair, and what would unblock a request."""

from __future__ import annotations

from datetime import date

import pytest
from builders import ON, fac, part, req, workspace
from hypothesis import HealthCheck, given, settings
from strategies import workspaces

from allocator import Code, DayState, Explainer, Involvement, Leave, PastSession, Policy, allocate
from allocator.explain import CODE_WORDS

NORFOLK = Policy.preset("norfolk")


def explain(ws, policy: Policy = NORFOLK):
    result = allocate(ws, policy, on=ON)
    return result, Explainer(result.instance, result.chosen)


def codes(result, explainer, rid: str) -> dict[str, str]:
    r = next(i for i, x in enumerate(result.instance.requests) if x.request_id == rid)
    return {
        ex.facilitator_id: ex.code
        for ex in (explainer.pair(r, f) for f in range(result.instance.n_facilitators))
    }


def test_reason_for_an_independent_choice() -> None:
    result, _ = explain(workspace([fac("F1", "Org A", max_open=3)], [req("R1")]))
    assert result.reasons["R1"] == (
        "Allocated to F1 (Facilitator F1, Org A). Independent of "
        "the case network. Workload after this batch: F1 1 of 3 "
        "open JAGS."
    )


def test_reason_names_the_soft_concerns_of_the_closest_choice() -> None:
    ws = workspace(
        [fac("F1", "Org A", sector="Police", locality="Norwich")],
        [req("R1", locality="Norwich")],
        participants=[part("R1", "pc@p.example", "Org P")],
    )
    ws = ws.replace(facilitators=(*ws.facilitators, fac("F9", "Org P", sector="Police")))
    result, _ = explain(ws)
    assert (
        "Closest independent choice available: F1: same sector as the case network "
        "(Police), same locality."
    ) in result.reasons["R1"]


def test_waiting_request_names_who_frees_a_place_and_when() -> None:
    history = [
        PastSession(request_id="H-2", facilitator_id="F1", allocated_on=date(2026, 10, 1)),
        PastSession(request_id="H-1", facilitator_id="F1", allocated_on=date(2026, 9, 1)),
    ]
    ws = workspace([fac("F1", max_open=2, open_jags=2)], [req("R1")], history=history)
    result, _ = explain(ws)
    assert result.unblock["R1"] == (
        "all 1 facilitators it could go to are at capacity; F1 frees a place when H-1 closes."
    )


def test_waiting_request_with_no_eligible_facilitator_counts_the_reasons() -> None:
    ws = workspace(
        [fac("F1", "Org X"), fac("F2", "Org X"), fac("F3", active=False)], [req("R1", "Org X")]
    )
    result, _ = explain(ws)
    text = result.unblock["R1"]
    assert text.startswith(
        "no facilitator is eligible (2 share an organisation with the case network, 1 not active)."
    )
    assert "named facilitator with a rationale" in text


def test_incomplete_record_is_suggested_only_when_it_would_help() -> None:
    ws = workspace(
        [
            fac("F1", "Org X"),
            fac("F2", sector=None),
            fac("F3", sector=None, trained_on=date(2026, 12, 6)),
        ],
        [req("R1", "Org X")],
    )
    result, _ = explain(ws)
    assert "Completing the record of F2 would add a candidate." in result.unblock["R1"]
    assert "F3" not in result.unblock["R1"]


def test_pair_codes_name_the_rule_or_the_stage() -> None:
    leave = [Leave(facilitator_id="F5", start=ON, end=ON)]
    ws = workspace(
        [
            fac("F1", "Org A", max_open=1),
            fac("F2", "Org B", sector="Police"),
            fac("F3", "Org C", max_open=1),
            fac("F4", "Org X", sector="Housing"),
            fac("F5", "Org E"),
        ],
        [req("R-old", day=17), req("R1", day=18)],
        participants=[part("R1", "pc@p.example", "Org P"), part("R-old", "pc2@p.example", "Org P")],
        leave=leave,
    )
    ws = ws.replace(
        facilitators=(*ws.facilitators, fac("F9", "Org P", sector="Police", active=False))
    )
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
    ws = workspace(
        [
            fac("F1", "Org X", sector="Police"),
            fac("F2", "Org X", sector="Police"),
            fac("F3", "Org A"),
        ],
        [req("R1", "Org X", preferred_facilitator_id="F1", preference_rationale="asked for")],
    )
    result, explainer = explain(ws)
    found = codes(result, explainer, "R1")
    assert found == {"F1": "pinned", "F2": "shares_organisation", "F3": "stage_1_most_allocated"}
    lines = explainer.why(0)
    assert lines[0].startswith("R1: Allocated to F1")
    assert "- Police facilitators share an organisation with the case network: F2" in lines


def test_reasons_never_carry_case_details() -> None:
    ws = workspace(
        [fac("F1", "Org X"), fac("F2", "Org A")],
        [
            req(
                "R1",
                "Org X",
                family_ref="FAM-SECRET",
                topic="secret topic",
                preferred_facilitator_id="F1",
                preference_rationale="SECRET RATIONALE",
            )
        ],
    )
    result, explainer = explain(ws)
    text = " ".join(
        [
            *result.reasons.values(),
            *explainer.why(0),
            *(" ".join(map(str, row)) for row in explainer.rows()),
        ]
    )
    for secret in ("CASE-R1", "FAM-SECRET", "secret topic", "SECRET RATIONALE"):
        assert secret not in text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workspaces())
def test_fast_rows_agree_with_pair_by_pair_explanations(ws) -> None:
    result, explainer = explain(ws)
    inst = result.instance
    expected = [
        explainer.pair(r, f) for r in range(inst.n_requests) for f in range(inst.n_facilitators)
    ]
    assert list(explainer.rows()) == expected


# Reasons true to codes (issue 11, finding 6) -----------------------------------------------

FULL = {"max_open": 1, "open_jags": 1}
OPEN_JAGS = [PastSession(request_id="H-0040", facilitator_id="F2", allocated_on=date(2026, 9, 1))]


def test_involvement_with_the_case_is_not_reported_as_capacity() -> None:
    # Every facilitator has a prior involvement with the case; F2 is also full and has an
    # open JAGS. The request waits because of the involvement, not capacity.
    involved = [Involvement(facilitator_id=f"F{i}", case_ref="CASE-R1") for i in (1, 2, 3)]
    ws = workspace(
        [fac("F1", "Org A"), fac("F2", "Org B", **FULL), fac("F3", "Org C")],
        [req("R1")],
        involvements=involved,
        history=OPEN_JAGS,
    )
    result, explainer = explain(ws)
    assert result.unblock["R1"] == (
        "no facilitator is eligible (3 have prior involvement with the case or family). A named "
        "facilitator with a rationale can override the shared-organisation rule."
    )
    assert "- Have prior involvement with the case or family: F1, F2, F3" in explainer.why(0)
    rows = {
        e.facilitator_id: e.code for b in explainer.blocks() for e in explainer.row_maker.expand(b)
    }
    assert rows == {"F1": "prior_involvement", "F2": "prior_involvement", "F3": "prior_involvement"}


def _every_facilitator_fails(rule: str) -> tuple[list, dict]:
    """Three facilitators who all fail ``rule`` for R1; F2 is also full and has an open
    JAGS, so that capacity could mask the rule."""
    extra: dict = {}
    kw = [{}, dict(FULL), {}]
    if rule == "not_trained":
        kw = [{**k, "trained_on": date(2026, 12, 1)} for k in kw]
    elif rule == "inactive":
        kw = [{**k, "active": False} for k in kw]
    elif rule == "missing_data":
        kw = [{**k, "sector": None} for k in kw]
    elif rule == "at_capacity":
        kw = [dict(FULL) for _ in kw]
    elif rule == "on_leave":
        extra["leave"] = [Leave(facilitator_id=f"F{i}", start=ON, end=ON) for i in (1, 2, 3)]
    elif rule == "prior_involvement":
        extra["involvements"] = [
            Involvement(facilitator_id=f"F{i}", case_ref="CASE-R1") for i in (1, 2, 3)
        ]
    elif rule == "is_participant":
        extra["participants"] = [part("R1", f"f{i}@fac.example", "Org P") for i in (1, 2, 3)]
    facilitators = [
        fac(f"F{i}", "Org X" if rule == "shares_organisation" else f"Org {i}", **kw[i - 1])
        for i in (1, 2, 3)
    ]
    return facilitators, extra


@pytest.mark.parametrize("rule", [str(c) for c in Code])
def test_a_request_every_facilitator_fails_names_that_rule(rule: str) -> None:
    facilitators, extra = _every_facilitator_fails(rule)
    ws = workspace(facilitators, [req("R1", "Org X")], history=OPEN_JAGS, **extra)
    state = (
        DayState.of({"F2": 1}, declined=[("R1", f"F{i}") for i in (1, 2, 3)])
        if rule == "declined"
        else None
    )
    result = allocate(ws, NORFOLK, on=ON, state=state)
    explainer = Explainer(result.instance, result.chosen)
    reason = result.unblock["R1"]
    words = CODE_WORDS[Code(rule)]
    if rule == "at_capacity":
        assert (
            reason == "all 3 facilitators it could go to are at capacity; F2 frees a "
            "place when H-0040 closes."
        )
    else:
        assert reason.startswith(f"no facilitator is eligible (3 {words}).")
        assert "capacity" not in reason
    group = f"Health facilitators {words}" if rule == "shares_organisation" else words.capitalize()
    assert f"- {group}: F1, F2, F3" in explainer.why(0)
    statuses = {fid: code for fid, code, *_ in explainer.facilitator_status()}
    rows = [e for b in explainer.blocks() for e in explainer.row_maker.expand(b)]
    if rule in ("not_trained", "inactive", "on_leave", "missing_data", "at_capacity"):
        assert set(statuses.values()) == {rule}  # facilitator-wide: once each
        assert rows == []
    elif rule == "shares_organisation":
        assert [(e.facilitator_id, e.code, e.detail.split(": ")[-1]) for e in rows] == [
            ("", rule, "F1 F2 F3")
        ]
    else:
        assert [(e.facilitator_id, e.code) for e in rows] == [
            ("F1", rule),
            ("F2", rule),
            ("F3", rule),
        ]
