"""A JAGS's journey: decline back to the queue, step down, held after the sampled delays."""

from __future__ import annotations

from pathlib import Path

from scenario_files import FIXED_CYCLE, INDEPENDENT_MIX, independent_workspace, scenario_file

from jags.scenarios.config import ScenarioFile
from jags.scenarios.prepare import prepare
from jags.scenarios.seeds import replication_seeds
from jags.scenarios.simulation import Simulation


def _sim(tmp_path: Path, process: str, *, days: int = 40, n: int = 3) -> Simulation:
    ws = independent_workspace(tmp_path / "ws", n=n, max_open=2)
    [model] = prepare(
        ScenarioFile.read(
            scenario_file(
                tmp_path, ws, rate=0.5, days=days, process=process, demand=INDEPENDENT_MIX
            )
        )
    )
    sim = Simulation(model, replication_seeds(4, 1)[0], trace=True)
    sim.run()
    return sim


def _journeys(sim: Simulation) -> dict[str, list[tuple[int, str, str]]]:
    found: dict[str, list[tuple[int, str, str]]] = {}
    for rid, day, what, who in sim.events:
        found.setdefault(rid, []).append((day, what, who))
    return found


def test_a_session_is_held_after_contact_confirmation_and_the_session_delay(tmp_path: Path) -> None:
    sim = _sim(tmp_path, FIXED_CYCLE, n=10)
    for steps in _journeys(sim).values():
        whats = [w for _, w, _ in steps]
        assert whats[:2] == ["received", "allocated"]
        allocated = steps[1][0]
        expected = [
            ("contacted", allocated + 1),
            ("confirmed", allocated + 2),
            ("held", allocated + 12),
        ]
        assert [(w, d) for d, w, _ in steps[2:]] == expected[: len(steps) - 2]
    assert sim.counts["held"] > 5


def test_when_everyone_declines_the_request_returns_with_its_allocate_by(tmp_path: Path) -> None:
    sim = _sim(tmp_path, "contact = 2\nconfirm = 1\nsession = 10\ndecline_rate = 1\n", n=3)
    journeys = _journeys(sim)
    first = min(journeys, key=lambda rid: journeys[rid][0][0])
    steps = journeys[first]
    given = [who for _, what, who in steps if what == "allocated"]
    # each of the three facilitators gets it once, declines, and is never asked again
    assert sorted(given) == ["F01", "F02", "F03"]
    assert [what for _, what, _ in steps].count("declined") == 3
    assert steps[-1][1] == "declined"
    request = next(s for s in sim.requests if s.request_id == first)
    assert request.request_id in sim.state.waiting
    assert request.allocate_by == request.day + 2  # the engine's, kept through declines
    assert {(first, f) for f in given} <= sim.state.declined
    in_flight = sum(len(s.facilitators) for s in sim.requests if s.status == "allocated")
    assert sum(sim.state.open_load.values()) == in_flight  # declines released their loads


def test_a_step_down_closes_the_jags_and_releases_the_load(tmp_path: Path) -> None:
    sim = _sim(tmp_path, "contact = 3\ndecline_rate = 0\nstep_down_rate = 1\n")
    journeys = _journeys(sim)
    for steps in journeys.values():
        if len(steps) > 2:
            assert [w for _, w, _ in steps] == ["received", "allocated", "stepped_down"]
            assert steps[2][0] == steps[1][0] + 3
    assert sim.counts["stepped_down"] > 5 and sim.counts["held"] == 0
    closed = [h for h in sim.state.history.values() if h.closed_on is not None]
    assert len(closed) == sim.counts["stepped_down"]
    assert all(h.held_on is None for h in closed)
