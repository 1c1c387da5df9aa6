"""Delays drawn by inverse transform: every value reachable, the right shape, and the
same uniform number giving the same delay (common random numbers)."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError
from scipy import stats

from jags.scenarios.dists import (
    Delay,
    Empirical,
    Fixed,
    Poisson,
    Triangular,
    Uniform,
    poisson_quantile,
)

GRID = (np.arange(100_000) + 0.5) / 100_000  # evenly spread uniform numbers


def _shares(dist: Fixed | Uniform | Triangular | Poisson | Empirical) -> dict[int, float]:
    values, counts = np.unique([dist.draw(float(u)) for u in GRID], return_counts=True)
    return {int(v): c / len(GRID) for v, c in zip(values, counts, strict=True)}


def test_uniform_gives_each_whole_day_from_low_to_high_equally_often() -> None:
    shares = _shares(Uniform(dist="uniform", low=1, high=5))
    assert sorted(shares) == [1, 2, 3, 4, 5]
    assert all(abs(s - 0.2) < 1e-3 for s in shares.values())
    assert Uniform(dist="uniform", low=3, high=3).draw(0.999) == 3


def test_fixed_ignores_the_uniform_number() -> None:
    assert {Fixed(value=4).draw(u) for u in (0.0, 0.5, 0.999)} == {4}


def test_poisson_quantile_matches_scipy() -> None:
    for mean in (0.3, 1.0, 2.5, 12.0):
        for u in (0.01, 0.3, 0.5, 0.9, 0.999):
            assert poisson_quantile(u, mean) == int(stats.poisson.ppf(u, mean)), (u, mean)
        assert poisson_quantile(0.0, mean) == 0  # SciPy says -1 here, by its convention
    assert poisson_quantile(0.7, 0.0) == 0


def test_poisson_delay_is_shifted_by_low_and_has_its_mean() -> None:
    dist = Poisson(dist="poisson", mean=4.0, low=1)
    values = [dist.draw(float(u)) for u in GRID]
    assert min(values) == 1
    assert abs(np.mean(values) - 4.0) < 0.01


def test_triangular_stays_in_range_and_peaks_at_the_mode() -> None:
    shares = _shares(Triangular(dist="triangular", low=2, mode=3, high=8))
    assert min(shares) == 2 and max(shares) == 8
    assert max(shares, key=lambda k: shares[k]) == 3


def test_empirical_follows_its_weights() -> None:
    shares = _shares(Empirical(dist="empirical", values=(1, 2, 10), weights=(1, 1, 2)))
    assert shares == pytest.approx({1: 0.25, 2: 0.25, 10: 0.5}, abs=1e-3)


def test_the_same_uniform_number_moves_the_delay_monotonically() -> None:
    """Two scenarios with different delays read the same uniform numbers, so a
    longer distribution never gives a shorter delay for the same draw."""
    short, long = Uniform(dist="uniform", low=1, high=5), Uniform(dist="uniform", low=3, high=9)
    assert all(short.draw(float(u)) <= long.draw(float(u)) for u in GRID[::97])


@pytest.mark.parametrize(
    "table",
    [
        {"dist": "uniform", "low": 5, "high": 1},
        {"dist": "triangular", "low": 1, "mode": 9, "high": 5},
        {"dist": "poisson", "mean": 2, "low": 3},
        {"dist": "empirical", "values": [1, 2], "weights": [1]},
        {"dist": "empirical", "values": [-1]},
        {"dist": "gamma", "shape": 2},
    ],
)
def test_impossible_distributions_are_refused(table: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Delay).validate_python(table)


def test_every_delay_knows_its_mean_and_longest_value() -> None:
    cases = [
        (Fixed(value=4), 4.0, 4),
        (Uniform(dist="uniform", low=1, high=5), 3.0, 5),
        (Empirical(dist="empirical", values=(1, 3), weights=(3.0, 1.0)), 1.5, 3),
        (Empirical(dist="empirical", values=(2, 4)), 3.0, 4),
    ]
    for dist, mean, highest in cases:
        assert dist.mean == pytest.approx(mean)
        assert dist.highest == highest
        drawn = [dist.draw(float(u)) for u in GRID[::100]]
        assert max(drawn) <= highest and abs(float(np.mean(drawn)) - mean) < 0.05
    triangle = Triangular(dist="triangular", low=1, mode=2, high=6)
    assert triangle.mean == pytest.approx(3.0) and triangle.highest >= 6
    poisson = Poisson(dist="poisson", mean=3.0)
    assert poisson.mean == pytest.approx(3.0) and poisson.highest >= 10


def test_a_very_large_poisson_mean_uses_the_normal_approximation() -> None:
    assert abs(poisson_quantile(0.5, 10_000) - 10_000) <= 1
    for u in (0.01, 0.9, 0.99):  # close to the exact quantile
        assert abs(poisson_quantile(u, 10_000) - stats.poisson.ppf(u, 10_000)) <= 2
    assert poisson_quantile(0.3, 0) == 0
