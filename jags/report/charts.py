"""Charts as SVG text, in matplotlib's object style.

General signatures so the notebooks can draw the same charts as the report
(STYLE.md: one function per chart for both): a KPI series with its target and
process limits, bars, paired bars, lines by group, and columns. Every chart
has a title that states the finding (given by the caller), units on its axes,
and tells series apart by line style, marker or hatching as well as colour
(WCAG 2.2 AA: never by colour alone; every colour has at least 3:1 contrast
with the white background, text at least 4.5:1).

The output is deterministic: the same data gives byte-identical SVG.
"""

from __future__ import annotations

import io
import math
import re
from contextlib import contextmanager
from typing import TYPE_CHECKING, Literal

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from jags.report.spc import XmR

INK = "#1a1a1a"
"""Text and axes (16:1 on white)."""
BLUE = "#1f5a96"
ORANGE = "#a34700"
GREY = "#595959"
PURPLE = "#6a3d9a"
TEAL = "#00665e"
PALETTE = (BLUE, ORANGE, TEAL, PURPLE, "#7a5200", "#8c1c4b", GREY, "#2e6b1f", "#3d3d99", "#8a3b12")
"""Series colours, each at least 4.5:1 on white."""
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "h", "<", ">")
HATCHES = ("", "///", "...", "xx", "\\\\\\", "++", "oo", "--")
Better = Literal["higher", "lower"]


@contextmanager
def _style(salt: str) -> Iterator[None]:
    """Plain, readable, deterministic: fixed SVG ids per chart, no date stamp."""
    with mpl.rc_context(
        {
            "svg.hashsalt": salt,
            "svg.fonttype": "none",
            "font.family": "DejaVu Sans",
            "font.size": 10,
            "axes.titlesize": 11,
            "axes.titleweight": "bold",
            "axes.edgecolor": INK,
            "axes.labelcolor": INK,
            "xtick.color": INK,
            "ytick.color": INK,
            "text.color": INK,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlelocation": "left",
            "legend.frameon": False,
        }
    ):
        yield


def to_svg(fig: Figure, salt: str) -> str:
    """The figure as SVG text (no XML declaration), then closed.

    Every id in it starts with ``salt``, so several charts can share one page.
    """
    buffer = io.StringIO()
    with mpl.rc_context({"svg.hashsalt": salt, "svg.fonttype": "none"}):
        fig.savefig(
            buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight"
        )
    plt.close(fig)
    text = buffer.getvalue()
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text[text.index("<svg") :], flags=re.DOTALL)
    # every id prefixed with the salt, so several charts can share one page
    return (
        text.replace(' id="', f' id="{salt}-')
        .replace("url(#", f"url(#{salt}-")
        .replace('xlink:href="#', f'xlink:href="#{salt}-')
    )


def _wrap(title: str, width: int = 70) -> str:
    words, lines, line = title.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])


def _percent(ax: Axes, axis: Literal["x", "y"] = "y") -> None:
    from matplotlib.ticker import PercentFormatter

    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(PercentFormatter(1.0))


def _time_axis(ax: Axes, x: np.ndarray, labels: Sequence[str]) -> None:
    """Period labels under the x positions, slanted when there are many."""
    many = len(labels) > 6
    ax.set_xticks(x, list(labels), rotation=45 if many else 0, ha="right" if many else "center")


