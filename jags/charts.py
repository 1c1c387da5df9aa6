"""Charts a manager reads at a glance: the what-if notebooks' and (later) the KPI report's.

Every function takes tidy tables, draws with matplotlib's object interface
on a new :class:`~matplotlib.figure.Figure` (no pyplot state, so it is safe
in a server or a notebook alike) and returns it. Every chart has a title
that states its finding, computed from the data unless one is given, units
on its axes, the target drawn when there is one, and a 95 % confidence band
or interval wherever the numbers come from replications.
"""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.figure import Figure

from jags.scenarios.results import LABELS, summarise

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date
    from pathlib import Path

    from matplotlib.axes import Axes

__all__ = [
    "backlog_chart",
    "kpi_chart",
    "kpi_trend_chart",
    "on_time_chart",
    "save",
    "utilisation_chart",
]

TARGET_STYLE = {"color": "#b2182b", "linestyle": "--", "linewidth": 1.5}
SHADE_STYLE = {"color": "#fdb863", "alpha": 0.25, "linewidth": 0}


def _figure(width: float = 8.0, height: float = 4.5) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def _percent(measure: str) -> bool:
    return measure.startswith("pct_") or "utilisation" in measure


def _fmt(value: float, measure: str) -> str:
    return f"{value:.0f} %" if _percent(measure) else f"{value:.1f}"


def _title(ax: Axes, text: str) -> None:
    ax.set_title(textwrap.fill(text, 85), loc="left")


def _target_line(
    ax: Axes, target: float | None, *, vertical: bool = False, label: str = "target", unit: str = ""
) -> None:
    if target is None:
        return
    words = f"{label} ({target:g}{unit})"
    if vertical:
        ax.axvline(target, label=words, **TARGET_STYLE)  # type: ignore[arg-type]
    else:
        ax.axhline(target, label=words, **TARGET_STYLE)  # type: ignore[arg-type]


def _band(ax: Axes, rows: pd.DataFrame, x: str, label: str, **style: Any) -> None:
    """The mean as a line and its confidence interval as a band of the same colour."""
    line = ax.plot(rows[x], rows["mean"], label=label, **style)
    ax.fill_between(
        rows[x], rows["ci_low"], rows["ci_high"], alpha=0.2, color=line[0].get_color(), linewidth=0
    )


def _shade(ax: Axes, period: tuple[date, date], label: str) -> None:
    start = mdates.date2num(period[0])  # type: ignore[no-untyped-call]
    end = mdates.date2num(period[1])  # type: ignore[no-untyped-call]
    ax.axvspan(start, end, label=label, **SHADE_STYLE)  # type: ignore[arg-type]


def kpi_chart(
    summary: pd.DataFrame,
    measure: str,
    *,
    target: float | None = None,
    higher_is_better: bool = True,
    title: str | None = None,
) -> Figure:
    """One measure per scenario: the mean with its 95 % confidence interval.

    Parameters
    ----------
    summary
        A summary (:func:`jags.scenarios.summarise`): ``scenario``,
        ``measure``, ``mean``, ``ci_low``, ``ci_high``.
    measure
        The measure to show, e.g. ``"pct_allocated_by_deadline"``.
    target
        The target, drawn as a line (default none).
    higher_is_better
        Whether meeting the target means being at or above it (default ``True``).
    title
        The title (default: how many scenarios meet the target, or which is best).
    """
    rows = summary[summary["measure"] == measure].reset_index(drop=True)
    fig, ax = _figure(8.0, 1.2 + 0.45 * max(len(rows), 1))
    y = np.arange(len(rows))[::-1]
    err = np.vstack([rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]])
    ax.errorbar(
        rows["mean"],
        y,
        xerr=np.nan_to_num(err),
        fmt="o",
        color="#2166ac",
        ecolor="#67a9cf",
        elinewidth=3,
        capsize=0,
        label="mean, 95 % interval",
    )
    ax.set_yticks(y, rows["scenario"].tolist())
    _target_line(ax, target, vertical=True, unit=" %" if _percent(measure) else "")
    ax.set_xlabel(LABELS.get(measure, measure))
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    _title(ax, title or _kpi_finding(rows, measure, target, higher_is_better))
    return fig


def _kpi_finding(
    rows: pd.DataFrame, measure: str, target: float | None, higher_is_better: bool
) -> str:
    if rows.empty:
        return f"No results for {LABELS.get(measure, measure)}"
    if target is not None:
        meets = rows["mean"] >= target if higher_is_better else rows["mean"] <= target
        names = rows.loc[meets, "scenario"].tolist()
        if not names:
            return f"No scenario reaches the target of {_fmt(target, measure)}"
        if len(names) == len(rows):
            return f"Every scenario reaches the target of {_fmt(target, measure)}"
        return (
            f"{len(names)} of {len(rows)} scenarios reach the target of "
            f"{_fmt(target, measure)}: {', '.join(names)}"
        )
    means = rows["mean"].to_numpy()
    best = rows.iloc[int(np.nanargmax(means) if higher_is_better else np.nanargmin(means))]
    return f"Best: {best['scenario']} at {_fmt(float(best['mean']), measure)}"


