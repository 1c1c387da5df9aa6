"""Tests for :mod:`jags.report.spc`: XmR limits and Making Data Count's special-cause rules."""

from __future__ import annotations

import math

import pytest

from jags.report.spc import LIMIT_FACTOR, xmr


def test_limits_are_the_mean_plus_minus_2_66_mean_moving_ranges() -> None:
    limits = xmr([10, 12, 11, 13, 12])
    assert limits.mean == pytest.approx(11.6)
    # moving ranges 2, 1, 2, 1: mean 1.5
    assert limits.upper == pytest.approx(11.6 + LIMIT_FACTOR * 1.5)
    assert limits.lower == pytest.approx(11.6 - LIMIT_FACTOR * 1.5)
    assert limits.trial
    assert not any(limits.signals)


def test_twelve_points_are_no_longer_trial_limits() -> None:
    assert xmr([1.0, 2.0] * 5 + [1.0]).trial  # 11 points
    assert not xmr([1.0, 2.0] * 6).trial


def test_a_point_beyond_a_limit() -> None:
    limits = xmr([10, 10.5, 10, 10.5, 10, 10.5, 10, 20])
    assert "outside" in limits.signals[-1]
    assert not any("outside" in s for s in limits.signals[:-1])


def test_a_shift_of_seven_on_one_side() -> None:
    values = [6, 4, 6, 4, 6, 4, 5.5, 5.6, 5.5, 5.6, 5.5, 5.6, 5.5]
    limits = xmr(values)
    shifted = [i for i, s in enumerate(limits.signals) if "shift" in s]
    assert shifted == list(range(6, 13))
    six = xmr(values[:-1])  # only six above the mean: no shift
    assert not any("shift" in s for s in six.signals)


def test_a_trend_of_seven_points() -> None:
    limits = xmr([5, 3, 4, 5, 6, 7, 8, 9, 4])
    trend = [i for i, s in enumerate(limits.signals) if "trend" in s]
    assert trend == list(range(1, 8))  # 3 → 9: seven points, six rises
    assert not any("trend" in s for s in xmr([5, 3, 4, 5, 6, 7, 8, 4]).signals)


def test_two_of_three_beyond_two_sigma_on_one_side() -> None:
    base = [10.0, 11.0] * 10
    limits = xmr([*base, 12.9, 11.0, 12.9])
    two_sigma = limits.mean + (limits.upper - limits.mean) * 2 / 3
    assert two_sigma < 12.9 < limits.upper
    flagged = [i for i, s in enumerate(limits.signals) if "two_of_three" in s]
    assert flagged == [20, 22]


def test_short_series() -> None:
    assert math.isnan(xmr([]).mean)
    one = xmr([3.0])
    assert one.mean == 3.0 and math.isnan(one.upper) and one.signals == ((),)
