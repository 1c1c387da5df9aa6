"""What-if capacity scenarios: a simulation of a partnership on the real allocation engine.

Read a scenario file, run every scenario many times, and compare::

    from jags.scenarios import simulate
    results = simulate("scenarios.toml", replications=50, seed=1)
    results.summary()

:func:`run` returns the table of replications alone (one row per scenario ×
replication); :func:`simulate` also returns day-by-day series and journeys
when asked. Every allocation decision in a simulated day is made by
:func:`allocator.allocate`, the same daily step a real day uses.
"""

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
from jags.scenarios.prepare import ScenarioModel, prepare, read_received
from jags.scenarios.results import COLUMNS, LABELS, Results, summarise, write_results
from jags.scenarios.runners import run, simulate
from jags.scenarios.seeds import replication_seeds
from jags.scenarios.simulation import KPI_COLUMNS, Outcome, simulate_replication

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
