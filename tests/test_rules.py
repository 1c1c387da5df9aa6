"""The hard rules, one function each, and the three places that use them agreeing:
eligibility (the solvers' edges), pair codes and explanations."""

from __future__ import annotations

from datetime import date

from builders import ON, fac, part, req, workspace
from hypothesis import HealthCheck, given, settings
from strategies import workspaces

from allocator import DayState, Explainer, Involvement, Leave, Policy, allocate, build_instance
from allocator.rules import (
    FACILITATOR_RULES,
    Code,
    Day,
    Directory,
    Network,
    add_months,
    at_capacity,
    declined,
    facilitator_failures,
    inactive,
    is_participant,
    missing_data,
    not_trained,
    on_leave,
    person_exclusions,
    prior_involvement,
    shares_organisation,
)

NORFOLK = Policy.preset("norfolk")
WINDOW = (date(2026, 12, 11), date(2026, 12, 14), date(2026, 12, 15))


def day_of(ws, **kw) -> Day:
    return Day(
        ws,
        kw.get("policy", NORFOLK),
        ON,
        kw.get("window", WINDOW),
        kw.get("unavailable", frozenset()),
    )


def test_facilitator_rules_each_say_what_fails() -> None:
    ws = workspace([fac("F1")], [req("R1")])
    day = day_of(ws)
    assert missing_data(fac("F1", sector=None), day, 0) == (
        Code.MISSING_DATA,
        "record incomplete: sector missing",
    )
    assert inactive(fac("F1", active=False), day, 0) == (
        Code.INACTIVE,
        "not active in the facilitator network",
    )
    assert not_trained(fac("F1", trained_on=date(2026, 11, 21)), day, 0) == (
        Code.NOT_TRAINED,
        "training completes on 2026-11-21",
    )
    assert at_capacity(fac("F1", max_open=2), day, 2) == (
        Code.AT_CAPACITY,
        "already at 2 of 2 open JAGS",
    )
    assert at_capacity(fac("F1", max_open=2), day, 1) is None
    calendar = day_of(ws, unavailable=frozenset({"F1"}))
    assert on_leave(fac("F1"), calendar, 0) == (
        Code.ON_LEAVE,
        "no free session slot in the expected window (calendar)",
    )
    for rule in FACILITATOR_RULES:
        assert rule(fac("F1"), day, 0) is None


def test_every_failing_facilitator_rule_is_kept_in_report_order() -> None:
    ws = workspace([fac("F1")], [req("R1")], leave=[Leave(facilitator_id="F1", start=ON, end=ON)])
    both = fac("F1", active=False, max_open=1)
    assert [code for code, _ in facilitator_failures(both, day_of(ws), 1)] == [
        Code.INACTIVE,
        Code.ON_LEAVE,
        Code.AT_CAPACITY,
    ]


def test_request_rules_return_whom_they_exclude() -> None:
    facilitators = [
        fac("F1", "Org X"),
        fac("F2", "org  x"),
        fac("F3", "Org B"),
        fac("F4", "Org C", email="p1@net.example"),
    ]
    request = req("R1", "Org X", family_ref="FAM-1")
    ws = workspace(
        facilitators,
        [request],
        participants=[part("R1", "P1@net.example", "Org P")],
        involvements=[Involvement(facilitator_id="F3", family_ref="fam-1")],
    )
    state = DayState.of(declined=[("R1", "F2"), ("R9", "F3")])
    directory = Directory(ws.facilitators, ws, state)
    network = Network(request, ws.network_orgs(request), ws.network_emails(request))
    assert is_participant(directory, network) == {3}
    assert prior_involvement(directory, network) == {2}
    assert declined(directory, network) == {1}
    # Rule 3 answers with organisations: F1 and F2 are one (case and spacing ignored).
    assert shares_organisation(directory, network) == {directory.group_of[0]}
    assert directory.group_of[0] == directory.group_of[1]
    assert person_exclusions(directory, network) == {
        3: Code.IS_PARTICIPANT,
        2: Code.PRIOR_INVOLVEMENT,
        1: Code.DECLINED,
    }


def test_add_months_clamps_to_the_end_of_the_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 20), -12) == date(2025, 11, 20)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workspaces())
def test_eligibility_pair_codes_and_explanations_agree(ws) -> None:
    result = allocate(ws, NORFOLK, on=ON)
    inst = result.instance
    explainer = Explainer(inst, result.chosen)
    rows = {(e.request_id, e.facilitator_id): e for e in explainer.rows()}
    for r in range(inst.n_requests):
        eligible = set(inst.eligible(r).tolist())
        own = inst.request_codes(r)
        for f in range(inst.n_facilitators):
            code = inst.facilitator_code[f] or own.get(f)
            row = rows[inst.requests[r].request_id, inst.facilitators[f].facilitator_id]
            assert (code is None) == (f in eligible) == row.eligible
            if code is not None:
                assert row.code == code
        pin = inst.pins.get(r)
        solo = pin is not None and pin.honoured
        assert set(inst.edges[r]) == ({pin.facilitator} if solo else eligible)


def test_request_codes_show_the_rule_about_the_case_even_for_an_unavailable_facilitator() -> None:
    ws = workspace(
        [fac("F1", max_open=1, open_jags=1)],
        [req("R1")],
        involvements=[Involvement(facilitator_id="F1", case_ref="CASE-R1")],
    )
    inst = build_instance(ws, NORFOLK, ON)
    assert inst.facilitator_code[0] is Code.AT_CAPACITY
    assert inst.request_codes(0) == {0: Code.PRIOR_INVOLVEMENT}