def kpi_trend_chart(
    summary: pd.DataFrame,
    measure: str,
    x: str,
    *,
    hue: str | None = None,
    target: float | None = None,
    xlabel: str | None = None,
    higher_is_better: bool = True,
    title: str | None = None,
) -> Figure:
    """One measure against a number (e.g. facilitators added), one line per ``hue``,
    each with its 95 % confidence band.

    Parameters
    ----------
    summary
        A summary with columns ``x`` (and ``hue``) beside ``measure``,
        ``mean``, ``ci_low``, ``ci_high``.
    measure
        The measure to show.
    x
        The column along the horizontal axis.
    hue
        The column that makes one line per value (default none: one line).
    target
        The target, drawn as a line (default none).
    xlabel
        The horizontal axis's label (default: ``x``).
    higher_is_better
        Whether meeting the target means being at or above it (default ``True``).
    title
        The title (default: the smallest ``x`` whose mean meets the target, per line).
    """
    rows = summary[summary["measure"] == measure].sort_values(x)
    fig, ax = _figure()
    groups = [(None, rows)] if hue is None else list(rows.groupby(hue, sort=False))
    for name, group in groups:
        _band(ax, group, x, "mean" if name is None else str(name), marker="o")
    _target_line(ax, target, unit=" %" if _percent(measure) else "")
    ax.set_xlabel(xlabel or x)
    ax.set_ylabel(LABELS.get(measure, measure))
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize="small", title=hue)
    _title(ax, title or _trend_finding(groups, measure, x, xlabel or x, target, higher_is_better))
    return fig


def _trend_finding(
    groups: Sequence[tuple[object, pd.DataFrame]],
    measure: str,
    x: str,
    label: str,
    target: float | None,
    higher_is_better: bool,
) -> str:
    if target is None:
        return f"{LABELS.get(measure, measure).capitalize()} by {label}"
    reached, lowest = [], math.inf
    for name, group in groups:
        meets = group["mean"] >= target if higher_is_better else group["mean"] <= target
        lowest = min(lowest, float(group[x].min()))
        if meets.any():
            first = group[meets].sort_values(x).iloc[0]
            reached.append((float(first[x]), float(first["mean"]), name))
    if not reached:
        return f"No option shown reaches the target of {_fmt(target, measure)}"
    level = min(r[0] for r in reached)
    if level == lowest:
        return f"Already at the target of {_fmt(target, measure)} with {label} = {level:g}"
    names = [
        str(n)
        for _, _, n in sorted(
            (r for r in reached if r[0] == level), key=lambda r: -r[1] if higher_is_better else r[1]
        )
        if n is not None
    ]
    who = f" ({', '.join(names)})" if names else ""
    return f"The target of {_fmt(target, measure)} is first reached with {label} = {level:g}{who}"


def backlog_chart(
    daily: pd.DataFrame,
    *,
    shade: tuple[date, date] | None = None,
    shade_label: str = "surge",
    target: float | None = None,
    title: str | None = None,
) -> Figure:
    """Requests waiting at the end of each working day, per scenario: the mean over
    replications with its 95 % band.

    Parameters
    ----------
    daily
        :attr:`Results.daily <jags.scenarios.Results>`: ``scenario``,
        ``replication``, ``date``, ``backlog``.
    shade
        A period to shade, such as a surge (default none).
    shade_label
        What the shaded period is (default ``"surge"``).
    target
        A level to draw, e.g. the most waiting the Business Unit can clear
        within the deadline (default none).
    title
        The title (default: each scenario's highest mean backlog).
    """
    stats = summarise(daily, ["scenario", "date"], ["backlog"])
    fig, ax = _figure()
    peaks = []
    for name, group in stats.groupby("scenario", sort=False):
        _band(ax, group, "date", str(name), linewidth=1.5)
        peaks.append((float(group["mean"].max()), str(name)))
    if shade is not None:
        _shade(ax, shade, shade_label)
    _target_line(ax, target)
    ax.set_xlabel("date (working days)")
    ax.set_ylabel("requests waiting at the end of the day")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize="small")
    fig.autofmt_xdate()
    if title is None:
        top = max(peaks, default=(0.0, ""))
        others = ", ".join(f"{p:.1f} ({n})" for p, n in peaks if n != top[1])
        title = f"Backlog peaks at {top[0]:.1f} requests on average ({top[1]})" + (
            f", against {others}" if others else ""
        )
    _title(ax, title)
    return fig


