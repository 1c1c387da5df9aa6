"""Tests for :mod:`jags.report.journeys`: the ledger as of a day, each request's milestones
and each allocation's contact spell, on the hand-made ledger (tests/ledger_scenario.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from ledger_scenario import END, scenario_data

from jags.report.journeys import as_of, contact_spells, journeys
from jags.report.query import LedgerData


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> LedgerData:
    return scenario_data(tmp_path_factory.mktemp("scenario"))


def test_the_ledger_is_read_as_of_a_day(data: LedgerData) -> None:
    requests, events = as_of(data, date(2026, 12, 31))
    assert "R6" not in set(requests["request_id"])
    assert events["on"].max() <= pd.Timestamp("2026-12-31")


def test_a_declined_request_has_two_contact_spells(data: LedgerData) -> None:
    requests, events = as_of(data, END)
    jobs = journeys(requests, events).set_index("request_id")
    # R4: F1 14 Dec, declined 15 Dec; F2 16 Dec, contacted 4 Jan, stepped down 5 Jan.
    assert jobs.loc["R4", "declines"] == 1
    assert jobs.loc["R4", "first_allocated_on"] == pd.Timestamp("2026-12-14")
    assert jobs.loc["R4", "end_event"] == "stepped_down"
    spells = contact_spells(events).set_index("unit")
    assert spells.loc["R4#1", "ended_on"] == pd.Timestamp("2026-12-15")
    assert pd.isna(spells.loc["R4#1", "contacted_on"])
    assert spells.loc["R4#2", "contacted_on"] == pd.Timestamp("2027-01-04")
