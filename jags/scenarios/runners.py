"""Replications and runners: serial, local processes, or a Dask cluster.

Each task is one replication of one scenario, identified by the scenario's
place in the file and the replication's number; its random streams come
from ``SeedSequence(seed).spawn(replications)[replication]`` and nothing
else, so the results are identical whichever runner, process or machine
computes them. The results are put back in scenario and replication order.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from allocator import InputError
from jags.scenarios.config import ScenarioFile
from jags.scenarios.prepare import ScenarioModel, prepare
from jags.scenarios.results import Results, daily_frame, replications_frame, sector_frame
from jags.scenarios.seeds import replication_seeds
from jags.scenarios.simulation import simulate_replication

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import numpy as np

    from jags.scenarios.measures import Outcome

__all__ = ["run", "simulate"]

Source = ScenarioFile | str | Path | tuple[ScenarioModel, ...] | list[ScenarioModel]


def simulate(
    source: Source,
    *,
    replications: int = 20,
    seed: int | None = None,
    workers: int = 1,
    scheduler: str | Any | None = None,
    working_days: int | None = None,
    daily: bool = False,
    trace: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Results:
    """Run every scenario of a file ``replications`` times.

    Parameters
    ----------
    source
        A scenario file (path or :class:`ScenarioFile`), or prepared scenarios.
    replications
        Replications per scenario (default 20).
    seed
        Seed of the whole run (default: the file's ``[base] seed``, else 0).
    workers
        Local processes (default 1: in this process).
    scheduler
        A Dask scheduler address (``"tcp://host:8786"``), or a
        ``distributed.Client``: replications then run on that cluster
        (default ``None``). Give ``workers`` or ``scheduler``, not both.
    working_days
        Simulate this many working days instead of the file's (default ``None``).
    daily
        Keep day-by-day series and utilisation by sector (default ``False``).
    trace
        Keep every request's events (default ``False``).
    progress
        Called as ``progress(done, total)`` after each replication (default none).

    Returns
    -------
    Results
        The tidy tables; ``Results.replications`` is what :func:`run` returns.

    Raises
    ------
    InputError
        A bad scenario file, workspace or policy, or a bad argument.
    """
    if replications < 1:
        raise InputError(f"--replications: {replications} must be 1 or more")
    if workers < 1:
        raise InputError(f"--workers: {workers} must be 1 or more")
    if workers > 1 and scheduler is not None:
        raise InputError("give --workers or --scheduler, not both")
    models = _models(source, working_days)
    if seed is None:
        seed = _file(source).base.seed if isinstance(source, ScenarioFile | str | Path) else 0
    seeds = replication_seeds(seed, replications)
    tasks = [(i, r) for i in range(len(models)) for r in range(replications)]
    report = progress or (lambda done, total: None)
    if scheduler is not None:
        outcomes = _on_dask(scheduler, models, tasks, seeds, daily, trace, report)
    elif workers > 1:
        outcomes = _in_processes(workers, models, tasks, seeds, daily, trace, report)
    else:
        outcomes = []
        for done, (i, r) in enumerate(tasks, start=1):
            outcomes.append(simulate_replication(models[i], seeds[r], r, daily=daily, trace=trace))
            report(done, len(tasks))
    return _results(outcomes, models, seed)


def run(
    source: Source,
    *,
    replications: int = 20,
    seed: int | None = None,
    workers: int = 1,
    scheduler: str | Any | None = None,
    working_days: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """One row per scenario × replication (see :func:`simulate` for the parameters)."""
    return simulate(
        source,
        replications=replications,
        seed=seed,
        workers=workers,
        scheduler=scheduler,
        working_days=working_days,
        progress=progress,
    ).replications


def _file(source: ScenarioFile | str | Path) -> ScenarioFile:
    return source if isinstance(source, ScenarioFile) else ScenarioFile.read(source)


def _models(source: Source, working_days: int | None) -> tuple[ScenarioModel, ...]:
    if isinstance(source, ScenarioFile | str | Path):
        return prepare(_file(source), working_days_override=working_days)
    if working_days is not None:
        raise InputError("working_days applies to a scenario file, not prepared scenarios")
    return tuple(source)


def _results(outcomes: Sequence[Outcome], models: Sequence[ScenarioModel], seed: int) -> Results:
    events = pd.DataFrame(
        [
            (o.scenario, o.replication, *e)
            for o in sorted(outcomes, key=lambda o: (o.order, o.replication))
            for e in o.events
        ],
        columns=["scenario", "replication", "request_id", "day", "event", "facilitators"],
    )
    return Results(
        replications_frame(outcomes, seed),
        daily_frame(outcomes, {m.name: m.days for m in models}),
        sector_frame(outcomes),
        events,
    )


# Local processes ------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(models: tuple[ScenarioModel, ...], daily: bool, trace: bool) -> None:
    _WORKER.update(models=models, daily=daily, trace=trace)


def _worker_task(i: int, r: int, seeds: np.random.SeedSequence) -> Outcome:
    return simulate_replication(
        _WORKER["models"][i], seeds, r, daily=_WORKER["daily"], trace=_WORKER["trace"]
    )


def _in_processes(
    workers: int,
    models: tuple[ScenarioModel, ...],
    tasks: list[tuple[int, int]],
    seeds: list[np.random.SeedSequence],
    daily: bool,
    trace: bool,
    report: Callable[[int, int], None],
) -> list[Outcome]:
    # "spawn": fresh interpreters, never a fork of a process holding solver threads.
    context = multiprocessing.get_context("spawn")
    outcomes = []
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_init_worker,
        initargs=(models, daily, trace),
    ) as pool:
        futures = [pool.submit(_worker_task, i, r, seeds[r]) for i, r in tasks]
        for done, future in enumerate(as_completed(futures), start=1):
            outcomes.append(future.result())
            report(done, len(tasks))
    return outcomes


# Dask -----------------------------------------------------------------------


def _dask_task(
    models: tuple[ScenarioModel, ...],
    i: int,
    r: int,
    seeds: np.random.SeedSequence,
    daily: bool,
    trace: bool,
) -> Outcome:
    return simulate_replication(models[i], seeds, r, daily=daily, trace=trace)


def _on_dask(
    scheduler: str | Any,
    models: tuple[ScenarioModel, ...],
    tasks: list[tuple[int, int]],
    seeds: list[np.random.SeedSequence],
    daily: bool,
    trace: bool,
    report: Callable[[int, int], None],
) -> list[Outcome]:
    from distributed import Client
    from distributed import as_completed as dask_completed

    own = not isinstance(scheduler, Client)
    client: Any
    try:
        client = Client(scheduler) if own else scheduler  # type: ignore[no-untyped-call]
    except OSError as exc:
        raise InputError(
            f"--scheduler: cannot reach the Dask scheduler {scheduler!r} ({exc})"
        ) from None
    try:
        [shared] = client.scatter([models], broadcast=True)
        futures = client.map(
            _dask_task,
            [shared] * len(tasks),
            [i for i, _ in tasks],
            [r for _, r in tasks],
            [seeds[r] for _, r in tasks],
            daily=daily,
            trace=trace,
            pure=False,
        )
        for done, _ in enumerate(dask_completed(futures), start=1):  # type: ignore[no-untyped-call]
            report(done, len(tasks))
        outcomes: list[Outcome] = client.gather(futures)
    finally:
        if own:
            client.close()
    return outcomes
