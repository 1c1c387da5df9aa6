"""Tests for :mod:`jags.report.sections`: each chart's title states the finding."""

from __future__ import annotations

import pytest
from ledger_scenario import END, START, scenario_data

from jags.report.kpis import compute
from jags.report.markup import View
from jags.report.sections import backlog_section, confidence_section, sector_section, themes_section

ORGS = {"Gamma School": "Education"}


@pytest.fixture(scope="module")
def view(tmp_path_factory: pytest.TempPathFactory) -> View:
    data = scenario_data(tmp_path_factory.mktemp("scenario"))
    return View.of(compute(data, START, END, organisations=ORGS), publish=False)


def test_titles_state_the_findings(view: View) -> None:
    assert "2 requests open on 31 January 2027; 1 of them more than 10 working days" in (
        backlog_section(view)
    )
    assert "The theme named most often was “Drift” (2 sessions)" in themes_section(view)
    assert "Confidence rose by a median of 2 points" in confidence_section(view)
    assert "Education made 83% of the period" in sector_section(view)
