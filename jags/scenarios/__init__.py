"""What-if capacity scenarios: a simulation of a partnership on the real allocation engine.

Read a scenario file, run every scenario many times, and compare::

    from jags.scenarios import simulate
    results = simulate("scenarios.toml", replications=50, seed=1)
    results.summary()

:func:`run` returns the table of replications alone (one row per scenario ×
replication); :func:`simulate` also returns day-by-day series and journeys
when asked. Every allocation decision in a simulated day is made by
:func:`allocator.allocate`, the same daily step a real day uses.

The package loads its parts on first use, so ``jags`` commands that do not
simulate never import pandas, SciPy or SimPy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jags.scenarios.config import (
        AddFacilitators,
        Base,
        Demand,
        Process,
        RemoveFacilitators,
        Scenario,
        ScenarioError,
        ScenarioFile,
        SeasonalLeave,
        Surge,
        load_scenario_file,
    )
    from jags.scenarios.demand import CaseMix, history_pools
    from jags.scenarios.measures import KPI_COLUMNS, Outcome
    from jags.scenarios.prepare import ScenarioModel, prepare, read_received
    from jags.scenarios.results import COLUMNS, LABELS, Results, summarise, write_results
    from jags.scenarios.runners import run, simulate
    from jags.scenarios.seeds import replication_seeds
    from jags.scenarios.simulation import simulate_replication

_WHERE = {
    "AddFacilitators": "jags.scenarios.config",
    "Base": "jags.scenarios.config",
    "Demand": "jags.scenarios.config",
    "Process": "jags.scenarios.config",
    "RemoveFacilitators": "jags.scenarios.config",
    "Scenario": "jags.scenarios.config",
    "ScenarioError": "jags.scenarios.config",
    "ScenarioFile": "jags.scenarios.config",
    "SeasonalLeave": "jags.scenarios.config",
    "Surge": "jags.scenarios.config",
    "load_scenario_file": "jags.scenarios.config",
    "CaseMix": "jags.scenarios.demand",
    "history_pools": "jags.scenarios.demand",
    "KPI_COLUMNS": "jags.scenarios.measures",
    "Outcome": "jags.scenarios.measures",
    "ScenarioModel": "jags.scenarios.prepare",
    "prepare": "jags.scenarios.prepare",
    "read_received": "jags.scenarios.prepare",
    "COLUMNS": "jags.scenarios.results",
    "LABELS": "jags.scenarios.results",
    "Results": "jags.scenarios.results",
    "summarise": "jags.scenarios.results",
    "write_results": "jags.scenarios.results",
    "run": "jags.scenarios.runners",
    "simulate": "jags.scenarios.runners",
    "replication_seeds": "jags.scenarios.seeds",
    "simulate_replication": "jags.scenarios.simulation",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'jags.scenarios' has no attribute {name!r}")


__all__ = [
    "COLUMNS",
    "KPI_COLUMNS",
    "LABELS",
    "AddFacilitators",
    "Base",
    "CaseMix",
    "Demand",
    "Outcome",
    "Process",
    "RemoveFacilitators",
    "Results",
    "Scenario",
    "ScenarioError",
    "ScenarioFile",
    "ScenarioModel",
    "SeasonalLeave",
    "Surge",
    "history_pools",
    "load_scenario_file",
    "prepare",
    "read_received",
    "replication_seeds",
    "run",
    "simulate",
    "simulate_replication",
    "summarise",
    "write_results",
]
