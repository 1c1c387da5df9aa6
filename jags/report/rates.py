"""The rate and share KPIs: the units each one counts, met or not, tallied by period."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from jags.report.definitions import RATES, SHARES
from jags.report.periods import in_periods

if TYPE_CHECKING:
    from allocator import Policy
    from jags.report.periods import Period, Workdays


def observations(
    jobs: pd.DataFrame, spells: pd.DataFrame, work: Workdays, policy: Policy
) -> pd.DataFrame:
    """Every unit each rate or share KPI counts, tidy.

    Columns: ``kpi``, ``unit``, ``due`` and ``done`` (the dates that put the unit
    in a period: it counts in every period holding either), ``met``.
    """
    frames = []
    due = jobs["allocate_by"]
    done = jobs["first_allocated_on"]
    dropped = done.isna() & jobs["end_on"].notna() & (jobs["end_on"] <= due)
    frames.append(
        _obs(
            "allocated_by_deadline",
            jobs["request_id"],
            due,
            done,
            done.notna() & (done <= due),
            ~dropped,
        )
    )
    contact_due = work.add(spells["allocated_on"], policy.contact_days)
    contacted = spells["contacted_on"]
    dropped = contacted.isna() & spells["ended_on"].notna() & (spells["ended_on"] <= contact_due)
    frames.append(
        _obs(
            "contacted_within_target",
            spells["unit"],
            contact_due,
            contacted,
            contacted.notna() & (contacted <= contact_due),
            ~dropped,
        )
    )
    opens = work.add(jobs["confirmed_on"], policy.window_first_day)
    closes = work.add(jobs["confirmed_on"], policy.window_last_day)
    held = jobs["held_on"].where(jobs["confirmed_on"].notna())
    dropped = held.isna() & jobs["end_on"].notna() & (jobs["end_on"] <= closes)
    frames.append(
        _obs(
            "held_within_window",
            jobs["request_id"],
            closes,
            held,
            held.notna() & (held >= opens) & (held <= closes),
            jobs["confirmed_on"].notna() & ~dropped,
        )
    )
    never = pd.Series(pd.NaT, index=jobs.index, dtype="datetime64[ns]")
    for kpi in ("stepped_down", "cancelled"):
        frames.append(
            _obs(
                kpi,
                jobs["request_id"],
                never,
                jobs["end_on"],
                jobs["end_event"] == kpi,
                jobs["end_on"].notna(),
            )
        )
    frames.append(
        _obs(
            "reallocated",
            jobs["request_id"],
            never,
            jobs["first_allocated_on"],
            jobs["declines"] > 0,
            jobs["first_allocated_on"].notna(),
        )
    )
    return pd.concat(frames, ignore_index=True)


def _obs(
    kpi: str, unit: pd.Series, due: pd.Series, done: pd.Series, met: pd.Series, keep: pd.Series
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "kpi": kpi,
            "unit": unit.astype(str),
            "due": pd.to_datetime(due),
            "done": pd.to_datetime(done),
            "met": met.fillna(False).astype(bool),
        }
    )
    return frame[keep.fillna(False).astype(bool).to_numpy()]


def rate_table(obs: pd.DataFrame, spans: list[Period]) -> pd.DataFrame:
    """Numerator (units met), denominator (units) and value per KPI and period."""
    long = in_periods(obs, ["kpi", "unit", "met"], ["due", "done"], spans)
    counted = long.groupby(["kpi", "period"], sort=False).agg(
        numerator=("met", "sum"), denominator=("met", "size")
    )
    table = _complete(counted, [*RATES, *SHARES], spans)
    table["value"] = table["numerator"] / table["denominator"].where(table["denominator"] > 0)
    return table


def _complete(counted: pd.DataFrame, kpis: list[str], spans: list[Period]) -> pd.DataFrame:
    """Every KPI × period, zero where nothing counted."""
    index = pd.MultiIndex.from_product([kpis, [s.label for s in spans]], names=["kpi", "period"])
    return counted.reindex(index, fill_value=0).astype(float).reset_index()
