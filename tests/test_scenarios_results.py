"""Tidy results: the columns the issue lists, a groupby summary with t intervals,
and output files that are the same bytes for the same run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from allocator import InputError
from jags.scenarios.measures import KPI_COLUMNS, Outcome
from jags.scenarios.results import (
    COLUMNS,
    frame_bytes,
    replications_frame,
    summarise,
    write_results,
)


def _outcome(scenario: str, order: int, replication: int, pct: float) -> Outcome:
    kpis = dict.fromkeys(KPI_COLUMNS, 1.0)
    kpis["pct_allocated_by_deadline"] = pct
    return Outcome(scenario, order, replication, kpis)


FRAME = replications_frame(
    [
        _outcome("b", 1, 1, 90.0),
        _outcome("a", 0, 0, 99.0),
        _outcome("b", 1, 0, 80.0),
        _outcome("a", 0, 1, 100.0),
        _outcome("a", 0, 2, 98.0),
    ],
    seed=5,
)


def test_one_row_per_scenario_and_replication_with_the_issues_columns() -> None:
    assert tuple(FRAME.columns) == COLUMNS
    assert COLUMNS[:3] == ("scenario", "replication", "seed")
    for name in (
        "requests",
        "allocated",
        "allocated_by_deadline",
        "pct_allocated_by_deadline",
        "median_days_to_allocation",
        "p90_days_to_allocation",
        "max_backlog",
        "mean_utilisation",
        "held_within_window",
        "stepped_down",
    ):
        assert name in COLUMNS
    assert FRAME[["scenario", "replication"]].values.tolist() == [
        ["a", 0],
        ["a", 1],
        ["a", 2],
        ["b", 0],
        ["b", 1],
    ]
    assert FRAME["requests"].dtype == np.int64


def test_the_summary_is_the_mean_with_a_students_t_interval() -> None:
    summary = summarise(FRAME, measures=["pct_allocated_by_deadline", "requests"])
    row = summary[
        (summary["scenario"] == "b") & (summary["measure"] == "pct_allocated_by_deadline")
    ].iloc[0]
    half = stats.t.ppf(0.975, 1) * np.std([90, 80], ddof=1) / np.sqrt(2)
    assert (row["n"], row["mean"]) == (2, 85.0)
    assert row["ci_low"] == pytest.approx(max(85 - half, 0))
    assert row["ci_high"] == pytest.approx(min(85 + half, 100))  # kept inside 0–100
    assert summary["scenario"].tolist()[:2] == ["a", "a"]  # file order, not alphabetical
    constant = summary[summary["measure"] == "requests"]
    assert (constant["ci_low"] == constant["ci_high"]).all()


def test_one_replication_has_no_interval() -> None:
    summary = summarise(FRAME[FRAME["replication"] == 0])
    assert summary["ci_low"].isna().all() and (summary["n"] == 1).all()


def test_results_files_are_the_same_bytes_every_time(tmp_path: Path) -> None:
    for name in ("r.csv", "r.parquet"):
        first = write_results(FRAME, tmp_path / name).read_bytes()
        assert write_results(FRAME, tmp_path / name).read_bytes() == first
        assert first == frame_bytes(FRAME, Path(name).suffix)
    back = pd.read_parquet(tmp_path / "r.parquet")
    pd.testing.assert_frame_equal(back, FRAME)
    assert (tmp_path / "r.csv").read_text().splitlines()[0] == ",".join(COLUMNS)


def test_only_csv_or_parquet(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"--out: 'r.xlsx' must end in .csv or .parquet"):
        write_results(FRAME, tmp_path / "r.xlsx")
    assert not list(tmp_path.iterdir())
