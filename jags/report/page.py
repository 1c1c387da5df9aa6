"""The report as one self-contained HTML page: inline styles, charts as inline SVG.

No script, no web font, no image file, no link to anything outside the page.
Every chart is a ``<figure>`` with a title that states the finding, alt text
(``role="img"`` with ``aria-label`` and an SVG ``<title>``), a caption, and a
table beside it holding the same numbers. With ``publish`` every count from 1
to 4 is shown as "<5" (small-number suppression for board papers), in the
tables, the chart labels and the titles; a share computed from such a count
is not shown.

The page's frame is here: the head, the styles, the headline table and the
definitions; the charts' sections come from :mod:`jags.report.run_charts` and
:mod:`jags.report.sections`, built from :mod:`jags.report.markup`.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import pandas as pd

from jags.report.definitions import DEFINITIONS, RATES, SHARES
from jags.report.markup import NAMES, SMALL, View, data_table, kpi_frame, long_date
from jags.report.periods import ALL
from jags.report.run_charts import run_section
from jags.report.sections import (
    backlog_section,
    confidence_section,
    sector_section,
    themes_section,
    utilisation_section,
)

if TYPE_CHECKING:
    from allocator import Policy
    from jags.report.kpis import Results

CSS = """
body{font-family:"DejaVu Sans",Verdana,Arial,sans-serif;color:#1a1a1a;background:#fff;
margin:0 auto;max-width:1400px;padding:1.5rem;line-height:1.45}
h1{font-size:1.6rem;margin:0 0 .3rem}h2{font-size:1.2rem;margin:2rem 0 .6rem;
border-top:2px solid #1f5a96;padding-top:.8rem}h3{font-size:1rem;margin:1rem 0 .4rem}
.lede{margin:.2rem 0 1rem}.pair{display:grid;grid-template-columns:minmax(0,3fr)
minmax(0,2fr);gap:1.2rem;align-items:start}@media (max-width:900px){.pair{display:block}}
figure{margin:0}figure svg{max-width:100%;height:auto}figcaption{font-size:.9rem;
margin-top:.3rem}table{border-collapse:collapse;font-size:.85rem;width:100%}
caption{text-align:left;font-weight:bold;padding:.3rem 0}th,td{border:1px solid #767676;
padding:.25rem .45rem;text-align:right;vertical-align:top}th[scope=row],td.text,
thead th:first-child{text-align:left}thead th{background:#e8eef5}.note{font-size:.9rem;
background:#f3f3f3;border-left:4px solid #595959;padding:.5rem .8rem}
dt{font-weight:bold;margin-top:.6rem}dd{margin:0 0 0 1rem}.scroll{max-height:28rem;overflow:auto}
"""


class Page:
    """Builds the report's page from :class:`Results`."""

    def __init__(
        self, results: Results, policy: Policy, partnership: str, *, publish: bool
    ) -> None:
        self.view = View.of(results, publish=publish)
        self.policy = policy
        self.partnership = partnership

    # The headline table, the definitions and the page ----------------------------------------

    def headline(self) -> str:
        """The whole period's headline measures, each with its counts and target."""
        rows = []
        view = self.view
        n = view.numbers
        for kpi in (
            *RATES,
            *SHARES,
            "median_working_days_to_allocation",
            "p90_working_days_to_allocation",
            "median_working_days_confirmation_to_held",
            "p90_working_days_confirmation_to_held",
        ):
            row = kpi_frame(view.results, kpi).loc[ALL]
            target = row["target"]
            if kpi in RATES or kpi in SHARES:
                value = n.share(row["value"], row["numerator"], row["denominator"])
                counts = f"{n.count(row['numerator'])} of {n.count(row['denominator'])}"
                aim = "—" if pd.isna(target) else f"{target:.0%}"
            else:
                value = n.days(row["value"], row["denominator"])
                counts = f"{n.count(row['denominator'])} requests"
                aim = "—" if pd.isna(target) else f"{target:g} working days"
            rows.append([NAMES[kpi], value, counts, aim])
        backlog = kpi_frame(view.results, "open_backlog").loc[ALL]
        rows.append(
            [
                f"Open backlog on {long_date(view.results.end)}",
                n.count(backlog["value"]),
                "requests",
                "—",
            ]
        )
        return data_table(
            "Headline measures for the whole period",
            ["Measure", "Value", "Counted", "Target"],
            rows,
        )

    def definitions(self) -> str:
        """How the measures are computed, the policy's targets, and each KPI in words."""
        items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in DEFINITIONS.items())
        return (
            f'<section aria-labelledby="h-defs"><h2 id="h-defs">Definitions</h2>'
            f"<p>Each measure is computed identically for every month and for the whole "
            f"period, in working days of the policy's calendar (Monday to Friday, not a "
            f"bank holiday in England and Wales, not a closure day). Day 0 is the day a "
            f"request was received, or the next working day when it was received on a "
            f"non-working day or at or after {self.policy.cutoff.strftime('%H:%M')}. "
            f"Targets from the policy: allocate within "
            f"{self.policy.allocate_within_days} working days, contact within "
            f"{self.policy.contact_days}, session {self.policy.window_first_day}–"
            f"{self.policy.window_last_day} working days after confirmation.</p>"
            f"<dl>{items}</dl></section>"
        )

    def html(self) -> str:
        """The whole page: head and styles, headline table, the charts, the definitions."""
        view = self.view
        note = (
            f'<p class="note">Published version: counts from 1 to {SMALL - 1} are shown '
            f"as “&lt;{SMALL}”, and shares computed from them are not shown.</p>"
            if view.numbers.publish
            else ""
        )
        sections = [run_section(view, k) for k in (*RATES, "median_working_days_to_allocation")]
        sections += [
            backlog_section(view),
            utilisation_section(view),
            sector_section(view),
            themes_section(view),
            confidence_section(view),
        ]
        period = f"{long_date(view.results.start)} to {long_date(view.results.end)}"
        return (
            '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>JAGS QA and KPI report: {escape(period)}</title>"
            f"<style>{CSS}</style></head><body><main>"
            f"<h1>Joint Agency Group Supervision: QA and KPI report</h1>"
            f'<p class="lede">{escape(self.partnership)}, {escape(period)} (the ledger as '
            f"of {escape(long_date(view.results.end))}; policy {escape(self.policy.name)}).</p>"
            f"{note}{self.headline()}{''.join(sections)}{self.definitions()}"
            f"</main></body></html>\n"
        )
