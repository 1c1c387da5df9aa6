"""The KPIs: pure functions over the ledger's tidy tables.

Every KPI is computed the same way for each calendar month of the period
(clipped to ``--from`` and ``--to``) and for the whole period (``all``). The
ledger is read *as of* the period's last day: events after it are ignored,
so a report for a past period is the same whenever it is run. Working days
use the policy's calendar (:class:`allocator.workdays.WorkingCalendar`:
Monday–Friday, not a bank holiday in England and Wales, not a closure day),
and day 0 is the allocator's (the day received, or the next working day when
received on a non-working day or at/after the cut-off). Only requests from
the form count (history rows imported at ``jags init`` have no day 0), except
in utilisation, which counts every allocation.

See :data:`DEFINITIONS` for each KPI in words; the README repeats them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from jags.report.periods import ENDINGS, Period, Workdays, in_periods, periods
from jags.report.tables import (
    backlog,
    confidence,
    feedback_frame,
    pool,
    received,
    sector_lookup,
    themes,
    utilisation,
)

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date

    from allocator import Policy
    from jags.report.query import LedgerData

KPI_COLUMNS = ("kpi", "period", "numerator", "denominator", "value", "target")
DEFAULT_RATE_TARGET = 0.9
"""Default target share for the three timeliness measures (``--target`` changes it)."""

RATES = ("allocated_by_deadline", "contacted_within_target", "held_within_window")
SHARES = ("stepped_down", "cancelled", "reallocated")

DEFINITIONS: dict[str, str] = {
    "allocated_by_deadline": (
        "Of the requests whose allocate-by date falls in the period, or that were first "
        "allocated in it, the share first allocated on or before their allocate-by date "
        "(day 0 + the policy's allocate_within_days working days). A request cancelled on "
        "or before its allocate-by date without an allocation is left out."
    ),
    "contacted_within_target": (
        "Of the allocations whose contact-due date (allocation day + the policy's "
        "contact_days working days) falls in the period, or whose contact was recorded in "
        "it, the share contacted on or before that date. Contact is the first of contacted, "
        "confirmed or stepped_down recorded after the allocation. Each allocation counts, so "
        "a request reallocated after a decline counts again; an allocation declined or "
        "cancelled on or before its due date without contact is left out."
    ),
    "held_within_window": (
        "Of the confirmed requests whose session window (working days window_first_day to "
        "window_last_day after the latest confirmation) closes in the period, or that were "
        "held in it, the share held inside the window, both ends included. A request "
        "stepped down or cancelled before its window closed without being held is left "
        "out; a confirmation followed by a decline does not count."
    ),
    "stepped_down": (
        "Of the requests that ended in the period (held, stepped down or cancelled, "
        "whichever came first), the number and share stepped down."
    ),
    "cancelled": ("Of the requests that ended in the period, the number and share cancelled."),
    "reallocated": (
        "Of the requests first allocated in the period, the number and share declined by "
        "a facilitator at least once (and so allocated again)."
    ),
    "median_working_days_to_allocation": (
        "Median working days from day 0 to the first allocation, over the requests first "
        "allocated in the period (0 when allocated on day 0 or before it; the mean of the "
        "two middle values when the count is even)."
    ),
    "p90_working_days_to_allocation": (
        "90th percentile (nearest rank: the value at position ⌈0.9 × n⌉ in ascending "
        "order) of the same working days, over the same requests."
    ),
    "median_working_days_confirmation_to_held": (
        "Median working days from the latest confirmation to the session being held, over "
        "the requests held in the period."
    ),
    "p90_working_days_confirmation_to_held": (
        "90th percentile (nearest rank) of the same working days, over the same requests."
    ),
    "open_backlog": (
        "Requests received and not yet ended (held, stepped down or cancelled) at the "
        "period's last day; by age band: working days from day 0 to that day "
        "(open_backlog_age_0-2 … _21+; numerator the band, denominator all open)."
    ),
    "requests_received": (
        "Requests received in the period (by the London date received); by requesting "
        "sector (requests_by_sector:<sector>) and organisation "
        "(requests_by_organisation:<organisation>), each with its share of the period's "
        "requests."
    ),
    "facilitator_pool": (
        "Facilitator places at the period's last day by sector (facilitator_pool:<sector>): "
        "the sum of the personal maximum of open JAGS of the facilitators then in the "
        "workspace, with the sector's share of all places."
    ),
    "utilisation": (
        "Open load ÷ maximum, summed over the period's working days: numerator the "
        "facilitator-days of open JAGS (an allocation counts from its allocation day until "
        "the day before it ended), denominator the facilitator-days of places (each "
        "facilitator's personal maximum); overall and by the facilitator's sector "
        "(utilisation:<sector>)."
    ),
    "feedback": (
        "Feedback form responses for sessions in the period (the session's held date, else "
        "the response's date): feedback_responses; confidence_change_mean and "
        "confidence_change_median (after − before score per response); "
        "confidence_improved (responses whose after score is higher); theme:<words> (the "
        "number of sessions whose feedback names the theme, of the sessions with feedback)."
    ),
}


# Journeys -------------------------------------------------------------------------------

CONTACTS = ("contacted", "confirmed", "stepped_down")


def as_of(data: LedgerData, day: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The form requests received by ``day`` and their events up to ``day``."""
    end = pd.Timestamp(day)
    requests = data.requests[
        (data.requests["origin"] == "form")
        & data.requests["day_zero"].notna()
        & (data.requests["received_on"] <= end)
    ]
    events = data.events[
        (data.events["on"] <= end) & data.events["request_id"].isin(requests["request_id"])
    ]
    return requests.reset_index(drop=True), events.reset_index(drop=True)


