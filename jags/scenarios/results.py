"""Tidy results: one row per scenario × replication, a summary per scenario, files.

The replications table has the columns ``scenario``, ``replication``,
``seed`` and then :data:`~jags.scenarios.measures.KPI_COLUMNS`. The
summary is a ``groupby``: per scenario and measure, the mean and its 95 %
confidence interval (Student's t over the replications).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from allocator import InputError
from jags.files import write_file
from jags.scenarios.measures import KPI_COLUMNS

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import date

    from jags.scenarios.measures import Outcome

__all__ = [
    "COLUMNS",
    "LABELS",
    "Results",
    "daily_frame",
    "replications_frame",
    "sector_frame",
    "summarise",
    "write_results",
]

COLUMNS = ("scenario", "replication", "seed", *KPI_COLUMNS)
"""The replications table's columns, in order."""

LABELS = {
    "requests": "requests received",
    "allocated": "requests allocated",
    "allocated_by_deadline": "allocated by allocate-by",
    "pct_allocated_by_deadline": "allocated by allocate-by (%)",
    "median_days_to_allocation": "median working days to allocation",
    "p90_days_to_allocation": "90th percentile working days to allocation",
    "max_backlog": "most requests waiting (end of a day)",
    "mean_utilisation": "mean utilisation (% of places)",
    "held": "sessions held",
    "held_within_window": "sessions held within the window",
    "stepped_down": "stepped down",
    "declined": "declines",
    "waiting_at_end": "waiting at the end",
}
"""Plain words (with units) for every measure."""

_RANGE = {"pct_allocated_by_deadline": (0.0, 100.0), "utilisation": (0.0, np.inf)}

_INTEGER = (
    "requests",
    "allocated",
    "allocated_by_deadline",
    "max_backlog",
    "held",
    "held_within_window",
    "stepped_down",
    "declined",
    "waiting_at_end",
)


def replications_frame(outcomes: Sequence[Outcome], seed: int) -> pd.DataFrame:
    """One row per scenario × replication, in scenario order then replication."""
    ordered = sorted(outcomes, key=lambda o: (o.order, o.replication))
    frame = pd.DataFrame(
        [
            {"scenario": o.scenario, "replication": o.replication, "seed": seed, **o.kpis}
            for o in ordered
        ],
        columns=list(COLUMNS),
    )
    return frame.astype({c: "int64" for c in ("replication", "seed", *_INTEGER)})


def daily_frame(outcomes: Sequence[Outcome], days: Mapping[str, Sequence[date]]) -> pd.DataFrame:
    """Day by day: scenario, replication, day (index), date, backlog, arrived, on_time.

    ``days`` gives each scenario's working days (its policy's calendar).
    """
    parts = []
    for o in sorted(outcomes, key=lambda o: (o.order, o.replication)):
        if o.daily is None:
            continue
        n = len(o.daily.backlog)
        parts.append(
            pd.DataFrame(
                {
                    "scenario": o.scenario,
                    "replication": o.replication,
                    "day": np.arange(n),
                    "date": pd.to_datetime(list(days[o.scenario][:n])),
                    "backlog": o.daily.backlog,
                    "arrived": o.daily.arrived,
                    "on_time": o.daily.on_time,
                }
            )
        )
    return (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(
            columns=["scenario", "replication", "day", "date", "backlog", "arrived", "on_time"]
        )
    )


def sector_frame(outcomes: Sequence[Outcome]) -> pd.DataFrame:
    """Per scenario, replication and sector: mean open JAGS, mean places and utilisation (%)."""
    rows = []
    for o in sorted(outcomes, key=lambda o: (o.order, o.replication)):
        if o.daily is None:
            continue
        load = o.daily.load.mean(axis=0)
        places = o.daily.capacity.mean(axis=0)
        for k, sector in enumerate(o.daily.sectors):
            if places[k] == 0 and load[k] == 0:
                continue
            rows.append(
                {
                    "scenario": o.scenario,
                    "replication": o.replication,
                    "sector": sector,
                    "open_load": float(load[k]),
                    "places": float(places[k]),
                    "utilisation": 100 * float(load[k] / places[k]) if places[k] else np.nan,
                }
            )
    return pd.DataFrame(
        rows, columns=["scenario", "replication", "sector", "open_load", "places", "utilisation"]
    )


