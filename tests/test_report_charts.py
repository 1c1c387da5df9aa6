"""Tests for :mod:`jags.report.charts`: SVG text, deterministic, with the parts a reader
needs (title, target line, limits, labels)."""

from __future__ import annotations

import math
import re

import numpy as np

from jags.report import charts
from jags.report.spc import xmr


def test_run_chart_draws_title_target_limits_and_signals() -> None:
    values = [0.90, 0.91, 0.90, 0.91, 0.90, 0.91, 0.30]
    fig = charts.run_chart(
        [f"2026-{m:02d}" for m in range(1, 8)],
        values,
        title="Allocated by the date: 82%, below the 90% target.",
        ylabel="Share of requests",
        limits=xmr(values),
        target=0.9,
        percent=True,
        salt="t1",
    )
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["Month", "Mean", "Trial process limits", "Special cause: concern", "Target"]
    svg = charts.to_svg(fig, "t1")
    assert svg.startswith("<svg")
    assert "Allocated by the date: 82%, below the 90%" in svg
    assert "100%" in svg  # percentage axis


def test_the_same_data_gives_the_same_svg() -> None:
    def draw() -> str:
        fig = charts.bar_chart(
            ["Drift", "Complexity"],
            [3, 2],
            title="Drift most often.",
            xlabel="Sessions",
            salt="same",
        )
        return charts.to_svg(fig, "same")

    assert draw() == draw()
    assert "Date" not in draw()


def test_ids_differ_between_charts() -> None:
    def ids(salt: str) -> set[str]:
        fig = charts.column_chart(
            ["-1", "0", "+1"], [1, 2, 3], title="t", xlabel="x", ylabel="y", highlight=1, salt=salt
        )
        return set(re.findall(r'id="([^"]+)"', charts.to_svg(fig, salt)))

    assert not ids("a") & ids("b")


def test_series_are_told_apart_without_colour() -> None:
    fig = charts.line_chart(
        ["2026-11", "2026-12"],
        {"Health": [0.5, 0.6], "Police": [0.2, math.nan]},
        title="Health busiest.",
        ylabel="Utilisation",
        target=1.0,
        percent=True,
    )
    lines = fig.axes[0].get_lines()
    assert len({line.get_marker() for line in lines[:2]}) == 2
    assert len({line.get_linestyle() for line in lines[:2]}) == 2
    fig = charts.paired_bars(
        ["Health", "Police"],
        [0.5, 0.5],
        [0.25, 0.75],
        names=("Requests", "Places"),
        title="t",
        xlabel="share",
    )
    hatches = {p.get_hatch() for p in fig.axes[0].patches}
    assert hatches == {None, "///"}
    fig = charts.stacked_columns(
        ["2026-12"], {"0-2": [1], "3-5": [2]}, title="t", ylabel="requests", totals=["<5"]
    )
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["<5"]
    assert len({p.get_hatch() for p in fig.axes[0].patches}) == 2


def test_missing_values_draw_nothing() -> None:
    fig = charts.bar_chart(["a", "b"], [np.nan, 4], title="t", xlabel="x", labels=["<5", "4"])
    widths = [p.get_width() for p in fig.axes[0].patches]
    assert widths == [0.0, 4.0]
