"""Tests for :mod:`jags.report.run_charts`: a run chart's title states the finding."""

from __future__ import annotations

import pytest
from ledger_scenario import END, START, scenario_data

from jags.report.kpis import compute
from jags.report.markup import View
from jags.report.run_charts import run_section

ORGS = {"Gamma School": "Education"}


@pytest.fixture(scope="module")
def view(tmp_path_factory: pytest.TempPathFactory) -> View:
    data = scenario_data(tmp_path_factory.mktemp("scenario"))
    return View.of(compute(data, START, END, organisations=ORGS), publish=False)


def test_titles_state_the_findings(view: View) -> None:
    assert (
        "Allocated by the allocate-by date: 75% over the period (3 of 4), missing the 90% target"
    ) in run_section(view, "allocated_by_deadline")
