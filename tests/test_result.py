"""Results check themselves: validity and every stage recomputed from the data."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from builders import ON, fac, part, req, workspace

from allocator import Policy, Stage, allocate, build_instance
from allocator.result import check_solution, objective_values, spread_cost

NORFOLK = Policy.preset("norfolk")
BEDS = Policy.preset("bedfordshire")


def test_check_reports_every_kind_of_violation() -> None:
    ws = workspace(
        [
            fac("F1", "Org X", max_open=1),
            fac("F2", "Org A", can_lead=False),
            fac("F3", "Org A", can_lead=False),
        ],
        [
            req("R1", "Org X"),
            req("R2", preferred_facilitator_id="F2", preference_rationale="continuity"),
        ],
    )
    inst = build_instance(ws, NORFOLK, ON)
    # R1 → F1 shares an organisation; R2 pinned to F2 but given F1, which is then over capacity.
    problems = check_solution(inst, {0: (0,), 1: (0,)})
    assert any("breaks shares_organisation" in p for p in problems)
    assert any("pinned facilitator not used" in p for p in problems)
    assert any("F1: 2 new JAGS but only 1 places" in p for p in problems)
    assert any("2 facilitators, policy needs 1" in p for p in check_solution(inst, {1: (1, 2)}))
    beds = build_instance(ws, BEDS, ON)
    problems = check_solution(beds, {1: (1, 2)})
    assert any("co-facilitators share an organisation" in p for p in problems)
    assert any("lead is not lead-capable" in p for p in problems)


def test_objective_values_are_computed_from_the_data() -> None:
    ws = workspace(
        [
            fac("F1", "Org A", sector="Police", max_open=3, open_jags=1, specialisms=("neglect",)),
            fac("F2", "Org B", max_open=2),
        ],
        [req("R1", topic="neglect", day=17), req("R2", day=18)],
        participants=[part("R1", "pc@p.example", "Org P")],
    )
    ws = ws.replace(
        facilitators=(*ws.facilitators, fac("F9", "Org P", sector="Police", active=False))
    )
    inst = build_instance(ws, NORFOLK, ON)
    values = objective_values(inst, {0: (0,), 1: (1,)})
    assert values == {
        Stage.MOST_ALLOCATED: 2,
        Stage.OLDEST_FIRST: 0 + 1,
        Stage.INDEPENDENCE: NORFOLK.penalties.same_sector,
        Stage.HIGHEST_UTILISATION: Fraction(2, 3),
        Stage.SPREAD: spread_cost(1, 3, 1) + spread_cost(0, 2, 1),
        Stage.PREFERENCES: NORFOLK.preferences.specialism_match,
    }


def test_spread_cost_is_the_rise_in_squared_utilisation_and_convex() -> None:
    assert spread_cost(0, 2, 1) == 2500  # (1/2)² in 1/10000
    assert spread_cost(1, 2, 1) == 10000 - 2500
    assert spread_cost(0, 0, 0) == 0
    for open_load, max_open in ((0, 3), (1, 4), (2, 7)):
        steps = [
            spread_cost(open_load, max_open, k + 1) - spread_cost(open_load, max_open, k)
            for k in range(max_open - open_load)
        ]
        assert steps == sorted(steps)


def test_summary_counts_breaches_of_allocate_by() -> None:
    # R-late was due on 18 Nov and is allocated on 20 Nov: a breach. R-wait is due
    # today and waits: a breach. R-new is due next week and waits: not yet.
    ws = workspace(
        [fac("F1", max_open=1)],
        [req("R-late", day=13), req("R-wait", day=18), req("R-new", day=20)],
    )
    result = allocate(ws, NORFOLK, on=ON)
    assert result.facilitators_of("R-late") == ("F1",)
    assert result.summary == {
        "requests": 3,
        "allocated": 1,
        "pinned": 0,
        "waiting": 2,
        "allocate_by_breaches": 2,
    }


def test_result_status_is_optimal_only_when_every_stage_is() -> None:
    result = allocate(workspace([fac("F1")], [req("R1")]), NORFOLK, on=date(2026, 11, 20))
    assert result.status == "optimal"
    assert all(s.status == "optimal" for s in result.stages)
    assert result.check() == []
