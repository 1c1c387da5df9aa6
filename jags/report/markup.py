"""Building blocks of the report page: suppressed numbers, dates, tables and chart figures.

With ``publish`` every count from 1 to :data:`SMALL` − 1 is shown as "<5" and a share
computed from such a count is not shown (:class:`Numbers`). Every chart goes in a
:func:`figure_section`: its heading, the SVG with its accessible name and title, a caption
and a table holding the same numbers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import TYPE_CHECKING

from jags.report.periods import ALL

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from jags.report.kpis import Results

SMALL = 5
"""Counts from 1 to SMALL − 1 are suppressed with ``publish``."""
_NUMBER = re.compile(r"[<—0-9.,%+ -]*(?: to [0-9.,+-]+)?(?: of [<0-9,]+)?")
"""A table cell that is a number (right-aligned); anything else is text."""
NAMES = {
    "allocated_by_deadline": "Allocated by the allocate-by date",
    "contacted_within_target": "Contacted within the contact target",
    "held_within_window": "Held inside the session window",
    "stepped_down": "Stepped down",
    "cancelled": "Cancelled",
    "reallocated": "Reallocated after a decline",
    "median_working_days_to_allocation": "Median working days to allocation",
    "p90_working_days_to_allocation": "90th percentile working days to allocation",
    "median_working_days_confirmation_to_held": "Median working days, confirmation to held",
    "p90_working_days_confirmation_to_held": "90th percentile working days, confirmation to held",
}
"""The headline KPIs as the page names them."""


@dataclass(frozen=True)
class Numbers:
    """Formats counts and shares, suppressing small counts when publishing."""

    publish: bool

    def small(self, n: float) -> bool:
        return self.publish and not math.isnan(n) and 0 < n < SMALL

    def count(self, n: float) -> str:
        if math.isnan(n):
            return "—"
        return f"<{SMALL}" if self.small(n) else f"{n:,.0f}"

    def share(self, value: float, *counts: float) -> str:
        if math.isnan(value) or any(self.small(c) for c in counts):
            return "—"
        return f"{value:.0%}"

    def days(self, value: float, n: float) -> str:
        if math.isnan(value) or self.small(n):
            return "—"
        return f"{value:g}"


@dataclass(frozen=True)
class View:
    """What every section of the page reads: the results, the number formats, the months."""

    results: Results
    numbers: Numbers
    months: list[str]
    """The period's months (``YYYY-MM``), without the whole period."""

    @classmethod
    def of(cls, results: Results, *, publish: bool) -> View:
        """The view of ``results``; with ``publish``, counts under :data:`SMALL` are suppressed."""
        return cls(results, Numbers(publish), [s.label for s in results.spans if s.label != ALL])


def kpi_frame(results: Results, kpi: str) -> pd.DataFrame:
    """One KPI's rows of the KPI table, indexed by period."""
    frame = results.kpis[results.kpis["kpi"] == kpi]
    return frame.set_index("period")


def month_name(label: str) -> str:
    """``2027-01`` as "January 2027"; the whole period in words."""
    if label == ALL:
        return "the whole period"
    return date.fromisoformat(f"{label}-01").strftime("%B %Y")


def long_date(day: date) -> str:
    """A day as "31 January 2027"."""
    return f"{day.day} {day.strftime('%B %Y')}"


def _svg(svg: str, alt: str) -> str:
    """Give an SVG its accessible name and a title."""
    svg = re.sub(r"<svg ", f'<svg role="img" aria-label="{escape(alt)}" ', svg, count=1)
    return re.sub(
        r"(<svg[^>]*>)", lambda m: f"{m.group(1)}<title>{escape(alt)}</title>", svg, count=1
    )


def data_table(
    caption: str, header: Sequence[str], rows: Sequence[Sequence[str]], scroll: bool = False
) -> str:
    """A table with a caption, a header row and the first column as row headers."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            (
                f'<th scope="row">{escape(c)}</th>'
                if i == 0
                else f"<td>{escape(c)}</td>"
                if _NUMBER.fullmatch(c)
                else f'<td class="text">{escape(c)}</td>'
            )
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    table = (
        f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )
    return f'<div class="scroll" tabindex="0">{table}</div>' if scroll else table


def figure_section(key: str, title: str, svg: str, alt: str, caption: str, table: str) -> str:
    """A chart's section: heading, the figure with its caption, and the table beside it."""
    return (
        f'<section aria-labelledby="h-{key}"><h2 id="h-{key}">{escape(title)}</h2>'
        f'<div class="pair"><figure>{_svg(svg, alt)}'
        f"<figcaption>{escape(caption)}</figcaption></figure>{table}</div></section>"
    )


def empty_section(key: str, heading: str, text: str) -> str:
    """A section with a heading and a sentence in place of its chart."""
    return (
        f'<section aria-labelledby="h-{key}"><h2 id="h-{key}">{escape(heading)}</h2>'
        f"<p>{escape(text)}</p></section>"
    )
