"""The page's other chart sections: open backlog, utilisation, sectors, themes, confidence."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from jags.report import charts
from jags.report.markup import (
    data_table,
    empty_section,
    figure_section,
    kpi_frame,
    long_date,
    month_name,
)
from jags.report.periods import ALL
from jags.report.tables import AGE_BANDS

if TYPE_CHECKING:
    from jags.report.markup import Numbers, View

TOP_THEMES = 10
"""The themes chart shows the ones named most often, at most this many."""


def backlog_section(view: View) -> str:
    """Open requests at each month's end, stacked by age band."""
    frame = view.results.backlog
    wide = frame.pivot(index="period", columns="band", values="count").reindex(
        columns=[b for _, _, b in AGE_BANDS]
    )
    monthly = wide.loc[view.months]
    end = wide.loc[ALL]
    total = int(end.sum())
    late = int(end[[b for lo, _, b in AGE_BANDS if lo > 10]].sum())
    n = view.numbers
    title = (
        f"{n.count(total)} requests open on {long_date(view.results.end)}; {n.count(late)} of "
        f"them more than 10 working days past day 0."
    )
    parts = {
        f"{b} working days": [np.nan if n.small(v) else v for v in monthly[b]]
        for _, _, b in AGE_BANDS
    }
    fig = charts.stacked_columns(
        view.months,
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
        for m in view.months
    ]
    rows.append(
        [f"{view.results.end.isoformat()} (end)", *[n.count(v) for v in end], n.count(total)]
    )
    table = data_table(
        "Open requests by age (working days since day 0) at each month's end",
        ["Month", *[b for _, _, b in AGE_BANDS], "Total"],
        rows,
    )
    caption = (
        "Each column is the open backlog on the month's last day (or the report's "
        "last day), split by age band; each band has its own colour and hatching."
    )
    return figure_section(
        "backlog", "Open backlog by age", charts.to_svg(fig, "backlog"), alt, caption, table
    )


def utilisation_section(view: View) -> str:
    """Facilitator utilisation by sector and month (nothing without places)."""
    daily = view.results.utilisation
    if daily.empty:
        return ""
    daily = daily.assign(period=pd.to_datetime(daily["day"]).dt.strftime("%Y-%m"))
    monthly = daily.groupby(["sector", "period"])[["load", "places"]].sum()
    monthly["value"] = monthly["load"] / monthly["places"].where(monthly["places"] > 0)
    wide = monthly["value"].unstack("period").reindex(columns=view.months)
    overall = kpi_frame(view.results, "utilisation")
    last = view.months[-1]
    busiest = wide[last].dropna()
    if busiest.empty:
        title = "No facilitator places in the period."
    else:
        top = str(busiest.idxmax())
        title = (
            f"{top} facilitators were the busiest in {month_name(last)} "
            f"({busiest.max():.0%} of their places in use; all sectors "
            f"{overall.loc[last, 'value']:.0%})."
        )
    series = {str(s): wide.loc[s].tolist() for s in wide.index}
    fig = charts.line_chart(
        view.months,
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
        [str(s), *[("—" if math.isnan(v) else f"{v:.0%}") for v in wide.loc[s]]] for s in wide.index
    ]
    rows.append(
        [
            "All sectors",
            *[
                ("—" if math.isnan(overall.loc[m, "value"]) else f"{overall.loc[m, 'value']:.0%}")
                for m in view.months
            ],
        ]
    )
    table = data_table(
        "Utilisation by sector and month (open load ÷ places)",
        ["Sector", *view.months],
        rows,
        scroll=True,
    )
    caption = (
        "Each line is one sector's open JAGS as a share of its facilitators' "
        "places, averaged over the month's working days; each has its own marker "
        "and line style, and the dashed line is full capacity."
    )
    return figure_section(
        "utilisation",
        "Facilitator utilisation by sector",
        charts.to_svg(fig, "utilisation"),
        alt,
        caption,
        table,
    )