def weekly_on_time(daily: pd.DataFrame) -> pd.DataFrame:
    """Per scenario, replication and week: requests received and the percentage of them
    allocated by their allocate-by date."""
    frame = daily.assign(week=pd.to_datetime(daily["date"]).dt.to_period("W-SUN").dt.start_time)
    weekly = (
        frame.groupby(["scenario", "replication", "week"], sort=False)[["arrived", "on_time"]]
        .sum()
        .reset_index()
    )
    weekly["pct_on_time"] = np.where(
        weekly["arrived"] > 0, 100 * weekly["on_time"] / weekly["arrived"].clip(lower=1), np.nan
    )
    return weekly


def on_time_chart(
    daily: pd.DataFrame,
    *,
    target: float | None = 95.0,
    shade: tuple[date, date] | None = None,
    shade_label: str = "surge",
    title: str | None = None,
) -> Figure:
    """Week by week, the percentage of the week's requests allocated by their
    allocate-by date, per scenario, with its 95 % band and the target.

    Parameters
    ----------
    daily
        :attr:`Results.daily <jags.scenarios.Results>`.
    target
        The target percentage (default 95).
    shade, shade_label
        A period to shade and its name (default none, ``"surge"``).
    title
        The title (default: each scenario's worst week).
    """
    weekly = weekly_on_time(daily)
    stats = summarise(
        weekly.rename(columns={"pct_on_time": "pct_allocated_by_deadline"}),
        ["scenario", "week"],
        ["pct_allocated_by_deadline"],
    )
    fig, ax = _figure()
    lows = []
    for name, group in stats.groupby("scenario", sort=False):
        _band(ax, group, "week", str(name), marker=".")
        lows.append((float(group["mean"].min()), str(name)))
    if shade is not None:
        _shade(ax, shade, shade_label)
    _target_line(ax, target, unit=" %")
    ax.set_xlabel("week received")
    ax.set_ylabel("allocated by allocate-by (% of the week's requests)")
    ax.set_ylim(0, 102)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize="small")
    fig.autofmt_xdate()
    if title is None:
        worst = min(lows, default=(math.nan, ""))
        title = f"Worst week: {worst[0]:.0f} % allocated on time ({worst[1]})"
        others = [f"{v:.0f} % ({n})" for v, n in lows if n != worst[1]]
        if others:
            title += ", against " + ", ".join(others)
    _title(ax, title)
    return fig


def utilisation_chart(
    sectors: pd.DataFrame, *, target: float | None = None, title: str | None = None
) -> Figure:
    """Mean utilisation (open JAGS ÷ places) by sector, one bar per scenario, with
    95 % intervals.

    Parameters
    ----------
    sectors
        :attr:`Results.sectors <jags.scenarios.Results>`: ``scenario``,
        ``replication``, ``sector``, ``utilisation``.
    target
        A utilisation to stay under, drawn as a line (default none).
    title
        The title (default: the busiest sector).
    """
    stats = summarise(
        sectors.dropna(subset=["utilisation"]), ["scenario", "sector"], ["utilisation"]
    )
    scenario_names = list(dict.fromkeys(stats["scenario"]))
    sector_names = sorted(dict.fromkeys(stats["sector"]))
    fig, ax = _figure(8.0, 1.5 + 0.35 * len(sector_names) * max(1, len(scenario_names)) / 1.5)
    height = 0.8 / max(len(scenario_names), 1)
    base = np.arange(len(sector_names))
    for k, name in enumerate(scenario_names):
        rows = stats[stats["scenario"] == name].set_index("sector").reindex(sector_names)
        err = np.vstack([rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]])
        ax.barh(
            base + k * height,
            rows["mean"],
            height=height,
            label=name,
            xerr=np.nan_to_num(err),
            error_kw={"elinewidth": 1, "capsize": 2},
        )
    ax.set_yticks(base + height * (len(scenario_names) - 1) / 2, sector_names)
    ax.invert_yaxis()
    _target_line(ax, target, vertical=True, label="ceiling", unit=" %")
    ax.set_xlabel("mean utilisation (% of the sector's places in use)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    if title is None:
        if stats.empty:
            title = "No facilitator places"
        else:
            top = stats.iloc[int(np.nanargmax(stats["mean"].to_numpy()))]
            title = (
                f"Busiest: {top['sector']} at {top['mean']:.0f} % of its places ({top['scenario']})"
            )
    _title(ax, title)
    return fig


def save(fig: Figure, path: str | Path, dpi: int = 110) -> None:
    """Write a chart as PNG, byte-identical for the same chart (no software stamp)."""
    fig.savefig(path, dpi=dpi, metadata={"Software": None})
