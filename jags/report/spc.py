"""XmR process limits and special-cause rules, as in NHS England's "Making Data Count".

An XmR (individuals and moving range) chart puts the process limits at the
mean ± 2.66 × the mean moving range (three sigma, with sigma estimated as the
mean moving range ÷ 1.128). A point is *special cause* when any of these
holds (Making Data Count's rules):

1. ``outside``: the point is beyond a process limit;
2. ``shift``: it is one of a run of 7 or more consecutive points all above, or
   all below, the mean (a point on the mean breaks the run);
3. ``trend``: it is one of a run of 7 or more consecutive points each higher
   than the one before, or each lower;
4. ``two_of_three``: it is one of 2 out of 3 consecutive points on the same
   side beyond two sigma (in the outer third between the mean and a limit).

With fewer than 12 points the limits are *trial* limits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LIMIT_FACTOR = 2.66
"""Process limits: mean ± this × mean moving range (3 / 1.128)."""
RUN = 7
"""Points in a shift or a trend."""
TRIAL_BELOW = 12
"""Fewer points than this give trial limits."""
RULES = ("outside", "shift", "trend", "two_of_three")
RULE_WORDS = {
    "outside": "beyond a process limit",
    "shift": "run of 7 on one side of the mean",
    "trend": "run of 7 rising or falling",
    "two_of_three": "2 of 3 near a limit",
}


@dataclass(frozen=True)
class XmR:
    """Limits and signals of one series.

    Attributes
    ----------
    mean, lower, upper
        Centre line and process limits (``nan`` with fewer than 2 points).
    trial
        Fewer than :data:`TRIAL_BELOW` points.
    signals
        For each point, the rules it breaks (empty tuple: common cause).
    """

    mean: float
    lower: float
    upper: float
    trial: bool
    signals: tuple[tuple[str, ...], ...]

    def special(self, i: int) -> bool:
        """Whether point ``i`` is special cause."""
        return bool(self.signals[i])


def xmr(values: list[float] | np.ndarray) -> XmR:
    """XmR limits and Making Data Count's special-cause rules for a series.

    Parameters
    ----------
    values
        The points in time order (no missing values).

    Returns
    -------
    XmR
        Mean, limits, whether they are trial limits, and each point's signals.
    """
    x = np.asarray(values, dtype=float)
    n = len(x)
    if n == 0:
        return XmR(float("nan"), float("nan"), float("nan"), True, ())
    mean = float(x.mean())
    if n < 2:
        return XmR(mean, float("nan"), float("nan"), True, ((),))
    mr = float(np.abs(np.diff(x)).mean())
    lower, upper = mean - LIMIT_FACTOR * mr, mean + LIMIT_FACTOR * mr
    two_sigma = 2 / 3 * LIMIT_FACTOR * mr
    hits: list[set[str]] = [set() for _ in range(n)]
    for i in range(n):
        if x[i] > upper or x[i] < lower:
            hits[i].add("outside")
    _runs(np.sign(x - mean), RUN, "shift", hits, zero_breaks=True)
    _runs(np.sign(np.diff(x)), RUN - 1, "trend", hits, zero_breaks=True, offset=1)
    for side in (1, -1):
        near = side * (x - mean) > two_sigma
        for i in range(n - 2):
            window = near[i : i + 3]
            if window.sum() >= 2:
                for j in range(i, i + 3):
                    if near[j]:
                        hits[j].add("two_of_three")
    signals = tuple(tuple(r for r in RULES if r in h) for h in hits)
    return XmR(mean, lower, upper, n < TRIAL_BELOW, signals)


def _runs(
    signs: np.ndarray,
    length: int,
    rule: str,
    hits: list[set[str]],
    *,
    zero_breaks: bool,
    offset: int = 0,
) -> None:
    """Mark every point in a run of ``length`` or more equal non-zero signs.

    ``offset`` 1 means ``signs`` are steps between points: a run of k steps
    covers k + 1 points.
    """
    start = 0
    for i in range(1, len(signs) + 1):
        if i < len(signs) and signs[i] == signs[start] and (signs[i] != 0 or not zero_breaks):
            continue
        if signs[start] != 0 and i - start >= length:
            for j in range(start, i + offset):
                hits[j].add(rule)
        start = i