def sector_section(view: View) -> str:
    """Each sector's share of the requests against its share of facilitator places."""
    results = view.results
    got = results.received[results.received["period"] == ALL]
    asked = got.groupby("sector").size()
    places = results.pool[results.pool["period"] == ALL].set_index("sector")
    sectors = sorted(set(asked.index) | set(places.index), key=lambda s: (-asked.get(s, 0), s))
    total_asked = float(asked.sum())
    total_places = float(places["places"].sum()) if not places.empty else 0.0
    share_asked = [asked.get(s, 0) / total_asked if total_asked else np.nan for s in sectors]
    share_places = [
        places["places"].get(s, 0) / total_places if total_places else np.nan for s in sectors
    ]
    n = view.numbers
    shown_asked = [
        np.nan if n.small(asked.get(s, 0)) else v for s, v in zip(sectors, share_asked, strict=True)
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
    table = data_table(
        "Requests by requesting sector against the facilitator pool",
        ["Sector", "Requests", "Share", "Facilitators", "Places", "Share of places"],
        rows,
    )
    by_org = got.groupby("organisation").size().sort_values(ascending=False)
    org_rows = [[str(o), n.count(float(c))] for o, c in by_org.items()]
    org_table = data_table(
        "Requests by requesting organisation", ["Organisation", "Requests"], org_rows, scroll=True
    )
    caption = (
        "Requests from each sector (solid) against that sector's share of the "
        "facilitators' places (hatched), at the report's last day. The "
        "organisation table lists every requesting organisation."
    )
    return figure_section(
        "sectors",
        "Requests by sector against the facilitator pool",
        charts.to_svg(fig, "sectors"),
        alt,
        caption,
        table + org_table,
    )


def themes_section(view: View) -> str:
    """The themes named most often in session feedback, and the top three by month."""
    counts = view.results.themes
    whole = counts[counts["period"] == ALL].head(TOP_THEMES)
    sessions = kpi_frame(view.results, "feedback_responses")
    n = view.numbers
    if whole.empty:
        return empty_section(
            "themes", "Themes from the sessions", "No feedback with themes in the period."
        )
    top = whole.iloc[0]
    title = (
        f"The theme named most often was “{top['theme']}” ({n.count(top['sessions'])} sessions)."
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
    for month in view.months:
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
    table = data_table(
        "Top themes by month (sessions naming each)", ["Month", "Top themes", "Responses"], rows
    )
    caption = (
        "Themes are the 3–5 words or phrases each group agreed at the end of its "
        "session, counted once per session, ignoring case."
    )
    return figure_section(
        "themes", "Themes from the sessions", charts.to_svg(fig, "themes"), alt, caption, table
    )


def confidence_section(view: View) -> str:
    """How much each response's confidence changed after the session."""
    fb = view.results.feedback.dropna(subset=["change"])
    fb = fb[(fb["day"] >= pd.Timestamp(view.results.start))]
    if fb.empty:
        return empty_section(
            "confidence",
            "Confidence before and after the session",
            "No feedback with before and after scores in the period.",
        )
    scores = view.results.confidence.set_index("period")
    whole = scores.loc[ALL]
    n = view.numbers
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
            _score(n, scores.loc[m, "before_mean"], scores.loc[m, "responses"]),
            _score(n, scores.loc[m, "after_mean"], scores.loc[m, "responses"]),
            _score(n, scores.loc[m, "change_median"], scores.loc[m, "responses"]),
            (
                f"{scores.loc[m, 'change_q1']:g} to {scores.loc[m, 'change_q3']:g}"
                if scores.loc[m, "responses"] and not n.small(scores.loc[m, "responses"])
                else "—"
            ),
        ]
        for m in [*view.months, ALL]
    ]
    table = data_table(
        "Confidence scores by month (mean before and after; change per response)",
        ["Month", "Responses", "Before", "After", "Median change", "Middle half"],
        rows,
    )
    caption = (
        "Each response scores the participant's confidence before and after the "
        "session; the chart counts responses by the change. The hatched column is "
        "no change."
    )
    return figure_section(
        "confidence",
        "Confidence before and after the session",
        charts.to_svg(fig, "confidence"),
        alt,
        caption,
        table,
    )


def _score(n: Numbers, value: float, responses: float) -> str:
    """A mean or median score, unless too few responses to show."""
    if math.isnan(value) or not responses or n.small(responses):
        return "—"
    return f"{value:.1f}"
