"""Tests for :mod:`jags.report.kpis`: the KPI table holds the values computed by hand on a
small ledger with known dates (bank holidays, a closure day, requests received at and after
the cut-off), built through the real ledger operations (tests/ledger_scenario.py)."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from ledger_scenario import END, POLICY, START, scenario_data

from jags.report.definitions import RATES
from jags.report.kpis import Results, Targets, compute
from jags.report.query import LedgerData

DEC, JAN = "2026-12", "2027-01"
ORGS = {"Gamma School": "Education", "Alpha Trust": "Health", "Beta Constabulary": "Police"}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> LedgerData:
    return scenario_data(tmp_path_factory.mktemp("scenario"))


@pytest.fixture(scope="module")
def results(data: LedgerData) -> Results:
    return compute(data, START, END, organisations=ORGS)


def kpi(results: Results, name: str, period: str) -> tuple[float, float, float]:
    row = results.kpis[(results.kpis["kpi"] == name) & (results.kpis["period"] == period)]
    assert len(row) == 1, (name, period)
    return tuple(float(row[c].iloc[0]) for c in ("numerator", "denominator", "value"))  # type: ignore[return-value]


def same(got: tuple[float, ...], want: tuple[float, ...]) -> bool:
    return all(
        (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b)
        for a, b in zip(got, want, strict=True)
    )


NAN = float("nan")


def test_day_zero_and_allocate_by_follow_the_allocator(data: LedgerData) -> None:
    rows = data.requests.set_index("request_id")
    # R1 arrived at 17:30 on Wed 23 Dec (after the cut-off): day 0 Thu 24 Dec; +2 working
    # days skips Fri 25 (Christmas) and Mon 28 (Boxing Day moved): Tue 29, Wed 30.
    assert rows.loc["R1", "day_zero"] == pd.Timestamp("2026-12-24")
    assert rows.loc["R1", "allocate_by"] == pd.Timestamp("2026-12-30")
    # R5 arrived exactly at 17:00 on a Friday: day 0 is the next Monday.
    assert rows.loc["R5", "day_zero"] == pd.Timestamp("2026-12-14")
    # R4 at 16:59 on Thursday counts from that day: allocate by Fri 11 + Mon 14.
    assert rows.loc["R4", "allocate_by"] == pd.Timestamp("2026-12-14")
    assert rows.loc["R6", "day_zero"] == pd.Timestamp("2027-02-01")


@pytest.mark.parametrize(
    ("name", "period", "want"),
    [
        # R3 (due 9 Dec, 8 Dec) met, R4 (due 14 Dec, 14 Dec) met, R1 (due 30 Dec, 30 Dec) met,
        # R2 (due 29 Dec, allocated 30 Dec) missed; R5 cancelled before its date: left out.
        ("allocated_by_deadline", DEC, (3, 4, 0.75)),
        ("allocated_by_deadline", JAN, (0, 0, NAN)),
        ("allocated_by_deadline", "all", (3, 4, 0.75)),
        # Due dates: R3 8 Dec + 5 = 15 Dec (contacted 14th, met); R4's second allocation
        # 16 Dec + 5 = 23 Dec (contacted 4 Jan, missed: counts in Dec and Jan); R1 30 Dec + 5 =
        # 8 Jan (7 Jan, met); R2 30 Dec + 5 = 8 Jan (11 Jan, missed). R4's first allocation was
        # declined before its due date: left out.
        ("contacted_within_target", DEC, (1, 2, 0.5)),
        ("contacted_within_target", JAN, (1, 3, 1 / 3)),
        ("contacted_within_target", "all", (2, 4, 0.5)),
        # R3 confirmed 15 Dec: window 4–11 Jan (31 Dec is a closure day, 1 Jan a bank holiday),
        # held 6 Jan, inside. R1 confirmed 7 Jan: window 21–28 Jan, held 29 Jan, outside.
        ("held_within_window", DEC, (0, 0, NAN)),
        ("held_within_window", JAN, (1, 2, 0.5)),
        ("held_within_window", "all", (1, 2, 0.5)),
        # Ended in Dec: R5 (cancelled). In Jan: R4 (stepped down), R3 and R1 (held).
        ("stepped_down", DEC, (0, 1, 0.0)),
        ("stepped_down", JAN, (1, 3, 1 / 3)),
        ("stepped_down", "all", (1, 4, 0.25)),
        ("cancelled", DEC, (1, 1, 1.0)),
        ("cancelled", "all", (1, 4, 0.25)),
        # First allocated in Dec: R3, R4, R1, R2; R4 was declined once.
        ("reallocated", DEC, (1, 4, 0.25)),
        ("reallocated", "all", (1, 4, 0.25)),
        # Working days from day 0 to the first allocation: R3 1, R4 2, R1 2 (29, 30 Dec), R2 3
        # (24, 29, 30 Dec): median 2; 90th percentile is the 4th of 4 (ceil 3.6) = 3.
        ("median_working_days_to_allocation", DEC, (NAN, 4, 2)),
        ("p90_working_days_to_allocation", "all", (NAN, 4, 3)),
        ("median_working_days_to_allocation", JAN, (NAN, 0, NAN)),
        # Confirmation to held: R3 15 Dec → 6 Jan = 12 working days; R1 7 → 29 Jan = 16.
        ("median_working_days_confirmation_to_held", JAN, (NAN, 2, 14)),
        ("p90_working_days_confirmation_to_held", "all", (NAN, 2, 16)),
        # Open on 31 Dec: R1 (2 working days since day 0), R2 (3), R3 (15), R4 (12).
        ("open_backlog", DEC, (4, NAN, 4)),
        ("open_backlog_age_0-2", DEC, (1, 4, 0.25)),
        ("open_backlog_age_3-5", DEC, (1, 4, 0.25)),
        ("open_backlog_age_11-20", DEC, (2, 4, 0.5)),
        # Open on 31 Jan: R2 (23 working days) and R6 (day 0 is 1 Feb: 0).
        ("open_backlog", "all", (2, NAN, 2)),
        ("open_backlog_age_21+", JAN, (1, 2, 0.5)),
        ("open_backlog_age_0-2", "all", (1, 2, 0.5)),
        ("requests_received", DEC, (5, NAN, 5)),
        ("requests_received", JAN, (1, NAN, 1)),
        ("requests_by_sector:Education", "all", (5, 6, 5 / 6)),
        ("requests_by_sector:Sector not known", DEC, (1, 5, 0.2)),
        ("requests_by_organisation:Delta Council", "all", (1, 6, 1 / 6)),
        ("facilitator_pool:Health", "all", (2, 4, 0.5)),
        # December has 20 working days (1–4, 7–11, 14–18, 21–24, 29–30). F1 (Health): R3 from
        # 8 Dec (15 days), R4 on 14 Dec only (declined 15th), R1 on 30 Dec = 17 of 2 × 20.
        # F2 (Police): R4 from 16 Dec (9 days), R2 on 30 Dec = 10 of 40.
        ("utilisation:Health", DEC, (17, 40, 0.425)),
        ("utilisation:Police", DEC, (10, 40, 0.25)),
        ("utilisation", DEC, (27, 80, 0.3375)),
        # January has 20 working days (4–8 … 25–29). F1: R3 4–5 Jan (held 6th), R1 4–28 Jan
        # (held 29th) = 21. F2: R4 4 Jan (stepped down 5th), R2 all 20 = 21.
        ("utilisation:Health", JAN, (21, 40, 0.525)),
        ("utilisation:Police", JAN, (21, 40, 0.525)),
        ("utilisation", "all", (69, 160, 69 / 160)),
        # Feedback: changes +2, 0, +3 (R3) and +1, +2 (R1).
        ("feedback_responses", JAN, (5, NAN, 5)),
        ("confidence_change_mean", "all", (NAN, 5, 1.6)),
        ("confidence_change_median", JAN, (NAN, 5, 2)),
        ("confidence_improved", "all", (4, 5, 0.8)),
        # "Drift" and "drift" are one theme, named by both sessions.
        ("theme:Drift", JAN, (2, 2, 1.0)),
        ("theme:Working together", "all", (1, 2, 0.5)),
    ],
)
def test_kpis_equal_the_hand_computed_values(
    results: Results, name: str, period: str, want: tuple[float, float, float]
) -> None:
    assert same(kpi(results, name, period), want), kpi(results, name, period)


def test_every_headline_kpi_is_there_for_every_period(results: Results) -> None:
    for name in (
        *RATES,
        "stepped_down",
        "cancelled",
        "reallocated",
        "median_working_days_to_allocation",
        "p90_working_days_to_allocation",
        "median_working_days_confirmation_to_held",
        "p90_working_days_confirmation_to_held",
        "open_backlog",
        "utilisation",
        "requests_received",
    ):
        got = results.kpis[results.kpis["kpi"] == name]["period"].tolist()
        assert got == [DEC, JAN, "all"], name


def test_targets_come_from_the_policy_and_the_options(data: LedgerData) -> None:
    results = compute(data, START, END, targets=Targets({"allocated_by_deadline": 0.95}))
    table = results.kpis.set_index(["kpi", "period"])["target"]
    assert table["allocated_by_deadline", "all"] == 0.95
    assert table["median_working_days_to_allocation", DEC] == POLICY.allocate_within_days
    assert table["p90_working_days_confirmation_to_held", JAN] == POLICY.window_last_day
    assert math.isnan(table["cancelled", "all"])


def test_the_ledger_is_read_as_of_the_last_day(data: LedgerData) -> None:
    december = compute(data, START, date(2026, 12, 31), organisations=ORGS)
    # R1 and R2 were allocated on 30 Dec; nothing recorded in January is seen.
    assert same(kpi(december, "contacted_within_target", "all"), (1, 2, 0.5))
    assert same(kpi(december, "held_within_window", "all"), (0, 0, NAN))
    assert same(kpi(december, "open_backlog", "all"), (4, NAN, 4))
    assert kpi(december, "feedback_responses", "all")[0] == 0


def test_the_same_ledger_gives_the_same_table(data: LedgerData, results: Results) -> None:
    again = compute(data, START, END, organisations=ORGS)
    pd.testing.assert_frame_equal(results.kpis, again.kpis)


def test_no_private_value_reaches_the_tables(tmp_path: Path, results: Results) -> None:
    text = results.kpis.to_csv() + results.feedback.to_csv()
    for secret in ("CASE-R", "Robin Quill", "gamma.example", "Good session"):
        assert secret not in text
