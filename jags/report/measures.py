"""The other KPIs: working-day distributions, backlog, requests, pool, utilisation, feedback.

Each ``*_rows`` function turns one of the report's tables (:mod:`jags.report.tables`) into
rows of the KPI table (kpi, period, numerator, denominator, value).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from jags.report.periods import in_periods

if TYPE_CHECKING:
    from jags.report.periods import Period, Workdays


def nearest_rank(values: pd.Series, share: float) -> float:
    """The value at position ⌈share × n⌉ of the sorted values (``nan`` when empty)."""
    ordered = np.sort(values.dropna().to_numpy(dtype=float))
    if len(ordered) == 0:
        return float("nan")
    return float(ordered[max(math.ceil(share * len(ordered)), 1) - 1])


def duration_table(jobs: pd.DataFrame, work: Workdays, spans: list[Period]) -> pd.DataFrame:
    """Median and 90th percentile of working days to allocation and confirmation → held."""
    to_alloc = pd.DataFrame(
        {
            "unit": jobs["request_id"],
            "day": jobs["first_allocated_on"],
            "days": work.between(jobs["day_zero"], jobs["first_allocated_on"]),
            "measure": "working_days_to_allocation",
        }
    )
    to_held = pd.DataFrame(
        {
            "unit": jobs["request_id"],
            "day": jobs["held_on"],
            "days": work.between(jobs["confirmed_on"], jobs["held_on"]),
            "measure": "working_days_confirmation_to_held",
        }
    )
    both = pd.concat([to_alloc, to_held], ignore_index=True).dropna(subset=["day", "days"])
    long = in_periods(both, ["measure", "unit", "days"], ["day"], spans)
    grouped = long.groupby(["measure", "period"], sort=False)["days"]
    stats = pd.DataFrame(
        {
            "median": grouped.median(),
            "p90": grouped.agg(lambda s: nearest_rank(s, 0.9)),
            "denominator": grouped.size(),
        }
    )
    rows = []
    for measure in ("working_days_to_allocation", "working_days_confirmation_to_held"):
        for stat in ("median", "p90"):
            for span in spans:
                key = (measure, span.label)
                found = key in stats.index
                rows.append(
                    {
                        "kpi": f"{stat}_{measure}",
                        "period": span.label,
                        "numerator": np.nan,
                        "denominator": float(stats.at[key, "denominator"]) if found else 0.0,
                        "value": float(stats.at[key, stat]) if found else np.nan,
                    }
                )
    return pd.DataFrame(rows)


# Rows of the KPI table from the report's other tables ----------------------------------


def backlog_rows(open_backlog: pd.DataFrame) -> pd.DataFrame:
    """``open_backlog`` per period, and ``open_backlog_age_<band>`` as a share of it."""
    total = open_backlog.groupby("period", sort=False)["count"].sum()
    rows = [
        {
            "kpi": "open_backlog",
            "period": p,
            "numerator": float(n),
            "denominator": np.nan,
            "value": float(n),
        }
        for p, n in total.items()
    ]
    for row in open_backlog.itertuples():
        den = float(total[row.period])
        rows.append(
            {
                "kpi": f"open_backlog_age_{row.band}",
                "period": row.period,
                "numerator": float(row.count),
                "denominator": den,
                "value": row.count / den if den else np.nan,
            }
        )
    return pd.DataFrame(rows)


def received_rows(got: pd.DataFrame, spans: list[Period]) -> pd.DataFrame:
    """``requests_received`` per period, and its shares by sector and by organisation."""
    totals = got.groupby("period").size()
    rows = [
        {
            "kpi": "requests_received",
            "period": s.label,
            "numerator": float(totals.get(s.label, 0)),
            "denominator": np.nan,
            "value": float(totals.get(s.label, 0)),
        }
        for s in spans
    ]
    for column, name in (
        ("sector", "requests_by_sector"),
        ("organisation", "requests_by_organisation"),
    ):
        counts = got.groupby([column, "period"]).size()
        for group in sorted(got[column].unique()):
            for span in spans:
                n = float(counts.get((group, span.label), 0))
                den = float(totals.get(span.label, 0))
                rows.append(
                    {
                        "kpi": f"{name}:{group}",
                        "period": span.label,
                        "numerator": n,
                        "denominator": den,
                        "value": n / den if den else np.nan,
                    }
                )
    return pd.DataFrame(rows)


def pool_rows(places: pd.DataFrame) -> pd.DataFrame:
    """``facilitator_pool:<sector>``: each sector's places and its share of all places."""
    totals = places.groupby("period")["places"].sum()
    return pd.DataFrame(
        [
            {
                "kpi": f"facilitator_pool:{r.sector}",
                "period": r.period,
                "numerator": float(r.places),
                "denominator": float(totals[r.period]),
                "value": r.places / totals[r.period],
            }
            for r in places.sort_values(["sector"], kind="stable").itertuples()
        ]
    )


def utilisation_rows(daily: pd.DataFrame, spans: list[Period]) -> pd.DataFrame:
    """``utilisation`` (open load ÷ places) per period, overall and by sector."""
    rows = []
    for span in spans:
        inside = daily[
            (daily["day"] >= pd.Timestamp(span.start)) & (daily["day"] <= pd.Timestamp(span.end))
        ]
        by_sector = inside.groupby("sector")[["load", "places"]].sum()
        whole = [("utilisation", inside["load"].sum(), inside["places"].sum())]
        whole += [(f"utilisation:{s}", r.load, r.places) for s, r in by_sector.iterrows()]
        rows += [
            {
                "kpi": k,
                "period": span.label,
                "numerator": float(n),
                "denominator": float(d),
                "value": n / d if d else np.nan,
            }
            for k, n, d in whole
        ]
    return pd.DataFrame(rows)


def feedback_rows(
    fb: pd.DataFrame, theme_counts: pd.DataFrame, scores: pd.DataFrame, spans: list[Period]
) -> pd.DataFrame:
    """Feedback responses, confidence changes and ``theme:<words>`` shares per period."""
    long = in_periods(
        fb[["response_id", "request_id", "day"]], ["response_id", "request_id"], ["day"], spans
    )
    responses = long.groupby("period").size()
    sessions = long.drop_duplicates(["period", "request_id"]).groupby("period").size()
    rows = []
    for span, score in zip(spans, scores.itertuples(), strict=True):
        n = float(responses.get(span.label, 0))
        rows.append(
            {
                "kpi": "feedback_responses",
                "period": span.label,
                "numerator": n,
                "denominator": np.nan,
                "value": n,
            }
        )
        scored = float(score.responses)
        rows.append(
            {
                "kpi": "confidence_change_mean",
                "period": span.label,
                "numerator": np.nan,
                "denominator": scored,
                "value": score.change_mean,
            }
        )
        rows.append(
            {
                "kpi": "confidence_change_median",
                "period": span.label,
                "numerator": np.nan,
                "denominator": scored,
                "value": score.change_median,
            }
        )
        rows.append(
            {
                "kpi": "confidence_improved",
                "period": span.label,
                "numerator": float(score.improved),
                "denominator": scored,
                "value": score.improved / scored if scored else np.nan,
            }
        )
    for row in theme_counts.itertuples():
        den = float(sessions.get(row.period, 0))
        rows.append(
            {
                "kpi": f"theme:{row.theme}",
                "period": row.period,
                "numerator": float(row.sessions),
                "denominator": den,
                "value": row.sessions / den if den else np.nan,
            }
        )
    return pd.DataFrame(rows)
