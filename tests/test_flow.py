"""Exact models per objective stage, and the flow solver against CP-SAT and max-flow."""

from __future__ import annotations

from fractions import Fraction

import pytest
from builders import ON, fac, part, req, workspace
from hypothesis import HealthCheck, given, settings
from ortools.graph.python import min_cost_flow
from strategies import daily_batches, workspaces

from allocator import Organisation, Policy, Stage, allocate, build_instance, flow, pair_code
from allocator.cpsat import solve_cpsat
from allocator.flow import solve_flow

NORFOLK = Policy.preset("norfolk")


def chosen_ids(ws, **kw) -> dict[str, tuple[str, ...]]:
    result = allocate(ws, NORFOLK, on=ON, method="flow", **kw)
    assert result.check() == []
    return {a.request_id: result.facilitators_of(a.request_id) for a in result.assignments}


def test_stage_1_most_requests_allocated_before_age() -> None:
    # R1 (older) could take F1 or F2; R2 only F1 (F2 shares its organisation).
    ws = workspace(
        [fac("F1", "Org A", max_open=1), fac("F2", "Org B", max_open=1)],
        [req("R1", day=16), req("R2", "Org B", day=17)],
    )
    assert chosen_ids(ws) == {"R1": ("F2",), "R2": ("F1",)}


def test_stage_2_oldest_request_first() -> None:
    ws = workspace(
        [fac("F1", max_open=1)], [req("R-new", day=18, hour=9), req("R-old", day=17, hour=15)]
    )
    assert chosen_ids(ws) == {"R-old": ("F1",), "R-new": ()}


def test_stage_2_ties_in_time_broken_by_request_id() -> None:
    ws = workspace([fac("F1", max_open=1)], [req("R2"), req("R1")])
    assert chosen_ids(ws) == {"R1": ("F1",), "R2": ()}


def test_stage_3_independence_before_workload() -> None:
    ws = workspace(
        [
            fac("F1", "Org A", sector="Police", max_open=4),
            fac("F2", "Org B", sector="Health", max_open=2, open_jags=1),
        ],
        [req("R1")],
        participants=[part("R1", "pc@p.example", "Org P")],
    )
    ws = ws.replace(facilitators=(*ws.facilitators, fac("F3", "Org P", sector="Police")))
    assert chosen_ids(ws)["R1"] == ("F2",)


def test_stage_4a_lowest_highest_utilisation_before_spread() -> None:
    # F1 would reach 6/10 = 0.6, F2 1/2 = 0.5: stage 4a picks F2, although
    # the squared-utilisation rise (stage 4b) is smaller for F1.
    ws = workspace(
        [fac("F1", "Org A", max_open=10, open_jags=5), fac("F2", "Org B", max_open=2)], [req("R1")]
    )
    result = allocate(ws, NORFOLK, on=ON)
    assert result.facilitators_of("R1") == ("F2",)
    assert result.stage_value(Stage.HIGHEST_UTILISATION) == Fraction(1, 2)


def test_stage_4b_spread_when_highest_utilisation_ties() -> None:
    # R1 is pinned to F1, reaching 2/2 = 1.0; R2 may go to F2 (→ 3/4) or F3
    # (→ 1/4): both keep the highest at 1.0, the spread prefers F3.
    ws = workspace(
        [
            fac("F1", "Org A", max_open=2, open_jags=1),
            fac("F2", "Org B", max_open=4, open_jags=2),
            fac("F3", "Org C", max_open=4),
        ],
        [req("R1", preferred_facilitator_id="F1", preference_rationale="asked"), req("R2", day=19)],
    )
    assert chosen_ids(ws) == {"R1": ("F1",), "R2": ("F3",)}


def test_stage_5_specialism_preference_last() -> None:
    ws = workspace(
        [fac("F1", "Org A"), fac("F2", "Org B", specialisms=("Neglect",))],
        [req("R1", topic="neglect")],
    )
    assert chosen_ids(ws)["R1"] == ("F2",)
    # ...but never above workload balance:
    ws = workspace(
        [fac("F1", "Org A"), fac("F2", "Org B", specialisms=("neglect",), open_jags=1)],
        [req("R1", topic="neglect")],
    )
    assert chosen_ids(ws)["R1"] == ("F1",)


def test_stage_5_locality_for_in_person_sessions() -> None:
    ws = workspace(
        [fac("F1", "Org A", locality="Breckland"), fac("F2", "Org B", locality="Norwich")],
        [req("R1", mode="in_person", locality="Breckland")],
    )
    # same locality is a stage-3 independence penalty, which outranks stage 5
    assert chosen_ids(ws)["R1"] == ("F2",)
    no_penalty = NORFOLK.replace(penalties={"same_locality": 0})
    result = allocate(ws, no_penalty, on=ON, method="flow")
    assert result.facilitators_of("R1") == ("F1",)


def test_every_stage_optimal_and_self_consistent() -> None:
    ws = workspace([fac("F1", "Org A"), fac("F2", "Org B")], [req("R1"), req("R2")])
    result = allocate(ws, NORFOLK, on=ON, method="flow")
    assert result.status == "optimal"
    assert result.objectives() == {s.stage: s.value for s in result.stages}


def _matching_bound(inst) -> int:
    """Maximum matching with capacities by augmenting paths (independent of the solvers)."""
    allowed = []
    for r in range(inst.n_requests):
        pin = inst.pins.get(r)
        fs = [f for f in range(inst.n_facilitators) if pair_code(inst, r, f) is None]
        if pin is not None and pin.refused is None:
            fs = [pin.facilitator]
        allowed.append(fs)
    slots = [(f, k) for f in range(inst.n_facilitators) for k in range(inst.capacity[f])]
    owner: dict[tuple[int, int], int] = {}

    def augment(r: int, seen: set[tuple[int, int]]) -> bool:
        for slot in slots:
            if slot[0] in allowed[r] and slot not in seen:
                seen.add(slot)
                if slot not in owner or augment(owner[slot], seen):
                    owner[slot] = r
                    return True
        return False

    return sum(augment(r, set()) for r in range(inst.n_requests))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workspaces())
