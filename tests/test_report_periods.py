"""Report periods and working days."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from ledger_scenario import POLICY

from jags.report.periods import Workdays, periods


def test_periods_are_clipped_months_then_the_whole() -> None:
    spans = periods(date(2026, 11, 20), date(2027, 1, 10))
    assert [(s.label, s.start, s.end) for s in spans] == [
        ("2026-11", date(2026, 11, 20), date(2026, 11, 30)),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
        ("2027-01", date(2027, 1, 1), date(2027, 1, 10)),
        ("all", date(2026, 11, 20), date(2027, 1, 10)),
    ]
    with pytest.raises(ValueError, match="ends before"):
        periods(date(2026, 2, 1), date(2026, 1, 1))


def test_working_days_use_the_closure_days() -> None:
    work = Workdays(POLICY)
    days = pd.Series(pd.to_datetime(["2026-12-30", "2026-12-24"]))
    assert work.add(days, 1).tolist() == [pd.Timestamp("2027-01-04"), pd.Timestamp("2026-12-29")]
    assert work.between(days, pd.Series(pd.to_datetime(["2027-01-04", "2026-12-23"]))).tolist() == [
        1.0,
        0.0,
    ]
