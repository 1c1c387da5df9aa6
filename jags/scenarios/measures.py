"""What one replication of a scenario measured: its KPIs and its day-by-day series.

:func:`measure` reads a finished :class:`~jags.scenarios.simulation.Simulation`
(its requests, queue, counts and the loads it kept day by day) and returns
the :class:`Outcome` the runners gather and :mod:`jags.scenarios.results`
tabulates.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from jags.scenarios.simulation import Simulation

__all__ = ["KPI_COLUMNS", "DailySeries", "Outcome", "measure"]

KPI_COLUMNS = (
    "requests",
    "allocated",
    "allocated_by_deadline",
    "pct_allocated_by_deadline",
    "median_days_to_allocation",
    "p90_days_to_allocation",
    "max_backlog",
    "mean_utilisation",
    "held",
    "held_within_window",
    "stepped_down",
    "declined",
    "waiting_at_end",
)
"""The measures of one replication, in the order of the results' columns."""


@dataclass(frozen=True)
class DailySeries:
    """Day-by-day measures of one replication (index = working day of the period).

    ``backlog``: requests waiting after the day's batch; ``arrived``: requests
    received that day; ``on_time``: of those, how many were allocated by
    their allocate-by date; ``load`` and ``capacity``: open JAGS and places
    (``max_open`` of active, trained facilitators) per sector (columns in
    the order of ``sectors``).
    """

    backlog: np.ndarray[Any, np.dtype[np.int64]]
    arrived: np.ndarray[Any, np.dtype[np.int64]]
    on_time: np.ndarray[Any, np.dtype[np.int64]]
    load: np.ndarray[Any, np.dtype[np.int64]]
    capacity: np.ndarray[Any, np.dtype[np.int64]]
    sectors: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """What one replication of one scenario measured."""

    scenario: str
    order: int
    replication: int
    kpis: dict[str, float]
    daily: DailySeries | None = None
    events: tuple[tuple[str, int, str, str], ...] = ()
    """With ``trace``: (request_id, day, event, facilitator ids separated by ``;``)."""


def _capacity(sim: Simulation) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Places per day and sector: max_open of active, trained, complete facilitators."""
    places = np.zeros((sim.n_days, len(sim.sectors)), dtype=np.int64)
    left = {fid: day for day, ids in sim.removals for fid in ids}
    for fac in sim.base.facilitators:
        if not fac.active or fac.missing_fields or fac.max_open is None:
            continue
        assert fac.trained_on is not None
        first = bisect.bisect_left(sim.days, fac.trained_on)
        last = left.get(fac.facilitator_id, sim.n_days)
        if fac.training_expires is not None:
            last = min(last, bisect.bisect_right(sim.days, fac.training_expires))
        if first < last:
            places[first:last, sim.sector_of[fac.facilitator_id]] += fac.max_open
    return places


def measure(sim: Simulation) -> Outcome:
    """What a finished simulation measured: its KPIs and (when kept) its daily series."""
    last = sim.n_days - 1
    allocated = [s for s in sim.requests if s.allocated_on is not None]
    waiting_late = sum(
        1 for s in sim.state.waiting.values() if s.allocate_by is not None and s.allocate_by <= last
    )
    on_time = sum(1 for s in allocated if s.on_time)
    decided = len(allocated) + waiting_late
    waits = np.asarray([(s.allocated_on or 0) - s.day for s in allocated], dtype=np.float64)
    by_sector = _capacity(sim)
    places = by_sector.sum(axis=1)
    busy = places > 0
    utilisation = (
        float(np.mean(sim.total_load[busy] / places[busy])) * 100 if busy.any() else math.nan
    )
    kpis: dict[str, float] = {
        "requests": len(sim.requests),
        "allocated": len(allocated),
        "allocated_by_deadline": on_time,
        "pct_allocated_by_deadline": 100 * on_time / decided if decided else math.nan,
        "median_days_to_allocation": float(np.median(waits)) if len(waits) else math.nan,
        "p90_days_to_allocation": float(np.percentile(waits, 90)) if len(waits) else math.nan,
        "max_backlog": int(sim.backlog.max(initial=0)),
        "mean_utilisation": utilisation,
        **sim.counts,
        "waiting_at_end": len(sim.state.waiting),
    }
    daily = None
    if sim.keep_daily:
        arrived = np.zeros(sim.n_days, dtype=np.int64)
        in_time = np.zeros(sim.n_days, dtype=np.int64)
        for s in sim.requests:
            arrived[s.day] += 1
            in_time[s.day] += s.allocated_on is not None and s.on_time
        daily = DailySeries(
            sim.backlog.copy(), arrived, in_time, sim.load.copy(), by_sector, sim.sectors
        )
    return Outcome(sim.model.name, sim.model.order, sim.replication, kpis, daily, tuple(sim.events))
