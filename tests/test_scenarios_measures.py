"""The measures of one replication: every KPI, consistent with the events and the daily series."""

from __future__ import annotations

from pathlib import Path

from scenario_files import SAMPLE, scenario_file

from jags.scenarios.config import ScenarioFile
from jags.scenarios.measures import KPI_COLUMNS
from jags.scenarios.prepare import prepare
from jags.scenarios.seeds import replication_seeds
from jags.scenarios.simulation import simulate_replication


def test_measures_are_complete_and_consistent(tmp_path: Path) -> None:
    [model] = prepare(ScenarioFile.read(scenario_file(tmp_path, SAMPLE, rate=2.5, days=120)))
    outcome = simulate_replication(model, replication_seeds(1, 1)[0], 0, trace=True, daily=True)
    k = outcome.kpis
    assert list(k) == list(KPI_COLUMNS)
    assert k["allocated"] + k["waiting_at_end"] == k["requests"]
    assert k["held"] + k["stepped_down"] <= k["allocated"]
    assert k["held_within_window"] == k["held"]  # sessions 10–15 days after confirmation
    assert k["declined"] == sum(1 for e in outcome.events if e[2] == "declined")
    assert outcome.daily is not None
    assert int(outcome.daily.backlog.max()) == k["max_backlog"]
    assert int(outcome.daily.arrived.sum()) == k["requests"]
    assert int(outcome.daily.on_time.sum()) == k["allocated_by_deadline"]
