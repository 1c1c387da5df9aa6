"""The simulation against theory, and the day's state it hands the engine."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from scenario_files import (
    FIXED_CYCLE,
    INDEPENDENT_MIX,
    SAMPLE,
    independent_workspace,
    scenario_file,
)

from allocator import normalise_org
from jags.scenarios.config import ScenarioFile
from jags.scenarios.measures import Outcome
from jags.scenarios.prepare import ScenarioModel, prepare
from jags.scenarios.seeds import replication_seeds
from jags.scenarios.simulation import simulate_replication

CYCLE = 12  # working days from allocation to the session held, in FIXED_CYCLE


def _models(tmp_path: Path, **kw: object) -> tuple[ScenarioModel, ...]:
    workspace = kw.pop("workspace", None) or independent_workspace(tmp_path / "ws")
    return prepare(
        ScenarioFile.read(
            scenario_file(
                tmp_path,
                workspace,  # type: ignore[arg-type]
                **kw,
            )
        )
    )


def _run(model: ScenarioModel, replication: int = 0, seed: int = 1, **kw: bool) -> Outcome:
    return simulate_replication(
        model, replication_seeds(seed, replication + 1)[replication], replication, **kw
    )


def _held_per_day(outcome: Outcome, first: int, last: int) -> float:
    held = [day for _, day, what, _ in outcome.events if what == "held"]
    return sum(first <= d < last for d in held) / (last - first)


def test_throughput_is_capped_by_capacity_over_the_cycle(tmp_path: Path) -> None:
    """N facilitators of capacity m, a fixed cycle of L working days, every facilitator
    eligible for everything, 3 requests a day: throughput is N·m/L = 6·4/12 = 2 a day."""
    [model] = _models(tmp_path, rate=3.0, days=300, process=FIXED_CYCLE, demand=INDEPENDENT_MIX)
    outcome = _run(model, trace=True)
    assert _held_per_day(outcome, 60, 300) == pytest.approx(6 * 4 / CYCLE, abs=0.02)
    assert outcome.kpis["waiting_at_end"] > 200  # the rest queue up


def test_throughput_is_the_arrival_rate_when_capacity_is_enough(tmp_path: Path) -> None:
    [model] = _models(tmp_path, rate=1.0, days=300, process=FIXED_CYCLE, demand=INDEPENDENT_MIX)
    outcome = _run(model, trace=True)
    k = outcome.kpis
    # Every request received by day 300 - L is held by day 300; the rest are in flight.
    arrived_early = sum(
        1 for _, day, what, _ in outcome.events if what == "received" and day < 300 - CYCLE
    )
    assert k["held"] >= arrived_early
    assert k["held"] <= k["requests"]
    assert k["held"] / 300 == pytest.approx(min(1.0, 6 * 4 / CYCLE), rel=0.15)
    assert k["waiting_at_end"] == 0


def test_with_ample_capacity_every_request_is_allocated_on_day_zero(tmp_path: Path) -> None:
    [model] = _models(
        tmp_path,
        rate=2.0,
        days=120,
        process=FIXED_CYCLE,
        demand=INDEPENDENT_MIX,
        workspace=independent_workspace(tmp_path / "big", n=20, max_open=5),
    )
    k = _run(model).kpis
    assert k["requests"] > 150
    assert k["allocated"] == k["requests"] == k["allocated_by_deadline"]
    assert k["pct_allocated_by_deadline"] == 100
    assert k["median_days_to_allocation"] == k["p90_days_to_allocation"] == 0
    assert k["max_backlog"] == 0


def test_the_engine_decides_within_its_rules_every_day(tmp_path: Path) -> None:
    """Loads never pass a facilitator's maximum, no facilitator shares an organisation
    with the case network or gets a request back after declining it, and a declined
    request comes back to the queue."""
    [model] = _models(
        tmp_path, rate=3.0, days=120, workspace=SAMPLE, process="decline_rate = 0.3\n"
    )
    outcome = _run(model, trace=True)
    facilitators = model.workspace.facilitator_by_id
    load: dict[str, int] = defaultdict(int)
    for f in facilitators.values():
        load[f.facilitator_id] = max(
            f.open_jags, model.workspace.open_history.get(f.facilitator_id, 0)
        )
    declined: set[tuple[str, str]] = set()
    holders: dict[str, tuple[str, ...]] = {}
    by_day: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for rid, day, what, who in outcome.events:
        by_day[day].append((rid, what, who))
    assert any(what == "declined" for _, _, what, _ in outcome.events)
    requeued = 0
    for day in sorted(by_day):
        for rid, what, who in by_day[day]:
            ids = tuple(who.split(";")) if who else ()
            if what == "allocated":
                assert not declined & {(rid, f) for f in ids}
                holders[rid] = ids
                requeued += rid in {r for r, _ in declined}
                for f in ids:
                    load[f] += 1
                    assert load[f] <= (facilitators[f].max_open or 0) + max(
                        facilitators[f].open_jags, 0
                    ), (day, f)
            elif what in ("declined", "stepped_down", "held"):
                for f in holders.pop(rid):
                    load[f] -= 1
                if what == "declined":
                    declined.update((rid, f) for f in ids)
    assert requeued > 0


def test_no_allocation_shares_an_organisation_with_the_case_network(tmp_path: Path) -> None:
    [model] = _models(tmp_path, rate=2.0, days=60, workspace=SAMPLE)
    seeds = replication_seeds(3, 1)[0]
    from jags.scenarios.simulation import Simulation

    sim = Simulation(model, seeds, trace=True)
    sim.run()
    networks = {s.request_id: s.network for s in sim.requests}
    facilitators = model.workspace.facilitator_by_id
    allocations = [(rid, who) for rid, _, what, who in sim.events if what == "allocated"]
    assert len(allocations) > 80
    for rid, who in allocations:
        orgs = {
            normalise_org(p.organisation)
            for p in (networks[rid].requester, *networks[rid].participants)
        }
        for fid in who.split(";"):
            assert facilitators[fid].org_key not in orgs


def test_common_random_numbers_give_every_scenario_the_same_requests(tmp_path: Path) -> None:
    models = _models(
        tmp_path,
        rate=2.0,
        days=80,
        workspace=SAMPLE,
        scenarios=(
            '[[scenario]]\nname = "a"\n[[scenario]]\nname = "b"\n'
            'remove_facilitators = {sector = "Police", count = 3, on = 2027-01-04}\n'
            '[[scenario]]\nname = "c"\ndemand_factor = 1.5\n'
        ),
    )
    a, b, c = (_run(m, trace=True) for m in models)
    received = [
        {(rid, day) for rid, day, what, _ in o.events if what == "received"} for o in (a, b, c)
    ]
    assert received[0] == received[1]
    assert received[0] < received[2]  # more demand: the same requests and then some
    assert a.kpis["requests"] == b.kpis["requests"] < c.kpis["requests"]


def test_leavers_take_no_new_jags_and_trainees_none_before_their_date(tmp_path: Path) -> None:
    models = _models(
        tmp_path,
        rate=3.0,
        days=60,
        workspace=SAMPLE,
        scenarios=(
            '[[scenario]]\nname = "change"\n'
            'remove_facilitators = {sector = "Police", count = 4, on = 2027-02-01}\n'
            'add_facilitators = {sector = "Health", count = 3, on = 2027-02-15}\n'
        ),
    )
    outcome = _run(models[0], trace=True)
    days = models[0].days
    police = {f.facilitator_id for f in models[0].workspace.facilitators if f.sector == "Police"}
    given = [
        (days[day], fid)
        for _, day, what, who in outcome.events
        if what == "allocated"
        for fid in who.split(";")
    ]
    police_after = {fid for when, fid in given if fid in police and str(when) >= "2027-02-01"}
    assert len(police_after) <= 1  # 5 Police facilitators, 4 leave
    new = [when for when, fid in given if fid.startswith("NEW-")]
    assert new and min(new).isoformat() >= "2027-02-15"


def test_seasonal_leave_keeps_facilitators_off_and_moves_their_sessions(tmp_path: Path) -> None:
    models = _models(
        tmp_path,
        rate=2.0,
        days=60,
        workspace=independent_workspace(tmp_path / "ws2", n=4, max_open=6),
        demand=INDEPENDENT_MIX,
        process=FIXED_CYCLE,
        scenarios='[[scenario]]\nname = "leave"\nleave = {share = 0.5, start = 2027-01-18, '
        "end = 2027-02-12}\n",
    )
    outcome = _run(models[0], trace=True)
    days = models[0].days
    away = {lv.facilitator_id for lv in outcome_leave(models[0], outcome)}
    assert len(away) == 2
    for _, day, what, who in outcome.events:
        if what == "allocated" and "2027-01-18" <= days[day].isoformat() <= "2027-02-12":
            assert who not in away
        if what == "held" and who in away:
            assert not "2027-01-18" <= days[day].isoformat() <= "2027-02-12"


def outcome_leave(model: ScenarioModel, outcome: Outcome) -> list:
    from jags.scenarios.simulation import Simulation

    sim = Simulation(model, replication_seeds(1, 1)[0], 0)
    return list(sim.state.leave)


def test_follow_ups_keep_their_facilitator(tmp_path: Path) -> None:
    [model] = _models(
        tmp_path,
        rate=2.0,
        days=120,
        workspace=SAMPLE,
        demand="follow_up_share = 0.3\n",
        process="decline_rate = 0\n",
    )
    from jags.scenarios.simulation import Simulation

    sim = Simulation(model, replication_seeds(2, 1)[0], trace=True)
    sim.run()
    first = {}
    for rid, _, what, who in sim.events:
        if what == "allocated":
            first.setdefault(rid, who)
    follow_ups = [s for s in sim.requests if s.request.follow_up_of and s.request_id in first]
    assert len(follow_ups) > 10
    kept = sum(first[s.request_id] == first[s.request.follow_up_of] for s in follow_ups)
    assert kept >= 0.8 * len(follow_ups)  # unless the earlier facilitator is full or away


def test_co_facilitation_gives_two_facilitators_from_two_organisations(tmp_path: Path) -> None:
    [model] = _models(tmp_path, rate=1.0, days=25, workspace=SAMPLE, policy="bedfordshire")
    outcome = _run(model, trace=True)
    facilitators = model.workspace.facilitator_by_id
    pairs = [who.split(";") for _, _, what, who in outcome.events if what == "allocated"]
    assert len(pairs) > 10
    for lead, co in pairs:
        assert facilitators[lead].org_key != facilitators[co].org_key
        assert facilitators[lead].can_lead


def test_the_same_replication_gives_the_same_outcome(tmp_path: Path) -> None:
    [model] = _models(tmp_path, rate=2.0, days=60, workspace=SAMPLE)
    one, two = _run(model, 1, trace=True), _run(model, 1, trace=True)
    assert one == two
    assert _run(model, 0).kpis != one.kpis
