"""Runners: the same file and seed give identical results in this process, in local
processes and on a Dask cluster."""

from __future__ import annotations

from pathlib import Path

import dask
import pandas as pd
import pytest
from distributed import Client, LocalCluster
from scenario_files import SAMPLE, scenario_file

from allocator import InputError
from jags.scenarios.runners import run, simulate

SCENARIOS = (
    '[[scenario]]\nname = "baseline"\n'
    '[[scenario]]\nname = "police -3"\n'
    'remove_facilitators = {sector = "Police", count = 3, on = 2027-01-18}\n'
)


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scenario_file(
        tmp_path_factory.mktemp("plan"), SAMPLE, rate=2.5, days=40, scenarios=SCENARIOS
    )


@pytest.fixture(scope="module")
def serial(plan: Path) -> pd.DataFrame:
    return run(plan, replications=3, seed=11)


def test_one_row_per_scenario_and_replication_in_order(serial: pd.DataFrame) -> None:
    assert list(zip(serial["scenario"], serial["replication"], strict=True)) == [
        ("baseline", 0),
        ("baseline", 1),
        ("baseline", 2),
        ("police -3", 0),
        ("police -3", 1),
        ("police -3", 2),
    ]
    assert set(serial["seed"]) == {11}


def test_local_processes_give_identical_results(plan: Path, serial: pd.DataFrame) -> None:
    done: list[tuple[int, int]] = []
    parallel = run(
        plan, replications=3, seed=11, workers=2, progress=lambda d, t: done.append((d, t))
    )
    pd.testing.assert_frame_equal(parallel, serial)
    assert done[-1] == (6, 6) and len(done) == 6


def test_a_dask_cluster_gives_identical_results(plan: Path, serial: pd.DataFrame) -> None:
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        by_address = run(plan, replications=3, seed=11, scheduler=cluster.scheduler_address)
        with Client(cluster) as client:
            by_client = run(plan, replications=3, seed=11, scheduler=client)
    pd.testing.assert_frame_equal(by_address, serial)
    pd.testing.assert_frame_equal(by_client, serial)


def test_another_seed_gives_other_results_and_the_files_seed_is_the_default(
    plan: Path, serial: pd.DataFrame
) -> None:
    other = run(plan, replications=3, seed=12)
    assert not other["requests"].equals(serial["requests"])
    default = run(plan, replications=1)
    assert set(default["seed"]) == {0}


def test_daily_series_and_events_when_asked(plan: Path) -> None:
    results = simulate(plan, replications=2, seed=11, daily=True, trace=True)
    assert len(results.daily) == 2 * 2 * 40
    assert list(results.daily.columns) == [
        "scenario",
        "replication",
        "day",
        "date",
        "backlog",
        "arrived",
        "on_time",
    ]
    assert (
        results.daily.groupby(["scenario", "replication"])["arrived"].sum().tolist()
        == results.replications["requests"].tolist()
    )
    assert set(results.sectors["sector"]) >= {"Health", "Police"}
    assert set(results.events["event"]) >= {"received", "allocated", "contacted"}
    plain = simulate(plan, replications=1)
    assert plain.daily.empty and plain.events.empty


def test_bad_arguments_are_input_errors(plan: Path) -> None:
    with pytest.raises(InputError, match="--replications: 0 must be 1 or more"):
        run(plan, replications=0)
    with pytest.raises(InputError, match="give --workers or --scheduler, not both"):
        run(plan, replications=1, workers=2, scheduler="tcp://127.0.0.1:1")
    with (
        dask.config.set({"distributed.comm.timeouts.connect": "2s"}),
        pytest.raises(InputError, match="--scheduler: cannot reach the Dask scheduler"),
    ):
        run(plan, replications=1, scheduler="tcp://127.0.0.1:9")
