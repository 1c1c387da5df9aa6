"""Charts: titles that state the finding, the target drawn, units on the axes, and
confidence bands wherever numbers come from replications."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from jags import charts
from jags.scenarios.results import summarise

SUMMARY = pd.DataFrame(
    {
        "scenario": ["baseline", "health -5", "train 4 police"],
        "measure": ["pct_allocated_by_deadline"] * 3,
        "mean": [96.0, 88.0, 98.5],
        "ci_low": [95.0, 85.0, 98.0],
        "ci_high": [97.0, 91.0, 99.0],
    }
)


def _daily() -> pd.DataFrame:
    rows = []
    days = pd.bdate_range("2027-01-04", periods=20)
    for scenario, extra in (("baseline", 0), ("surge", 3)):
        for rep in range(3):
            for k, day in enumerate(days):
                surge = extra if 5 <= k < 10 else 0
                rows.append(
                    {
                        "scenario": scenario,
                        "replication": rep,
                        "day": k,
                        "date": day,
                        "backlog": surge + rep % 2,
                        "arrived": 2,
                        "on_time": 2 - (1 if surge else 0),
                    }
                )
    return pd.DataFrame(rows)


def _target_lines(fig: Figure) -> list[object]:
    ax = fig.axes[0]
    return [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]


def test_kpi_chart_says_which_scenarios_reach_the_target() -> None:
    fig = charts.kpi_chart(SUMMARY, "pct_allocated_by_deadline", target=95)
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == (
        "2 of 3 scenarios reach the target of 95 %: baseline, train 4 police"
    )
    assert ax.get_xlabel() == "allocated by allocate-by (%)"
    [target] = _target_lines(fig)
    assert list(target.get_xdata()) == [95, 95]
    # scenarios read top to bottom in file order
    ticks = sorted(
        zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()], strict=True),
        reverse=True,
    )
    assert [name for _, name in ticks] == ["baseline", "health -5", "train 4 police"]
    none = charts.kpi_chart(SUMMARY, "pct_allocated_by_deadline", target=99)
    assert none.axes[0].get_title(loc="left") == "No scenario reaches the target of 99 %"
    best = charts.kpi_chart(SUMMARY, "pct_allocated_by_deadline")
    assert best.axes[0].get_title(loc="left") == "Best: train 4 police at 98 %"


def test_trend_chart_finds_the_first_level_that_reaches_the_target() -> None:
    summary = pd.DataFrame(
        {
            "added": [0, 2, 4, 0, 2, 4],
            "sector": ["Police"] * 3 + ["Health"] * 3,
            "measure": "pct_allocated_by_deadline",
            "mean": [90, 94, 97, 90, 96, 98],
            "ci_low": [88, 92, 95, 88, 94, 97],
            "ci_high": [92, 96, 99, 92, 98, 99],
        }
    )
    fig = charts.kpi_trend_chart(
        summary,
        "pct_allocated_by_deadline",
        "added",
        hue="sector",
        target=95,
        xlabel="facilitators added",
    )
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == (
        "The target of 95 % is first reached with facilitators added = 2 (Health)"
    )
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 2  # bands
    assert ax.get_xlabel() == "facilitators added"
    assert len(_target_lines(fig)) == 1
    already = charts.kpi_trend_chart(
        summary, "pct_allocated_by_deadline", "added", hue="sector", target=90
    )
    assert already.axes[0].get_title(loc="left") == "Already at the target of 90 % with added = 0"


def test_backlog_and_on_time_charts_shade_the_surge_and_state_the_peak() -> None:
    daily = _daily()
    surge = (date(2027, 1, 11), date(2027, 1, 15))
    fig = charts.backlog_chart(daily, shade=surge)
    ax = fig.axes[0]
    assert ax.get_title(loc="left").startswith(
        "Backlog peaks at 3.3 requests on average (surge), against 0.3 (baseline)"
    )
    assert ax.get_ylabel() == "requests waiting at the end of the day"
    assert any(isinstance(c, PolyCollection) for c in ax.collections)
    weekly = charts.on_time_chart(daily, shade=surge)
    wax = weekly.axes[0]
    assert wax.get_title(loc="left").startswith("Worst week: 50 % allocated on time (surge)")
    assert [list(t.get_ydata()) for t in _target_lines(weekly)] == [[95, 95]]
    assert "%" in wax.get_ylabel()


def test_utilisation_chart_names_the_busiest_sector() -> None:
    sectors = pd.DataFrame(
        {
            "scenario": ["a"] * 4 + ["b"] * 4,
            "replication": [0, 1] * 4,
            "sector": ["Health", "Health", "Police", "Police"] * 2,
            "open_load": 1.0,
            "places": 2.0,
            "utilisation": [50, 60, 70, 80, 55, 65, 88, 92],
        }
    )
    fig = charts.utilisation_chart(sectors, target=85)
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "Busiest: Police at 90 % of its places (b)"
    assert ax.get_xlabel() == "mean utilisation (% of the sector's places in use)"
    assert len(_target_lines(fig)) == 1


def test_summaries_for_charts_come_from_replications() -> None:
    stats = summarise(_daily(), ["scenario", "date"], ["backlog"])
    assert stats["n"].eq(3).all()
    assert (stats["ci_low"] <= stats["mean"]).all() and (stats["mean"] <= stats["ci_high"]).all()


def test_saved_charts_are_the_same_bytes_every_time(tmp_path: Path) -> None:
    for name in ("one.png", "two.png"):
        charts.save(
            charts.kpi_chart(SUMMARY, "pct_allocated_by_deadline", target=95), tmp_path / name
        )
    assert (tmp_path / "one.png").read_bytes() == (tmp_path / "two.png").read_bytes()
    assert (tmp_path / "one.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("measure", ["max_backlog", "mean_utilisation"])
def test_units_follow_the_measure(measure: str) -> None:
    rows = SUMMARY.assign(measure=measure)
    label = charts.kpi_chart(rows, measure).axes[0].get_xlabel()
    assert label in ("most requests waiting (end of a day)", "mean utilisation (% of places)")
