"""Delays in working days: a fixed number or a distribution, drawn by inverse transform.

Every draw turns one uniform number in ``[0, 1)`` into a whole number of
working days. Drawing by inverse transform (rather than with a generator's
own ``integers`` or ``poisson``) keeps common random numbers across
scenarios: the same uniform gives the same or a neighbouring delay when a
scenario changes the distribution, so differences between scenarios are the
scenarios', not noise.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Delay", "Empirical", "Fixed", "Poisson", "Triangular", "Uniform", "as_delay"]


class _Dist(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Fixed(_Dist):
    """Always ``value`` working days (a plain number in a scenario file)."""

    dist: Literal["fixed"] = "fixed"
    value: int = Field(ge=0)

    def draw(self, u: float) -> int:
        """``value``, whatever ``u``."""
        return self.value

    @property
    def mean(self) -> float:
        return float(self.value)

    @property
    def highest(self) -> int:
        return self.value


class Uniform(_Dist):
    """Each whole number of working days from ``low`` to ``high`` (inclusive) equally likely."""

    dist: Literal["uniform"]
    low: int = Field(ge=0)
    high: int = Field(ge=0)

    @model_validator(mode="after")
    def _order(self) -> Self:
        if self.high < self.low:
            raise ValueError("high is below low")
        return self

    def draw(self, u: float) -> int:
        """The delay for uniform number ``u`` in ``[0, 1)``."""
        return self.low + min(int(u * (self.high - self.low + 1)), self.high - self.low)

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    @property
    def highest(self) -> int:
        return self.high


class Triangular(_Dist):
    """Triangular from ``low`` to ``high`` with its peak at ``mode``, rounded to whole days."""

    dist: Literal["triangular"]
    low: float = Field(ge=0)
    mode: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _order(self) -> Self:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError("needs low <= mode <= high and low < high")
        return self

    def draw(self, u: float) -> int:
        """The delay for uniform number ``u`` in ``[0, 1)``."""
        lo, mode, hi = self.low, self.mode, self.high
        split = (mode - lo) / (hi - lo)
        if u < split:
            x = lo + math.sqrt(u * (hi - lo) * (mode - lo))
        else:
            x = hi - math.sqrt((1 - u) * (hi - lo) * (hi - mode))
        return round(x)

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    @property
    def highest(self) -> int:
        return round(self.high)


class Poisson(_Dist):
    """``low`` plus a Poisson number of working days with mean ``mean - low``."""

    dist: Literal["poisson"]
    mean_days: float = Field(gt=0, alias="mean")
    low: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _order(self) -> Self:
        if self.mean_days <= self.low:
            raise ValueError("mean must be above low")
        return self

    def draw(self, u: float) -> int:
        """The delay for uniform number ``u`` in ``[0, 1)``."""
        return self.low + poisson_quantile(u, self.mean_days - self.low)

    @property
    def mean(self) -> float:
        return self.mean_days

    @property
    def highest(self) -> int:
        return self.low + poisson_quantile(0.999, self.mean_days - self.low)


class Empirical(_Dist):
    """One of ``values`` with the given ``weights`` (default: equally likely)."""

    dist: Literal["empirical"]
    values: tuple[int, ...] = Field(min_length=1)
    weights: tuple[float, ...] | None = None

    @model_validator(mode="after")
    def _weights(self) -> Self:
        if any(v < 0 for v in self.values):
            raise ValueError("values must be 0 or more")
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError("needs one weight per value")
            if any(w < 0 for w in self.weights) or sum(self.weights) <= 0:
                raise ValueError("weights must be 0 or more and not all 0")
        return self

    def _cumulative(self) -> list[float]:
        weights = self.weights or (1.0,) * len(self.values)
        total = sum(weights)
        running, out = 0.0, []
        for w in weights:
            running += w
            out.append(running / total)
        return out

    def draw(self, u: float) -> int:
        """The delay for uniform number ``u`` in ``[0, 1)``."""
        for value, edge in zip(self.values, self._cumulative(), strict=True):
            if u < edge:
                return value
        return self.values[-1]

    @property
    def mean(self) -> float:
        weights = self.weights or (1.0,) * len(self.values)
        return sum(v * w for v, w in zip(self.values, weights, strict=True)) / sum(weights)

    @property
    def highest(self) -> int:
        return max(self.values)


Delay = Annotated[Fixed | Uniform | Triangular | Poisson | Empirical, Field(discriminator="dist")]
"""A delay in working days: ``{dist = "uniform", low = 1, high = 5}`` and the like."""


def as_delay(value: object) -> object:
    """Read a plain whole number as :class:`Fixed` (for a pydantic ``before`` validator)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return {"dist": "fixed", "value": value}
    return value


def poisson_quantile(u: float, mean: float) -> int:
    """The smallest ``k`` with P(X <= k) > ``u`` for X ~ Poisson(``mean``).

    Parameters
    ----------
    u
        A probability in ``[0, 1)``.
    mean
        The Poisson mean (``>= 0``; 0 always gives 0).
    """
    if mean <= 0:
        return 0
    if mean > 500:  # normal approximation far in the tail of what a partnership sees
        from statistics import NormalDist

        return max(0, round(NormalDist(mean, math.sqrt(mean)).inv_cdf(min(u, 1 - 1e-12))))
    k = 0
    term = math.exp(-mean)
    total = term
    while total <= u and term > 0:
        k += 1
        term *= mean / k
        total += term
    return k