def run_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    ylabel: str,
    limits: XmR | None = None,
    target: float | None = None,
    percent: bool = False,
    better: Better = "higher",
    salt: str = "run",
) -> Figure:
    """A KPI series over time with its target line and XmR process limits.

    Parameters
    ----------
    labels
        The x positions' labels (e.g. months ``YYYY-MM``), in order.
    values
        One value per label; ``nan`` leaves a gap (not used by the limits).
    title
        A sentence that states the finding.
    ylabel
        The measure and its unit.
    limits
        XmR limits and signals of the non-missing values (default none: no limits).
    target
        Draws the target line (default none).
    percent
        Values are shares (0–1) shown as percentages (default ``False``).
    better
        Which direction is improvement, for the special-cause markers (default
        ``"higher"``).
    salt
        Makes the SVG's internal ids unique within a page (default ``"run"``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    with _style(salt):
        fig, ax = plt.subplots(figsize=(7.2, 3.6))
        x = np.arange(len(labels))
        y = np.asarray(values, dtype=float)
        ax.plot(
            x,
            y,
            color=GREY,
            linewidth=1.5,
            marker="o",
            markersize=5,
            markerfacecolor="white",
            markeredgecolor=GREY,
            label="Month",
        )
        shown = np.flatnonzero(~np.isnan(y))
        if limits is not None and len(shown) >= 2 and not math.isnan(limits.upper):
            kind = "Trial process limits" if limits.trial else "Process limits"
            lower, upper = limits.lower, limits.upper
            if percent:  # a share's limits stop at 0% and 100%
                lower, upper = max(lower, 0.0), min(upper, 1.0)
            ax.axhline(limits.mean, color=GREY, linewidth=1, label="Mean")
            ax.axhline(upper, color=GREY, linewidth=1, linestyle=":", label=kind)
            ax.axhline(lower, color=GREY, linewidth=1, linestyle=":")
            sign = 1 if better == "higher" else -1
            good = [
                i
                for k, i in enumerate(shown)
                if limits.special(k) and sign * (y[i] - limits.mean) > 0
            ]
            bad = [
                i
                for k, i in enumerate(shown)
                if limits.special(k) and sign * (y[i] - limits.mean) <= 0
            ]
            if good:
                ax.plot(
                    x[good],
                    y[good],
                    linestyle="none",
                    marker="^",
                    markersize=9,
                    color=BLUE,
                    label="Special cause: improvement",
                )
            if bad:
                ax.plot(
                    x[bad],
                    y[bad],
                    linestyle="none",
                    marker="v",
                    markersize=9,
                    color=ORANGE,
                    label="Special cause: concern",
                )
        if target is not None:
            ax.axhline(target, color=PURPLE, linewidth=1.5, linestyle="--", label="Target")
        _time_axis(ax, x, labels)
        ax.set_ylabel(ylabel)
        if percent:
            _percent(ax)
            top = max(1.0, float(np.nanmax(y)) if len(shown) else 1.0)
            ax.set_ylim(bottom=min(0.0, ax.get_ylim()[0]), top=top * 1.05)
        else:
            ax.set_ylim(bottom=min(0.0, ax.get_ylim()[0]))
        ax.set_title(_wrap(title))
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
        ax.grid(axis="y", color="#d9d9d9", linewidth=0.6)
        return fig


def bar_chart(
    categories: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    xlabel: str,
    labels: Sequence[str] | None = None,
    salt: str = "bars",
) -> Figure:
    """Horizontal bars, largest at the top, each with its value written beside it.

    Parameters
    ----------
    categories, values
        One bar per category.
    labels
        The text beside each bar (default the value); ``nan`` values draw no bar.
    """
    with _style(salt):
        fig, ax = plt.subplots(figsize=(7.2, 0.45 * max(len(categories), 3) + 1.2))
        y = np.arange(len(categories))[::-1]
        v = np.nan_to_num(np.asarray(values, dtype=float))
        ax.barh(y, v, color=BLUE, height=0.6)
        texts = labels if labels is not None else [f"{x:g}" for x in values]
        for yi, vi, text in zip(y, v, texts, strict=True):
            ax.text(vi, yi, f" {text}", va="center", ha="left", fontsize=9)
        ax.set_yticks(y, list(categories))
        ax.set_xlabel(xlabel)
        ax.set_xlim(0, max(float(v.max()) if len(v) else 1.0, 1.0) * 1.15)
        ax.set_title(_wrap(title))
        return fig


def paired_bars(
    categories: Sequence[str],
    first: Sequence[float],
    second: Sequence[float],
    *,
    names: tuple[str, str],
    title: str,
    xlabel: str,
    percent: bool = True,
    salt: str = "pairs",
) -> Figure:
    """Two horizontal bars per category (solid, and hatched), values written beside them.

    Parameters
    ----------
    names
        The two series' names for the legend.
    percent
        Values are shares shown as percentages (default ``True``).
    """
    with _style(salt):
        fig, ax = plt.subplots(figsize=(7.2, 0.6 * max(len(categories), 3) + 1.2))
        y = np.arange(len(categories))[::-1].astype(float)
        a = np.nan_to_num(np.asarray(first, dtype=float))
        b = np.nan_to_num(np.asarray(second, dtype=float))
        ax.barh(y + 0.2, a, height=0.38, color=BLUE, label=names[0])
        ax.barh(
            y - 0.2, b, height=0.38, color="white", edgecolor=ORANGE, hatch="///", label=names[1]
        )
        pattern = " {:.0%}" if percent else " {:g}"
        for yi, ai, bi in zip(y, a, b, strict=True):
            ax.text(float(ai), float(yi) + 0.2, pattern.format(ai), va="center", fontsize=8)
            ax.text(float(bi), float(yi) - 0.2, pattern.format(bi), va="center", fontsize=8)
        ax.set_yticks(y, list(categories))
        ax.set_xlabel(xlabel)
        if percent:
            _percent(ax, "x")
        ax.set_xlim(0, max(float(max(a.max(initial=0), b.max(initial=0))), 0.01) * 1.2)
        ax.legend(loc="lower right", fontsize=9)
        ax.set_title(_wrap(title))
        return fig


def line_chart(
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    ylabel: str,
    target: float | None = None,
    target_label: str = "Target",
    percent: bool = False,
    salt: str = "lines",
) -> Figure:
    """Several series over the same x labels: each its own colour, marker and line style,
    named at its last point as well as in the legend.

    Parameters
    ----------
    series
        Name → one value per label.
    target, target_label
        Draws a reference line with its legend label (default none, ``"Target"``).
    """
    styles = ("-", "--", "-.", ":")
    with _style(salt):
        fig, ax = plt.subplots(figsize=(7.2, 4.0))
        x = np.arange(len(labels))
        for k, (name, values) in enumerate(series.items()):
            y = np.asarray(values, dtype=float)
            ax.plot(
                x,
                y,
                color=PALETTE[k % len(PALETTE)],
                marker=MARKERS[k % len(MARKERS)],
                linestyle=styles[k % len(styles)],
                linewidth=1.4,
                markersize=5,
                label=name,
            )
        if target is not None:
            ax.axhline(target, color=INK, linewidth=1, linestyle="--", label=target_label)
        _time_axis(ax, x, labels)
        ax.set_ylabel(ylabel)
        if percent:
            _percent(ax)
            ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
        ax.grid(axis="y", color="#d9d9d9", linewidth=0.6)
        ax.set_title(_wrap(title))
        return fig


def column_chart(
    categories: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    labels: Sequence[str] | None = None,
    highlight: int | None = None,
    salt: str = "columns",
) -> Figure:
    """Vertical columns with their values written above them (e.g. a distribution).

    Parameters
    ----------
    labels
        The text above each column (default the value).
    highlight
        Index of a column drawn hatched (e.g. "no change"); default none.
    """
    with _style(salt):
        fig, ax = plt.subplots(figsize=(7.2, 3.4))
        x = np.arange(len(categories))
        v = np.nan_to_num(np.asarray(values, dtype=float))
        bars = ax.bar(x, v, color=BLUE, width=0.7)
        if highlight is not None and 0 <= highlight < len(bars):
            bars[highlight].set_facecolor("white")
            bars[highlight].set_edgecolor(BLUE)
            bars[highlight].set_hatch("///")
        texts = labels if labels is not None else [f"{x:g}" for x in values]
        for xi, vi, text in zip(x, v, texts, strict=True):
            ax.text(float(xi), float(vi), text, ha="center", va="bottom", fontsize=9)
        ax.set_xticks(x, list(categories))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_ylim(0, max(float(v.max()) if len(v) else 1.0, 1.0) * 1.2)
        ax.set_title(_wrap(title))
        return fig


def stacked_columns(
    labels: Sequence[str],
    parts: Mapping[str, Sequence[float]],
    *,
    title: str,
    ylabel: str,
    totals: Sequence[str] | None = None,
    salt: str = "stacked",
) -> Figure:
    """Columns split into parts (each part its own colour and hatching), totals above.

    Parameters
    ----------
    parts
        Part name → one value per label, bottom part first.
    totals
        The text above each column (default the sum of its parts).
    """
    with _style(salt):
        fig, ax = plt.subplots(figsize=(7.2, 3.8))
        x = np.arange(len(labels))
        bottom = np.zeros(len(labels))
        for k, (name, values) in enumerate(parts.items()):
            v = np.nan_to_num(np.asarray(values, dtype=float))
            ax.bar(
                x,
                v,
                bottom=bottom,
                width=0.7,
                color=PALETTE[k % len(PALETTE)],
                hatch=HATCHES[k % len(HATCHES)],
                edgecolor="white",
                label=name,
            )
            bottom += v
        texts = totals if totals is not None else [f"{v:g}" for v in bottom]
        for xi, total, text in zip(x, bottom, texts, strict=True):
            ax.text(float(xi), float(total), text, ha="center", va="bottom", fontsize=9)
        _time_axis(ax, x, labels)
        ax.set_ylabel(ylabel)
        ax.set_ylim(0, max(float(bottom.max()) if len(bottom) else 1.0, 1.0) * 1.2)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
        ax.set_title(_wrap(title))
        return fig
