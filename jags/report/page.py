"""The report as one self-contained HTML page: inline styles, charts as inline SVG.

No script, no web font, no image file, no link to anything outside the page.
Every chart is a ``<figure>`` with a title that states the finding, alt text
(``role="img"`` with ``aria-label`` and an SVG ``<title>``), a caption, and a
table beside it holding the same numbers. With ``publish`` every count from 1
to 4 is shown as "<5" (small-number suppression for board papers), in the
tables, the chart labels and the titles; a share computed from such a count
is not shown.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from jags.report import charts
from jags.report.kpis import DEFINITIONS, RATES, SHARES
from jags.report.periods import ALL
from jags.report.spc import RULE_WORDS, xmr
from jags.report.tables import AGE_BANDS

if TYPE_CHECKING:
    from collections.abc import Sequence

    from allocator import Policy
    from jags.report.kpis import Results

SMALL = 5
_NUMBER = re.compile(r"[<—0-9.,%+ -]*(?: to [0-9.,+-]+)?(?: of [<0-9,]+)?")
"""Counts from 1 to SMALL − 1 are suppressed with ``publish``."""
TOP_THEMES = 10
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


def _month_name(label: str) -> str:
    if label == ALL:
        return "the whole period"
    return date.fromisoformat(f"{label}-01").strftime("%B %Y")


def _day(day: date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def _svg(svg: str, alt: str) -> str:
    """Give an SVG its accessible name and a title."""
    svg = re.sub(r"<svg ", f'<svg role="img" aria-label="{escape(alt)}" ', svg, count=1)
    return re.sub(
        r"(<svg[^>]*>)", lambda m: f"{m.group(1)}<title>{escape(alt)}</title>", svg, count=1
    )


def _table(
    caption: str, header: Sequence[str], rows: Sequence[Sequence[str]], scroll: bool = False
) -> str:
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


def _figure(key: str, title: str, svg: str, alt: str, caption: str, table: str) -> str:
    return (
        f'<section aria-labelledby="h-{key}"><h2 id="h-{key}">{escape(title)}</h2>'
        f'<div class="pair"><figure>{_svg(svg, alt)}'
        f"<figcaption>{escape(caption)}</figcaption></figure>{table}</div></section>"
    )


def _kpi(results: Results, kpi: str) -> pd.DataFrame:
    frame = results.kpis[results.kpis["kpi"] == kpi]
    return frame.set_index("period")


class Page:
    """Builds the report's sections from :class:`Results`."""

    def __init__(
        self, results: Results, policy: Policy, partnership: str, *, publish: bool
    ) -> None:
        self.r = results
        self.policy = policy
        self.partnership = partnership
        self.n = Numbers(publish)
        self.months = [s.label for s in results.spans if s.label != ALL]

    # Run charts --------------------------------------------------------------------------

    def run_section(self, kpi: str) -> str:
        frame = _kpi(self.r, kpi)
        rate = kpi in RATES
        monthly = frame.loc[self.months]
        values = monthly["value"].to_numpy(dtype=float)
        present = ~np.isnan(values)
        limits = xmr(values[present])
        target = float(frame["target"].iloc[0]) if frame["target"].notna().any() else None
        whole = frame.loc[ALL]
        n = self.n
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
        signals = [
            m for m, s in zip(np.array(self.months)[present], limits.signals, strict=True) if s
        ]
        variation = (
            f"special-cause variation in {', '.join(_month_name(m) for m in signals)}"
            if signals
            else "no special-cause variation"
        )
        title = f"{NAMES[kpi]}: {verdict}; {variation}."
        trial = " (trial limits: fewer than 12 months)" if limits.trial else ""
        shown = [
            v if ok else np.nan for v, ok in zip(values, self._visible(monthly, rate), strict=True)
        ]
        fig = charts.run_chart(
            self.months,
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
            f"Run chart of {NAMES[kpi].lower()} by month, {self.months[0]} to "
            f"{self.months[-1]}, with its mean, process limits{trial} and target line. "
            f"{title}"
        )
        lower, upper = limits.lower, limits.upper
        if rate:  # a share's limits stop at 0% and 100%
            lower, upper = max(lower, 0.0), min(upper, 1.0)
        bounds = (
            f"process limits {self._fmt(lower, rate)} to {self._fmt(upper, rate)}{trial}"
            if not math.isnan(upper)
            else "process limits need at least 2 months with a value"
        )
        caption = (
            f"XmR chart: mean {self._fmt(limits.mean, rate)}, {bounds}. Triangles "
            f"mark special-cause points (up: improvement, down: concern)."
        )
        rows = []
        sig = dict(zip(np.array(self.months)[present], limits.signals, strict=True))
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
        table = _table(f"{NAMES[kpi]} by month", header, rows)
        return _figure(kpi, NAMES[kpi], charts.to_svg(fig, kpi), alt, caption, table)

    def _visible(self, monthly: pd.DataFrame, rate: bool) -> list[bool]:
        if rate:
            return [
                not (self.n.small(a) or self.n.small(b))
                for a, b in zip(monthly["numerator"], monthly["denominator"], strict=True)
            ]
        return [not self.n.small(b) for b in monthly["denominator"]]

    @staticmethod
    def _fmt(value: float, rate: bool) -> str:
        if math.isnan(value):
            return "—"
        return f"{value:.0%}" if rate else f"{value:.1f}"

    # Other charts --------------------------------------------------------------------------

    def backlog_section(self) -> str:
        frame = self.r.backlog
        wide = frame.pivot(index="period", columns="band", values="count").reindex(
            columns=[b for _, _, b in AGE_BANDS]
        )
        monthly = wide.loc[self.months]
        end = wide.loc[ALL]
        total = int(end.sum())
        late = int(end[[b for lo, _, b in AGE_BANDS if lo > 10]].sum())
        n = self.n
        title = (
            f"{n.count(total)} requests open on {_day(self.r.end)}; {n.count(late)} of "
            f"them more than 10 working days past day 0."
        )
        parts = {
            f"{b} working days": [np.nan if n.small(v) else v for v in monthly[b]]
            for _, _, b in AGE_BANDS
        }
        fig = charts.stacked_columns(
            self.months,
            parts,
            title=title,
            ylabel="Open requests at the month's end",
            totals=[n.count(v) for v in monthly.sum(axis=1)],
            salt="backlog",
        )
        alt = (
            f"Stacked columns of open requests at each month's end by age in working days "
            f"since day 0 (bands {', '.join(b for _, _, b in AGE_BANDS)}). {title}"
        )
        rows = [
            [m, *[n.count(v) for v in monthly.loc[m]], n.count(monthly.loc[m].sum())]
            for m in self.months
        ]
        rows.append([f"{self.r.end.isoformat()} (end)", *[n.count(v) for v in end], n.count(total)])
        table = _table(
            "Open requests by age (working days since day 0) at each month's end",
            ["Month", *[b for _, _, b in AGE_BANDS], "Total"],
            rows,
        )
        caption = (
            "Each column is the open backlog on the month's last day (or the report's "
            "last day), split by age band; each band has its own colour and hatching."
        )
        return _figure(
            "backlog", "Open backlog by age", charts.to_svg(fig, "backlog"), alt, caption, table
        )

    def utilisation_section(self) -> str:
        daily = self.r.utilisation
        if daily.empty:
            return ""
        daily = daily.assign(period=pd.to_datetime(daily["day"]).dt.strftime("%Y-%m"))
        monthly = daily.groupby(["sector", "period"])[["load", "places"]].sum()
        monthly["value"] = monthly["load"] / monthly["places"].where(monthly["places"] > 0)
        wide = monthly["value"].unstack("period").reindex(columns=self.months)
        overall = _kpi(self.r, "utilisation")
        last = self.months[-1]
        busiest = wide[last].dropna()
        if busiest.empty:
            title = "No facilitator places in the period."
        else:
            top = str(busiest.idxmax())
            title = (
                f"{top} facilitators were the busiest in {_month_name(last)} "
                f"({busiest.max():.0%} of their places in use; all sectors "
                f"{overall.loc[last, 'value']:.0%})."
            )
        series = {str(s): wide.loc[s].tolist() for s in wide.index}
        fig = charts.line_chart(
            self.months,
            series,
            title=title,
            ylabel="Open load ÷ places (working-day average)",
            target=1.0,
            target_label="Full (100%)",
            percent=True,
            salt="utilisation",
        )
        alt = (
            f"Line chart of facilitator utilisation (open JAGS divided by personal "
            f"maximum) by sector and month. {title}"
        )
        rows = [
            [str(s), *[("—" if math.isnan(v) else f"{v:.0%}") for v in wide.loc[s]]]
            for s in wide.index
        ]
        rows.append(
            [
                "All sectors",
                *[
                    (
                        "—"
                        if math.isnan(overall.loc[m, "value"])
                        else f"{overall.loc[m, 'value']:.0%}"
                    )
                    for m in self.months
                ],
            ]
        )
        table = _table(
            "Utilisation by sector and month (open load ÷ places)",
            ["Sector", *self.months],
            rows,
            scroll=True,
        )
        caption = (
            "Each line is one sector's open JAGS as a share of its facilitators' "
            "places, averaged over the month's working days; each has its own marker "
            "and line style, and the dashed line is full capacity."
        )
        return _figure(
            "utilisation",
            "Facilitator utilisation by sector",
            charts.to_svg(fig, "utilisation"),
            alt,
            caption,
            table,
        )

    def sector_section(self) -> str:
        got = self.r.received[self.r.received["period"] == ALL]
        asked = got.groupby("sector").size()
        places = self.r.pool[self.r.pool["period"] == ALL].set_index("sector")
        sectors = sorted(set(asked.index) | set(places.index), key=lambda s: (-asked.get(s, 0), s))
        total_asked = float(asked.sum())
        total_places = float(places["places"].sum()) if not places.empty else 0.0
        share_asked = [asked.get(s, 0) / total_asked if total_asked else np.nan for s in sectors]
        share_places = [
            places["places"].get(s, 0) / total_places if total_places else np.nan for s in sectors
        ]
        n = self.n
        shown_asked = [
            np.nan if n.small(asked.get(s, 0)) else v
            for s, v in zip(sectors, share_asked, strict=True)
        ]
        if sectors and total_asked:
            top = sectors[0]
            title = (
                f"{top} made {n.share(share_asked[0], asked.get(top, 0))} of the "
                f"period's requests and holds "
                f"{share_places[0]:.0%} of facilitator places."
            )
        else:
            title = "No requests in the period."
        fig = charts.paired_bars(
            sectors,
            shown_asked,
            share_places,
            names=("Share of requests", "Share of facilitator places"),
            title=title,
            xlabel="Share of the total",
            salt="sectors",
        )
        alt = (
            f"Paired bar chart: for each sector, its share of the period's requests "
            f"(solid bars) beside its share of facilitator places (hatched bars). {title}"
        )
        rows = [
            [
                s,
                n.count(float(asked.get(s, 0))),
                n.share(a, asked.get(s, 0)),
                n.count(float(places["facilitators"].get(s, 0)) if not places.empty else 0),
                f"{places['places'].get(s, 0) if not places.empty else 0:g}",
                "—" if math.isnan(p) else f"{p:.0%}",
            ]
            for s, a, p in zip(sectors, share_asked, share_places, strict=True)
        ]
        table = _table(
            "Requests by requesting sector against the facilitator pool",
            ["Sector", "Requests", "Share", "Facilitators", "Places", "Share of places"],
            rows,
        )
        by_org = got.groupby("organisation").size().sort_values(ascending=False)
        org_rows = [[str(o), n.count(float(c))] for o, c in by_org.items()]
        org_table = _table(
            "Requests by requesting organisation",
            ["Organisation", "Requests"],
            org_rows,
            scroll=True,
        )
        caption = (
            "Requests from each sector (solid) against that sector's share of the "
            "facilitators' places (hatched), at the report's last day. The "
            "organisation table lists every requesting organisation."
        )
        return _figure(
            "sectors",
            "Requests by sector against the facilitator pool",
            charts.to_svg(fig, "sectors"),
            alt,
            caption,
            table + org_table,
        )

    def themes_section(self) -> str:
        counts = self.r.themes
        whole = counts[counts["period"] == ALL].head(TOP_THEMES)
        sessions = _kpi(self.r, "feedback_responses")
        n = self.n
        if whole.empty:
            return self._empty(
                "themes", "Themes from the sessions", "No feedback with themes in the period."
            )
        top = whole.iloc[0]
        title = (
            f"The theme named most often was “{top['theme']}” "
            f"({n.count(top['sessions'])} sessions)."
        )
        fig = charts.bar_chart(
            whole["theme"].tolist(),
            [np.nan if n.small(v) else v for v in whole["sessions"]],
            title=title,
            xlabel="Sessions naming the theme",
            labels=[n.count(v) for v in whole["sessions"]],
            salt="themes",
        )
        alt = (
            f"Bar chart of the {len(whole)} themes named most often in session feedback "
            f"over the period. {title}"
        )
        monthly = counts[counts["period"] != ALL]
        rows = []
        for month in self.months:
            mine = monthly[monthly["period"] == month].head(3)
            rows.append(
                [
                    month,
                    "; ".join(
                        f"{t} ({n.count(s)})"
                        for t, s in zip(mine["theme"], mine["sessions"], strict=True)
                    )
                    or "—",
                    n.count(sessions.loc[month, "value"]),
                ]
            )
        table = _table(
            "Top themes by month (sessions naming each)", ["Month", "Top themes", "Responses"], rows
        )
        caption = (
            "Themes are the 3–5 words or phrases each group agreed at the end of its "
            "session, counted once per session, ignoring case."
        )
        return _figure(
            "themes", "Themes from the sessions", charts.to_svg(fig, "themes"), alt, caption, table
        )

    def confidence_section(self) -> str:
        fb = self.r.feedback.dropna(subset=["change"])
        fb = fb[(fb["day"] >= pd.Timestamp(self.r.start))]
        if fb.empty:
            return self._empty(
                "confidence",
                "Confidence before and after the session",
                "No feedback with before and after scores in the period.",
            )
        scores = self.r.confidence.set_index("period")
        whole = scores.loc[ALL]
        n = self.n
        changes = fb["change"].astype(int)
        values = list(range(int(changes.min()), int(changes.max()) + 1))
        counted = changes.value_counts().reindex(values, fill_value=0)
        median = float(whole["change_median"])
        moved = "rose" if median > 0 else "fell" if median < 0 else "did not change"
        size = (
            f" by a median of {abs(median):g} point{'' if abs(median) == 1 else 's'}"
            if median
            else " (median change 0)"
        )
        title = (
            f"Confidence {moved}{size} after "
            f"the session (middle half {whole['change_q1']:g} to "
            f"{whole['change_q3']:g}; {n.count(whole['responses'])} responses)."
            if not n.small(whole["responses"])
            else "Fewer than 5 responses with before and after scores."
        )
        fig = charts.column_chart(
            [f"{v:+d}" if v else "0" for v in values],
            [np.nan if n.small(c) else c for c in counted],
            title=title,
            xlabel="Change in confidence (after − before)",
            ylabel="Responses",
            labels=[n.count(c) for c in counted],
            highlight=values.index(0) if 0 in values else None,
            salt="confidence",
        )
        alt = (
            f"Column chart of how many responses changed their confidence score by each "
            f"amount after the session. {title}"
        )
        rows = [
            [
                m,
                n.count(scores.loc[m, "responses"]),
                self._score(scores.loc[m, "before_mean"], scores.loc[m, "responses"]),
                self._score(scores.loc[m, "after_mean"], scores.loc[m, "responses"]),
                self._score(scores.loc[m, "change_median"], scores.loc[m, "responses"]),
                (
                    f"{scores.loc[m, 'change_q1']:g} to {scores.loc[m, 'change_q3']:g}"
                    if scores.loc[m, "responses"] and not n.small(scores.loc[m, "responses"])
                    else "—"
                ),
            ]
            for m in [*self.months, ALL]
        ]
        table = _table(
            "Confidence scores by month (mean before and after; change per response)",
            ["Month", "Responses", "Before", "After", "Median change", "Middle half"],
            rows,
        )
        caption = (
            "Each response scores the participant's confidence before and after the "
            "session; the chart counts responses by the change. The hatched column is "
            "no change."
        )
        return _figure(
            "confidence",
            "Confidence before and after the session",
            charts.to_svg(fig, "confidence"),
            alt,
            caption,
            table,
        )

    def _score(self, value: float, responses: float) -> str:
        if math.isnan(value) or not responses or self.n.small(responses):
            return "—"
        return f"{value:.1f}"

    @staticmethod
    def _empty(key: str, heading: str, text: str) -> str:
        return (
            f'<section aria-labelledby="h-{key}"><h2 id="h-{key}">{escape(heading)}</h2>'
            f"<p>{escape(text)}</p></section>"
        )

    # Headline table and the page -------------------------------------------------------------

    def headline(self) -> str:
        rows = []
        n = self.n
        for kpi in (
            *RATES,
            *SHARES,
            "median_working_days_to_allocation",
            "p90_working_days_to_allocation",
            "median_working_days_confirmation_to_held",
            "p90_working_days_confirmation_to_held",
        ):
            row = _kpi(self.r, kpi).loc[ALL]
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
        backlog = _kpi(self.r, "open_backlog").loc[ALL]
        rows.append(
            [f"Open backlog on {_day(self.r.end)}", n.count(backlog["value"]), "requests", "—"]
        )
        return _table(
            "Headline measures for the whole period",
            ["Measure", "Value", "Counted", "Target"],
            rows,
        )

    def definitions(self) -> str:
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
        note = (
            f'<p class="note">Published version: counts from 1 to {SMALL - 1} are shown '
            f"as “&lt;{SMALL}”, and shares computed from them are not shown.</p>"
            if self.n.publish
            else ""
        )
        sections = [self.run_section(k) for k in (*RATES, "median_working_days_to_allocation")]
        sections += [
            self.backlog_section(),
            self.utilisation_section(),
            self.sector_section(),
            self.themes_section(),
            self.confidence_section(),
        ]
        period = f"{_day(self.r.start)} to {_day(self.r.end)}"
        return (
            '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>JAGS QA and KPI report: {escape(period)}</title>"
            f"<style>{CSS}</style></head><body><main>"
            f"<h1>Joint Agency Group Supervision: QA and KPI report</h1>"
            f'<p class="lede">{escape(self.partnership)}, {escape(period)} (the ledger as '
            f"of {escape(_day(self.r.end))}; policy {escape(self.policy.name)}).</p>"
            f"{note}{self.headline()}{''.join(sections)}{self.definitions()}"
            f"</main></body></html>\n"
        )
