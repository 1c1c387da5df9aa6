"""Tests for :mod:`jags.report.measures`: the nearest-rank percentile (the measures
themselves are checked by hand through :func:`jags.report.kpis.compute` in
tests/test_report_kpis.py)."""

from __future__ import annotations

import math

import pandas as pd

from jags.report.measures import nearest_rank


def test_nearest_rank() -> None:
    values = pd.Series([5, 1, 3, 2, 4, 6, 7, 8, 9, 10])
    assert nearest_rank(values, 0.9) == 9  # ceil(9.0) = 9th of 10
    assert nearest_rank(pd.Series([4.0]), 0.9) == 4
    assert math.isnan(nearest_rank(pd.Series([], dtype=float), 0.9))