def summarise(
    frame: pd.DataFrame,
    by: str | list[str] = "scenario",
    measures: Sequence[str] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Mean and confidence interval of each measure per group (tidy: one row per
    group and measure).

    Parameters
    ----------
    frame
        A tidy table with one row per replication.
    by
        The grouping column(s) (default ``"scenario"``), kept in order of
        first appearance.
    measures
        The columns to summarise (default: every KPI present).
    level
        Confidence level (default 0.95).

    Returns
    -------
    pandas.DataFrame
        Columns: the group column(s), ``measure``, ``n`` (replications with a
        value), ``mean``, ``std``, ``ci_low``, ``ci_high``. The interval is
        Student's t, kept inside what the measure can be (0–100 for a
        percentage, 0 or more for the rest); with one replication it is
        empty (NaN).
    """
    keys = [by] if isinstance(by, str) else list(by)
    measures = [m for m in (measures or KPI_COLUMNS) if m in frame.columns]
    long = frame.melt(id_vars=keys, value_vars=measures, var_name="measure")
    long["measure"] = pd.Categorical(long["measure"], categories=measures, ordered=True)
    grouped = long.groupby([*keys, "measure"], sort=False, observed=True)["value"]
    out = grouped.agg(n="count", mean="mean", std="std").reset_index()
    # Groups in order of first appearance (scenarios as in the file), then measures.
    order = [out[k].map({v: i for i, v in enumerate(pd.unique(frame[k]))}) for k in keys]
    out = (
        out.assign(**{f"_{k}": o for k, o in zip(keys, order, strict=True)})
        .sort_values([*(f"_{k}" for k in keys), "measure"], kind="stable")
        .drop(columns=[f"_{k}" for k in keys])
        .reset_index(drop=True)
    )
    half = stats.t.ppf((1 + level) / 2, out["n"] - 1) * out["std"] / np.sqrt(out["n"])
    low = out["measure"].map(lambda m: _RANGE.get(m, (0.0, np.inf))[0]).astype(float)
    high = out["measure"].map(lambda m: _RANGE.get(m, (0.0, np.inf))[1]).astype(float)
    out["ci_low"] = np.maximum(out["mean"] - half, low)
    out["ci_high"] = np.minimum(out["mean"] + half, high)
    out["measure"] = out["measure"].astype(str)
    return out


@dataclass(frozen=True)
class Results:
    """Everything a run measured.

    Attributes
    ----------
    replications
        One row per scenario × replication (:data:`COLUMNS`).
    daily
        With ``daily=True``: one row per scenario × replication × working day.
    sectors
        With ``daily=True``: utilisation per scenario × replication × sector.
    events
        With ``trace=True``: every request's journey, one row per event.
    """

    replications: pd.DataFrame
    daily: pd.DataFrame
    sectors: pd.DataFrame
    events: pd.DataFrame

    def summary(self, measures: Sequence[str] | None = None, level: float = 0.95) -> pd.DataFrame:
        """Mean and 95 % confidence interval of each measure per scenario."""
        return summarise(self.replications, "scenario", measures, level)


def frame_bytes(frame: pd.DataFrame, suffix: str) -> bytes:
    """A table as CSV (``.csv``) or Parquet (``.parquet``) bytes."""
    if suffix == ".csv":
        text: str = frame.to_csv(index=False, lineterminator="\n")
        return text.encode("utf-8")
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, engine="pyarrow")
    return buffer.getvalue()


def write_results(frame: pd.DataFrame, path: Path) -> Path:
    """Write a table to ``path`` (``.csv`` or ``.parquet``), all or nothing.

    Raises
    ------
    InputError
        When the file name ends in neither ``.csv`` nor ``.parquet``.
    """
    path = Path(path)
    suffix = path.suffix.casefold()
    if suffix not in (".csv", ".parquet"):
        raise InputError(f"--out: {path.name!r} must end in .csv or .parquet")
    return write_file(path, frame_bytes(frame, suffix))
