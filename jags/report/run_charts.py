"""The run-chart sections: one XmR chart and monthly table per timeliness KPI."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from jags.report import charts
from jags.report.definitions import RATES
from jags.report.markup import NAMES, SMALL, data_table, figure_section, kpi_frame, month_name
from jags.report.periods import ALL
from jags.report.spc import RULE_WORDS, xmr

if TYPE_CHECKING:
    import pandas as pd

    from jags.report.markup import Numbers, View


def run_section(view: View, kpi: str) -> str:
    """A timeliness KPI's XmR run chart by month, its verdict in the title, and its table."""
    frame = kpi_frame(view.results, kpi)
    rate = kpi in RATES
    monthly = frame.loc[view.months]
    values = monthly["value"].to_numpy(dtype=float)
    present = ~np.isnan(values)
    limits = xmr(values[present])
    target = float(frame["target"].iloc[0]) if frame["target"].notna().any() else None
    whole = frame.loc[ALL]
    n = view.numbers
    if rate:
        overall = n.share(whole["value"], whole["numerator"], whole["denominator"])
        got = (
            f"{overall} over the period ({n.count(whole['numerator'])} of "
            f"{n.count(whole['denominator'])})"
        )
        aim = f"{target:.0%}" if target is not None else ""
        better: charts.Better = "higher"
    else:
        overall = n.days(whole["value"], whole["denominator"])
        got = f"{overall} working days over the period"
        aim = f"{target:g}-working-day" if target is not None else ""
        better = "lower"
    if math.isnan(whole["value"]):
        verdict = "not enough data for the period"
    elif overall == "—":
        counted = (
            f"{n.count(whole['numerator'])} of {n.count(whole['denominator'])}"
            if rate
            else f"{n.count(whole['denominator'])} requests"
        )
        verdict = f"fewer than {SMALL} counted over the period ({counted}), not shown"
    elif target is None:
        verdict = got
    else:
        meets = whole["value"] >= target if rate else whole["value"] <= target
        verdict = f"{got}, {'meeting' if meets else 'missing'} the {aim} target"
    signals = [m for m, s in zip(np.array(view.months)[present], limits.signals, strict=True) if s]
    variation = (
        f"special-cause variation in {', '.join(month_name(m) for m in signals)}"
        if signals
        else "no special-cause variation"
    )
    title = f"{NAMES[kpi]}: {verdict}; {variation}."
    trial = " (trial limits: fewer than 12 months)" if limits.trial else ""
    shown = [v if ok else np.nan for v, ok in zip(values, _visible(n, monthly, rate), strict=True)]
    fig = charts.run_chart(
        view.months,
        shown,
        title=title,
        ylabel="Share of requests" if rate else "Working days",
        limits=limits,
        target=target,
        percent=rate,
        better=better,
        salt=kpi,
    )
    alt = (
        f"Run chart of {NAMES[kpi].lower()} by month, {view.months[0]} to "
        f"{view.months[-1]}, with its mean, process limits{trial} and target line. "
        f"{title}"
    )
    lower, upper = limits.lower, limits.upper
    if rate:  # a share's limits stop at 0% and 100%
        lower, upper = max(lower, 0.0), min(upper, 1.0)
    bounds = (
        f"process limits {_fmt(lower, rate)} to {_fmt(upper, rate)}{trial}"
        if not math.isnan(upper)
        else "process limits need at least 2 months with a value"
    )
    caption = (
        f"XmR chart: mean {_fmt(limits.mean, rate)}, {bounds}. Triangles "
        f"mark special-cause points (up: improvement, down: concern)."
    )
    rows = []
    sig = dict(zip(np.array(view.months)[present], limits.signals, strict=True))
    for month, row in monthly.iterrows():
        words = "; ".join(RULE_WORDS[s] for s in sig.get(str(month), ()))
        if rate:
            rows.append(
                [
                    str(month),
                    n.count(row["numerator"]),
                    n.count(row["denominator"]),
                    n.share(row["value"], row["numerator"], row["denominator"]),
                    words or "—",
                ]
            )
        else:
            rows.append(
                [
                    str(month),
                    n.count(row["denominator"]),
                    n.days(row["value"], row["denominator"]),
                    words or "—",
                ]
            )
    header = (
        ["Month", "Met", "Counted", "Share", "Special cause"]
        if rate
        else ["Month", "Requests", "Working days", "Special cause"]
    )
    table = data_table(f"{NAMES[kpi]} by month", header, rows)
    return figure_section(kpi, NAMES[kpi], charts.to_svg(fig, kpi), alt, caption, table)


def _visible(n: Numbers, monthly: pd.DataFrame, rate: bool) -> list[bool]:
    """Which months' values the chart shows (not computed from a suppressed count)."""
    if rate:
        return [
            not (n.small(a) or n.small(b))
            for a, b in zip(monthly["numerator"], monthly["denominator"], strict=True)
        ]
    return [not n.small(b) for b in monthly["denominator"]]


def _fmt(value: float, rate: bool) -> str:
    """A mean or a limit: a share, or working days to one decimal."""
    if math.isnan(value):
        return "—"
    return f"{value:.0%}" if rate else f"{value:.1f}"
