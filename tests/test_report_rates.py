"""Tests for :mod:`jags.report.rates`: which units each rate or share KPI counts, and a
row for every KPI and period (the values are checked by hand through
:func:`jags.report.kpis.compute` in tests/test_report_kpis.py)."""

from __future__ import annotations

import pandas as pd
import pytest
from ledger_scenario import END, START, scenario_data

from jags.report.definitions import RATES, SHARES
from jags.report.journeys import as_of, contact_spells, journeys
from jags.report.periods import Workdays, periods
from jags.report.query import LedgerData
from jags.report.rates import observations, rate_table


@pytest.fixture(scope="module")
def obs(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    data: LedgerData = scenario_data(tmp_path_factory.mktemp("scenario"))
    requests, events = as_of(data, END)
    jobs = journeys(requests, events)
    return observations(jobs, contact_spells(events), Workdays(data.policy), data.policy)


def test_units_that_ended_before_they_were_due_are_left_out(obs: pd.DataFrame) -> None:
    units = obs.groupby("kpi")["unit"].agg(set)
    # R5 was cancelled before its allocate-by date without an allocation; R6 is still open
    # (due 3 Feb, after the period: it counts in no period of this report).
    assert units["allocated_by_deadline"] == {"R1", "R2", "R3", "R4", "R6"}
    # R4's first allocation was declined before its contact was due; its second counts.
    assert units["contacted_within_target"] == {"R3#1", "R4#2", "R1#1", "R2#1"}


def test_the_rate_table_has_every_kpi_for_every_period(obs: pd.DataFrame) -> None:
    table = rate_table(obs, periods(START, END))
    assert list(zip(table["kpi"], table["period"], strict=True)) == [
        (k, p) for k in (*RATES, *SHARES) for p in ("2026-12", "2027-01", "all")
    ]
    quiet = table[(table["kpi"] == "allocated_by_deadline") & (table["period"] == "2027-01")]
    assert quiet[["numerator", "denominator"]].to_numpy().tolist() == [[0.0, 0.0]]
    assert quiet["value"].isna().all()
