"""Report periods (calendar months clipped to the report's dates, and the whole period)
and working days counted with the policy's calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from allocator.workdays import WorkingCalendar

if TYPE_CHECKING:
    from collections.abc import Callable

    from allocator import Policy

ALL = "all"
ENDINGS = ("held", "stepped_down", "cancelled")
"""Events that end a request's open life."""


@dataclass(frozen=True)
class Period:
    """A calendar month clipped to the report's dates, or the whole period (``all``)."""

    label: str
    start: date
    end: date


def periods(start: date, end: date) -> list[Period]:
    """Each month from ``start`` to ``end`` (clipped), then the whole period.

    Raises
    ------
    ValueError
        When ``end`` is before ``start``.
    """
    if end < start:
        raise ValueError("the period ends before it starts")
    out: list[Period] = []
    month = start.replace(day=1)
    while month <= end:
        following = (month + timedelta(days=32)).replace(day=1)
        out.append(
            Period(
                month.strftime("%Y-%m"), max(month, start), min(following - timedelta(days=1), end)
            )
        )
        month = following
    out.append(Period(ALL, start, end))
    return out


class Workdays:
    """The policy's working-day arithmetic on pandas columns (cached per date).

    Parameters
    ----------
    policy
        Its ``closure_days`` join the England and Wales bank holidays.
    """

    def __init__(self, policy: Policy) -> None:
        self.calendar = WorkingCalendar.for_policy(policy)
        self._add: Callable[[date, int], date] = cache(self.calendar.add_working_days)
        self._between: Callable[[date, date], int] = cache(self.calendar.working_days_between)

    def add(self, days: pd.Series, n: int) -> pd.Series:
        """Each date + ``n`` working days (``NaT`` stays ``NaT``)."""
        return days.map(lambda d: pd.NaT if pd.isna(d) else pd.Timestamp(self._add(d.date(), n)))

    def between(self, start: pd.Series, end: pd.Series) -> pd.Series:
        """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``;
        ``NaN`` when either is missing)."""
        return pd.Series(
            [
                np.nan if pd.isna(a) or pd.isna(b) else float(self._between(a.date(), b.date()))
                for a, b in zip(start, end, strict=True)
            ],
            index=start.index,
            dtype=float,
        )

    def days(self, start: date, end: date) -> list[date]:
        """The working days from ``start`` to ``end``, both included."""
        return list(self.calendar.working_days(start, end))


def in_periods(
    frame: pd.DataFrame, keys: list[str], dates: list[str], spans: list[Period]
) -> pd.DataFrame:
    """``frame`` long: one row per (row, period) its ``dates`` fall in (each period once)."""
    long = (
        frame.melt(id_vars=keys, value_vars=dates, value_name="_on")
        .dropna(subset=["_on"])
        .drop(columns="variable")
    )
    parts = []
    for span in spans:  # a handful of months: every date in them, each period once
        inside = long[
            (long["_on"] >= pd.Timestamp(span.start)) & (long["_on"] <= pd.Timestamp(span.end))
        ]
        parts.append(inside.drop_duplicates(keys).assign(period=span.label))
    return pd.concat(parts, ignore_index=True).drop(columns="_on")