def journeys(requests: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """One row per request with its milestones from the events.

    Columns: those of ``requests`` plus ``first_allocated_on``, ``declines``,
    ``end_event`` and ``end_on`` (the first of held, stepped_down, cancelled),
    ``held_on`` and ``confirmed_on`` (the latest confirmation not followed by a
    decline).
    """
    by = events.groupby("request_id")
    first_alloc = events[events["event"] == "allocated"].groupby("request_id")["on"].min()
    declines = events[events["event"] == "declined"].groupby("request_id").size()
    ends = (
        events[events["event"].isin(ENDINGS)]
        .sort_values("seq")
        .drop_duplicates("request_id")
        .set_index("request_id")
    )
    held = events[events["event"] == "held"].groupby("request_id")["on"].min()
    confirmed = (
        events[events["event"] == "confirmed"]
        .sort_values("seq")
        .drop_duplicates("request_id", keep="last")
        .set_index("request_id")
    )
    last_decline = events[events["event"] == "declined"].groupby("request_id")["seq"].max()
    valid = confirmed["seq"] > last_decline.reindex(confirmed.index).fillna(-1)
    out = requests.set_index("request_id")
    out["first_allocated_on"] = first_alloc.reindex(out.index)
    out["declines"] = declines.reindex(out.index).fillna(0).astype(int)
    out["end_event"] = ends["event"].reindex(out.index)
    out["end_on"] = ends["on"].reindex(out.index)
    out["held_on"] = held.reindex(out.index)
    out["confirmed_on"] = confirmed["on"][valid].reindex(out.index)
    del by
    return out.reset_index()


def contact_spells(events: pd.DataFrame) -> pd.DataFrame:
    """One row per allocation event: ``request_id``, ``unit``, ``allocated_on``,
    ``contacted_on`` (first contact after it) and ``ended_on`` (declined or cancelled
    before any contact)."""
    rows: list[tuple[str, str, object, object, object]] = []
    for rid, group in events.sort_values("seq").groupby("request_id", sort=True):
        spell: list[object] | None = None
        count = 0
        for kind, on in zip(group["event"], group["on"], strict=True):
            if kind == "allocated":
                if spell is not None:
                    rows.append((rid, f"{rid}#{count}", *spell))
                count += 1
                spell = [on, pd.NaT, pd.NaT]
            elif spell is not None and pd.isna(spell[1]) and pd.isna(spell[2]):
                if kind in CONTACTS:
                    spell[1] = on
                elif kind in ("declined", "cancelled"):
                    spell[2] = on
        if spell is not None:
            rows.append((rid, f"{rid}#{count}", *spell))
    frame = pd.DataFrame(
        rows, columns=["request_id", "unit", "allocated_on", "contacted_on", "ended_on"]
    )
    for column in ("allocated_on", "contacted_on", "ended_on"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


# Observations: one row per unit counted by a KPI ---------------------------------------------


def observations(
    jobs: pd.DataFrame, spells: pd.DataFrame, work: Workdays, policy: Policy
) -> pd.DataFrame:
    """Every unit each rate or share KPI counts, tidy.

    Columns: ``kpi``, ``unit``, ``due`` and ``done`` (the dates that put the unit
    in a period: it counts in every period holding either), ``met``.
    """
    frames = []
    due = jobs["allocate_by"]
    done = jobs["first_allocated_on"]
    dropped = done.isna() & jobs["end_on"].notna() & (jobs["end_on"] <= due)
    frames.append(
        _obs(
            "allocated_by_deadline",
            jobs["request_id"],
            due,
            done,
            done.notna() & (done <= due),
            ~dropped,
        )
    )
    contact_due = work.add(spells["allocated_on"], policy.contact_days)
    contacted = spells["contacted_on"]
    dropped = contacted.isna() & spells["ended_on"].notna() & (spells["ended_on"] <= contact_due)
    frames.append(
        _obs(
            "contacted_within_target",
            spells["unit"],
            contact_due,
            contacted,
            contacted.notna() & (contacted <= contact_due),
            ~dropped,
        )
    )
    opens = work.add(jobs["confirmed_on"], policy.window_first_day)
    closes = work.add(jobs["confirmed_on"], policy.window_last_day)
    held = jobs["held_on"].where(jobs["confirmed_on"].notna())
    dropped = held.isna() & jobs["end_on"].notna() & (jobs["end_on"] <= closes)
    frames.append(
        _obs(
            "held_within_window",
            jobs["request_id"],
            closes,
            held,
            held.notna() & (held >= opens) & (held <= closes),
            jobs["confirmed_on"].notna() & ~dropped,
        )
    )
    never = pd.Series(pd.NaT, index=jobs.index, dtype="datetime64[ns]")
    for kpi in ("stepped_down", "cancelled"):
        frames.append(
            _obs(
                kpi,
                jobs["request_id"],
                never,
                jobs["end_on"],
                jobs["end_event"] == kpi,
                jobs["end_on"].notna(),
            )
        )
    frames.append(
        _obs(
            "reallocated",
            jobs["request_id"],
            never,
            jobs["first_allocated_on"],
            jobs["declines"] > 0,
            jobs["first_allocated_on"].notna(),
        )
    )
    return pd.concat(frames, ignore_index=True)


def _obs(
    kpi: str, unit: pd.Series, due: pd.Series, done: pd.Series, met: pd.Series, keep: pd.Series
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "kpi": kpi,
            "unit": unit.astype(str),
            "due": pd.to_datetime(due),
            "done": pd.to_datetime(done),
            "met": met.fillna(False).astype(bool),
        }
    )
    return frame[keep.fillna(False).astype(bool).to_numpy()]


def rate_table(obs: pd.DataFrame, spans: list[Period]) -> pd.DataFrame:
    """Numerator (units met), denominator (units) and value per KPI and period."""
    long = in_periods(obs, ["kpi", "unit", "met"], ["due", "done"], spans)
    counted = long.groupby(["kpi", "period"], sort=False).agg(
        numerator=("met", "sum"), denominator=("met", "size")
    )
    table = _complete(counted, [*RATES, *SHARES], spans)
    table["value"] = table["numerator"] / table["denominator"].where(table["denominator"] > 0)
    return table


def _complete(counted: pd.DataFrame, kpis: list[str], spans: list[Period]) -> pd.DataFrame:
    """Every KPI × period, zero where nothing counted."""
    index = pd.MultiIndex.from_product([kpis, [s.label for s in spans]], names=["kpi", "period"])
    return counted.reindex(index, fill_value=0).astype(float).reset_index()


# Distributions ---------------------------------------------------------------------------


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


# The whole KPI table ---------------------------------------------------------------------


@dataclass(frozen=True)
class Targets:
    """Targets for the KPI table and the run charts.

    Attributes
    ----------
    rates
        Target share for each timeliness KPI (default :data:`DEFAULT_RATE_TARGET`).
    """

    rates: Mapping[str, float] = field(
        default_factory=lambda: dict.fromkeys(RATES, DEFAULT_RATE_TARGET)
    )

    def of(self, kpi: str, policy: Policy) -> float | None:
        """The target of ``kpi``: a share, or working days from the policy."""
        if kpi in self.rates:
            return self.rates[kpi]
        if kpi.endswith("working_days_to_allocation"):
            return float(policy.allocate_within_days)
        if kpi.endswith("working_days_confirmation_to_held"):
            return float(policy.window_last_day)
        return None


@dataclass(frozen=True)
class Results:
    """Everything the report shows, computed from the ledger as of ``end``."""

    start: date
    end: date
    spans: list[Period]
    kpis: pd.DataFrame
    backlog: pd.DataFrame
    received: pd.DataFrame
    pool: pd.DataFrame
    utilisation: pd.DataFrame
    themes: pd.DataFrame
    confidence: pd.DataFrame
    feedback: pd.DataFrame


def compute(
    data: LedgerData,
    start: date,
    end: date,
    *,
    organisations: Mapping[str, str] | None = None,
    targets: Targets | None = None,
) -> Results:
    """All the KPIs from ``start`` to ``end`` (both included), by month and overall.

    Parameters
    ----------
    data
        The ledger's tables (:func:`jags.report.query.read_ledger`).
    start, end
        The report's first and last day; the ledger is read as of ``end``.
    organisations
        Organisation → sector from organisations.csv (default none: the facilitators'
        own organisations only).
    targets
        Default :class:`Targets` ().
    """
    targets = targets or Targets()
    spans = periods(start, end)
    work = Workdays(data.policy)
    requests, events = as_of(data, end)
    jobs = journeys(requests, events)
    spells = contact_spells(events)
    obs = observations(jobs, spells, work, data.policy)
    rates = rate_table(obs, spans)
    durations = duration_table(jobs, work, spans)
    open_backlog = backlog(requests, events, work, spans)
    lookup = sector_lookup(data, organisations or {})
    got = received(requests, lookup, spans)
    places = pool(data.facilitators, spans)
    daily = utilisation(data.allocations, data.facilitators, work, start, end)
    fb = feedback_frame(jobs, data.feedback, end)
    theme_counts = themes(fb, spans)
    scores = confidence(fb, spans)
    rows = [
        rates,
        durations,
        _backlog_rows(open_backlog),
        _group_rows(got, spans),
        _pool_rows(places),
        _utilisation_rows(daily, spans),
        _feedback_rows(fb, theme_counts, scores, spans),
    ]
    table = pd.concat([r for r in rows if not r.empty], ignore_index=True)
    table["target"] = table["kpi"].map(lambda k: targets.of(k, data.policy))
    order = {s.label: i for i, s in enumerate(spans)}
    table = (
        table.assign(_p=table["period"].map(order))
        .sort_values(["_p"], kind="stable")
        .drop(columns="_p")
    )
    table = _kpi_order(table)
    return Results(
        start,
        end,
        spans,
        table[list(KPI_COLUMNS)],
        open_backlog,
        got,
        places,
        daily,
        theme_counts,
        scores,
        fb,
    )


def _kpi_order(table: pd.DataFrame) -> pd.DataFrame:
    """KPIs in a stable order: the headline ones first, each with its periods in order."""
    names = list(dict.fromkeys(table["kpi"]))
    rank = {k: i for i, k in enumerate(names)}
    return (
        table.assign(_k=table["kpi"].map(rank))
        .sort_values("_k", kind="stable")
        .drop(columns="_k")
        .reset_index(drop=True)
    )


def _backlog_rows(open_backlog: pd.DataFrame) -> pd.DataFrame:
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


def _group_rows(got: pd.DataFrame, spans: list[Period]) -> pd.DataFrame:
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


def _pool_rows(places: pd.DataFrame) -> pd.DataFrame:
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


def _utilisation_rows(daily: pd.DataFrame, spans: list[Period]) -> pd.DataFrame:
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


def _feedback_rows(
    fb: pd.DataFrame, theme_counts: pd.DataFrame, scores: pd.DataFrame, spans: list[Period]
) -> pd.DataFrame:
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
