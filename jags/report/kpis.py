"""The KPI table: every KPI by month and for the whole period, as pure functions of the ledger.

Every KPI is computed the same way for each calendar month of the period
(clipped to ``--from`` and ``--to``) and for the whole period (``all``). The
ledger is read *as of* the period's last day: events after it are ignored,
so a report for a past period is the same whenever it is run. Working days
use the policy's calendar (:class:`allocator.workdays.WorkingCalendar`:
Monday–Friday, not a bank holiday in England and Wales, not a closure day),
and day 0 is the allocator's (the day received, or the next working day when
received on a non-working day or at/after the cut-off). Only requests from
the form count (history rows imported at ``jags init`` have no day 0), except
in utilisation, which counts every allocation.

See :data:`jags.report.definitions.DEFINITIONS` for each KPI in words (the README
repeats them). The request journeys come from :mod:`jags.report.journeys`, the rates and
shares from :mod:`jags.report.rates` and the other measures from
:mod:`jags.report.measures`; :func:`compute` puts them in one table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from jags.report.definitions import RATES
from jags.report.journeys import as_of, contact_spells, journeys
from jags.report.measures import (
    backlog_rows,
    duration_table,
    feedback_rows,
    pool_rows,
    received_rows,
    utilisation_rows,
)
from jags.report.periods import Period, Workdays, periods
from jags.report.rates import observations, rate_table
from jags.report.tables import (
    backlog,
    confidence,
    feedback_frame,
    pool,
    received,
    sector_lookup,
    themes,
    utilisation,
)

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date

    from allocator import Policy
    from jags.report.query import LedgerData

KPI_COLUMNS = ("kpi", "period", "numerator", "denominator", "value", "target")
DEFAULT_RATE_TARGET = 0.9
"""Default target share for the three timeliness measures (``--target`` changes it)."""


@dataclass(frozen=True)
class Targets:
    """Targets for the KPI table and the run charts.

    Attributes
    ----------
    rates
        Target share for each timeliness KPI (default :data:`DEFAULT_RATE_TARGET`).
    """

    rates: Mapping[str, float] = field(
        default_factory=lambda: dict.fromkeys(RATES, DEFAULT_RATE_TARGET)
    )

    def of(self, kpi: str, policy: Policy) -> float | None:
        """The target of ``kpi``: a share, or working days from the policy."""
        if kpi in self.rates:
            return self.rates[kpi]
        if kpi.endswith("working_days_to_allocation"):
            return float(policy.allocate_within_days)
        if kpi.endswith("working_days_confirmation_to_held"):
            return float(policy.window_last_day)
        return None


@dataclass(frozen=True)
class Results:
    """Everything the report shows, computed from the ledger as of ``end``."""

    start: date
    end: date
    spans: list[Period]
    kpis: pd.DataFrame
    backlog: pd.DataFrame
    received: pd.DataFrame
    pool: pd.DataFrame
    utilisation: pd.DataFrame
    themes: pd.DataFrame
    confidence: pd.DataFrame
    feedback: pd.DataFrame


def compute(
    data: LedgerData,
    start: date,
    end: date,
    *,
    organisations: Mapping[str, str] | None = None,
    targets: Targets | None = None,
) -> Results:
    """All the KPIs from ``start`` to ``end`` (both included), by month and overall.

    Parameters
    ----------
    data
        The ledger's tables (:func:`jags.report.query.read_ledger`).
    start, end
        The report's first and last day; the ledger is read as of ``end``.
    organisations
        Organisation → sector from organisations.csv (default none: the facilitators'
        own organisations only).
    targets
        Default :class:`Targets` ().
    """
    targets = targets or Targets()
    spans = periods(start, end)
    work = Workdays(data.policy)
    requests, events = as_of(data, end)
    jobs = journeys(requests, events)
    spells = contact_spells(events)
    obs = observations(jobs, spells, work, data.policy)
    rates = rate_table(obs, spans)
    durations = duration_table(jobs, work, spans)
    open_backlog = backlog(requests, events, work, spans)
    lookup = sector_lookup(data, organisations or {})
    got = received(requests, lookup, spans)
    places = pool(data.facilitators, spans)
    daily = utilisation(data.allocations, data.facilitators, work, start, end)
    fb = feedback_frame(jobs, data.feedback, end)
    theme_counts = themes(fb, spans)
    scores = confidence(fb, spans)
    rows = [
        rates,
        durations,
        backlog_rows(open_backlog),
        received_rows(got, spans),
        pool_rows(places),
        utilisation_rows(daily, spans),
        feedback_rows(fb, theme_counts, scores, spans),
    ]
    table = pd.concat([r for r in rows if not r.empty], ignore_index=True)
    table["target"] = table["kpi"].map(lambda k: targets.of(k, data.policy))
    order = {s.label: i for i, s in enumerate(spans)}
    table = (
        table.assign(_p=table["period"].map(order))
        .sort_values(["_p"], kind="stable")
        .drop(columns="_p")
    )
    table = _kpi_order(table)
    return Results(
        start,
        end,
        spans,
        table[list(KPI_COLUMNS)],
        open_backlog,
        got,
        places,
        daily,
        theme_counts,
        scores,
        fb,
    )


def _kpi_order(table: pd.DataFrame) -> pd.DataFrame:
    """KPIs in a stable order: the headline ones first, each with its periods in order."""
    names = list(dict.fromkeys(table["kpi"]))
    rank = {k: i for i, k in enumerate(names)}
    return (
        table.assign(_k=table["kpi"].map(rank))
        .sort_values("_k", kind="stable")
        .drop(columns="_k")
        .reset_index(drop=True)
    )