def test_flow_and_cpsat_agree_on_every_stage(ws) -> None:
    inst = build_instance(ws, NORFOLK, ON)
    flow = solve_flow(inst)
    cpsat = solve_cpsat(inst, time_limit=30)
    assert [s.value for s in flow.stages] == [s.value for s in cpsat.stages]
    assert cpsat.status == "optimal"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workspaces())
def test_flow_count_equals_max_flow_bound_and_no_older_request_waits(ws) -> None:
    result = allocate(ws, NORFOLK, on=ON, method="flow")
    inst = result.instance
    assert result.check() == []
    assert result.stage_value(Stage.MOST_ALLOCATED) == _matching_bound(inst)
    assert result.objectives() == {s.stage: s.value for s in result.stages}
    for old in range(inst.n_requests):
        if old in result.chosen:
            continue
        for new, (f,) in result.chosen.items():
            if new > old:
                assert f not in inst.edges[old], (
                    f"{inst.requests[old].request_id} waits while newer "
                    f"{inst.requests[new].request_id} has its option {f}"
                )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(daily_batches())
def test_small_batch_shortcuts_give_the_general_answer(batch) -> None:
    # The daily batch (a few requests, open loads and declines from the day's state,
    # worked-alongside history) takes the shortcuts; the same batch solved with every
    # flow must give the same facilitators and the same value at every stage.
    ws, state = batch
    inst = build_instance(ws, NORFOLK, ON, state=state)
    assert inst.n_requests * inst.n_facilitators <= flow.SMALL_BATCH_CELLS
    fast = solve_flow(inst)
    general = solve_flow(inst, shortcuts=False)
    assert fast.chosen == general.chosen
    assert [s.value for s in fast.stages] == [s.value for s in general.stages]


def test_shortcuts_skip_the_flows_only_when_the_answer_is_certain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counting = _CountingMinCostFlow()
    monkeypatch.setattr(flow, "min_cost_flow", counting)
    # One request, one facilitator strictly best (F2: no shared sector): no flow at all.
    ws = workspace(
        [fac("F1", "Org A", sector="Police"), fac("F2", "Org B", sector="Health")],
        [req("R1")],
        participants=[part("R1", "pc@p.example", "Org P")],
    )
    ws = ws.replace(organisations=(Organisation(organisation="Org P", sector="Police"),))
    assert allocate(ws, NORFOLK, on=ON).facilitators_of("R1") == ("F2",)
    assert counting.solves == 0
    # Two facilitators alike in every stage: the flow breaks the tie, as for any batch.
    ws = workspace([fac("F1", "Org A"), fac("F2", "Org B")], [req("R1")])
    assert allocate(ws, NORFOLK, on=ON).facilitators_of("R1") == allocate(
        ws, NORFOLK, on=ON, method="flow"
    ).facilitators_of("R1")
    assert counting.solves == 2


# No step's cost depends on the size of a number (issue 11, finding 3) ----------------------


class _CountingMinCostFlow:
    """Stands in for OR-Tools' module: counts arcs and solves, delegates the work."""

    def __init__(self) -> None:
        self.arcs = 0
        self.solves = 0
        counter = self

        class Solver(min_cost_flow.SimpleMinCostFlow):  # type: ignore[misc]
            def add_arcs_with_capacity_and_unit_cost(self, tails, *args):  # type: ignore[no-untyped-def]
                counter.arcs += len(tails)
                return super().add_arcs_with_capacity_and_unit_cost(tails, *args)

            def solve(self):  # type: ignore[no-untyped-def]
                counter.solves += 1
                return super().solve()

        self.SimpleMinCostFlow = Solver


def _work(monkeypatch: pytest.MonkeyPatch, max_open: int) -> tuple[int, int, dict]:
    counting = _CountingMinCostFlow()
    monkeypatch.setattr(flow, "min_cost_flow", counting)
    ws = workspace(
        [
            fac("F1", "Org A", max_open=max_open, open_jags=1),
            fac("F2", "Org B", max_open=max_open),
            fac("F3", "Org C", max_open=3),
        ],
        [req("R1", day=16), req("R2", day=17), req("R3", day=18)],
    )
    result = allocate(ws, NORFOLK, on=ON, method="flow")
    assert result.check() == [] and result.status == "optimal"
    return (
        counting.arcs,
        counting.solves,
        {a.request_id: a.facilitator_id for a in result.assignments},
    )


def test_a_huge_personal_maximum_costs_the_same_as_a_small_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Loads above the batch size cannot occur, so the work is the same whatever the
    # maximum beyond them: a few dozen arcs for three requests, not ten million.
    arcs, solves, chosen = _work(monkeypatch, 10_000)
    assert arcs < 120 and solves <= 6
    assert _work(monkeypatch, 10_000_000) == (arcs, solves, chosen)
    assert _work(monkeypatch, 10**40) == (arcs, solves, chosen)
    result = allocate(
        workspace([fac("F1", max_open=10**40, open_jags=10**39)], [req("R1")]), NORFOLK, on=ON
    )
    assert result.facilitators_of("R1") == ("F1",)
    assert result.stage_value(Stage.HIGHEST_UTILISATION) == Fraction(10**39 + 1, 10**40)
