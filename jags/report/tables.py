"""The report's descriptive tables: the open backlog by age, requests by sector and
organisation, the facilitator pool and utilisation, and the feedback themes and scores."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from allocator.models import normalise_org
from jags.report.periods import ENDINGS, Period, Workdays, in_periods

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import date

    from jags.report.query import LedgerData

AGE_BANDS = ((0, 2, "0-2"), (3, 5, "3-5"), (6, 10, "6-10"), (11, 20, "11-20"), (21, None, "21+"))
"""Backlog age bands in working days since day 0 (label, inclusive bounds)."""

UNKNOWN_SECTOR = "Sector not known"


# Backlog, requests, facilitators, utilisation -----------------------------------------------


def band_of(age: float) -> str:
    """The backlog age band of ``age`` working days."""
    for low, high, label in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return label
    raise ValueError(f"negative age {age}")  # pragma: no cover - ages are >= 0


def backlog(
    requests: pd.DataFrame, events: pd.DataFrame, work: Workdays, spans: list[Period]
) -> pd.DataFrame:
    """Open requests at each period's last day by age band (tidy: period, band, count)."""
    rows = []
    for span in spans:
        end = pd.Timestamp(span.end)
        mine = requests[requests["received_on"] <= end]
        ended = events[(events["on"] <= end) & events["event"].isin(ENDINGS)]["request_id"]
        open_now = mine[~mine["request_id"].isin(ended)]
        ages = work.between(open_now["day_zero"], pd.Series(end, index=open_now.index))
        counts = ages.map(band_of).value_counts()
        rows += [
            {"period": span.label, "band": label, "count": int(counts.get(label, 0))}
            for _, _, label in AGE_BANDS
        ]
    return pd.DataFrame(rows)


def sector_lookup(data: LedgerData, organisations: Mapping[str, str]) -> Callable[[str], str]:
    """Organisation → sector: ``organisations`` (organisations.csv) first, then the
    facilitators' own organisations; :data:`UNKNOWN_SECTOR` otherwise."""
    known: dict[str, str] = {}
    for org, sector in zip(
        data.facilitators["organisation"], data.facilitators["sector"], strict=True
    ):
        if isinstance(org, str) and isinstance(sector, str) and org and sector:
            known.setdefault(normalise_org(org), sector)
    known.update({normalise_org(o): s for o, s in organisations.items()})

    def lookup(org: object) -> str:
        if not isinstance(org, str) or not org.strip():
            return UNKNOWN_SECTOR
        return known.get(normalise_org(org), UNKNOWN_SECTOR)

    return lookup


def received(
    requests: pd.DataFrame, lookup: Callable[[str], str], spans: list[Period]
) -> pd.DataFrame:
    """Requests received per period by sector and organisation (tidy)."""
    frame = requests.assign(
        sector=requests["requester_organisation"].map(lookup),
        organisation=requests["requester_organisation"]
        .fillna("")
        .replace("", "Organisation not known"),
    )
    long = in_periods(
        frame[["request_id", "sector", "organisation", "received_on"]],
        ["request_id", "sector", "organisation"],
        ["received_on"],
        spans,
    )
    return long[["period", "request_id", "sector", "organisation"]]


def present(facilitators: pd.DataFrame, day: date) -> pd.DataFrame:
    """Facilitators in the workspace on ``day`` with a personal maximum."""
    stamp = pd.Timestamp(day)
    here = facilitators["in_workspace"].astype(bool) | (facilitators["last_seen"] >= stamp)
    return facilitators[here & facilitators["max_open"].notna() & (facilitators["max_open"] > 0)]


def pool(facilitators: pd.DataFrame, spans: list[Period]) -> pd.DataFrame:
    """Facilitator places (sum of max_open) and facilitators by sector at each period's end."""
    rows = []
    for span in spans:
        here = present(facilitators, span.end)
        sectors = here.assign(sector=here["sector"].fillna(UNKNOWN_SECTOR))
        grouped = sectors.groupby("sector")
        for sector, places in grouped["max_open"].sum().items():
            rows.append(
                {
                    "period": span.label,
                    "sector": sector,
                    "places": int(places),
                    "facilitators": int(grouped.size()[sector]),
                }
            )
    return pd.DataFrame(rows, columns=["period", "sector", "places", "facilitators"])


def utilisation(
    allocations: pd.DataFrame, facilitators: pd.DataFrame, work: Workdays, start: date, end: date
) -> pd.DataFrame:
    """Open load and places per working day and facilitator sector (tidy).

    An allocation counts on day d when it was allocated on or before d and had not
    ended by d (ended_on after d, or still open). Hand-kept open JAGS from before the
    ledger (``untracked_open``) count from the day the facilitator was first seen.
    A facilitator counts on the days they were in the workspace (every day up to their
    last sighting, or every day while still there).

    Returns
    -------
    pandas.DataFrame
        ``day``, ``sector``, ``load``, ``places``.
    """
    days = pd.to_datetime(pd.Series(work.days(start, end), dtype="object"))
    if days.empty:
        return pd.DataFrame(columns=["day", "sector", "load", "places"])
    fac = facilitators[facilitators["max_open"].notna() & (facilitators["max_open"] > 0)]
    d = days.to_numpy()[:, None]
    there = fac["in_workspace"].astype(bool).to_numpy()[None, :] | (
        fac["last_seen"].to_numpy()[None, :] >= d
    )
    places = there * fac["max_open"].to_numpy(dtype=float)[None, :]
    alloc = allocations[
        allocations["allocated_on"].notna()
        & allocations["facilitator_id"].isin(fac["facilitator_id"])
    ]
    started = alloc["allocated_on"].to_numpy()[None, :] <= d
    ends = alloc["ended_on"].to_numpy()
    running = started & (pd.isna(ends)[None, :] | (ends[None, :] > d))
    column = {fid: i for i, fid in enumerate(fac["facilitator_id"])}
    owner = np.zeros((len(alloc), len(fac)))
    owner[np.arange(len(alloc)), [column[f] for f in alloc["facilitator_id"]]] = 1.0
    load = running.astype(float) @ owner
    untracked = fac["untracked_open"].to_numpy(dtype=float)[None, :] * (
        fac["first_seen"].to_numpy()[None, :] <= d
    )
    load = (load + untracked) * there
    sectors = fac["sector"].fillna(UNKNOWN_SECTOR).to_numpy()
    frames = []
    for sector in sorted(set(sectors)):
        mask = sectors == sector
        frames.append(
            pd.DataFrame(
                {
                    "day": days,
                    "sector": sector,
                    "load": load[:, mask].sum(axis=1),
                    "places": places[:, mask].sum(axis=1),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


# Feedback ----------------------------------------------------------------------------------


def split_themes(text: object) -> list[str]:
    """Theme words or phrases from a ``;``-separated cell, spaces tidied, empty ones dropped."""
    if not isinstance(text, str):
        return []
    return [" ".join(t.split()) for t in text.split(";") if t.strip()]


def theme_key(theme: str) -> str:
    """Themes are counted ignoring case: the key, with its first letter capitalised."""
    lower = theme.casefold()
    return lower[:1].upper() + lower[1:]


def feedback_frame(jobs: pd.DataFrame, feedback: pd.DataFrame, day: date) -> pd.DataFrame:
    """Feedback responses with the session's day: the request's held date, else the
    response's date; responses after ``day`` are left out."""
    held = dict(zip(jobs["request_id"], jobs["held_on"], strict=True))
    frame = feedback.assign(day=pd.to_datetime(feedback["request_id"].map(held)))
    frame["day"] = frame["day"].fillna(frame["submitted_on"])
    frame["change"] = frame["confidence_after"] - frame["confidence_before"]
    stamp = pd.Timestamp(day)
    return frame[
        frame["day"].notna()
        & (frame["day"] <= stamp)
        & (frame["submitted_on"].isna() | (frame["submitted_on"] <= stamp))
    ]


def themes(feedback: pd.DataFrame, spans: list[Period]) -> pd.DataFrame:
    """Sessions naming each theme per period (tidy: period, theme, sessions)."""
    pairs = (
        feedback[["request_id", "day", "themes"]]
        .assign(theme=feedback["themes"].map(lambda t: [theme_key(x) for x in split_themes(t)]))
        .explode("theme")
        .dropna(subset=["theme"])
    )
    pairs = pairs.sort_values("day").drop_duplicates(["request_id", "theme"])
    long = in_periods(
        pairs[["request_id", "theme", "day"]], ["request_id", "theme"], ["day"], spans
    )
    counted = long.groupby(["period", "theme"]).size().rename("sessions").reset_index()
    return counted.sort_values(
        ["period", "sessions", "theme"], ascending=[True, False, True], ignore_index=True
    )


def confidence(feedback: pd.DataFrame, spans: list[Period]) -> pd.DataFrame:
    """Before/after confidence per period: responses, means, median change, quartiles."""
    scored = feedback.dropna(subset=["change"])
    long = in_periods(
        scored[["response_id", "change", "confidence_before", "confidence_after", "day"]],
        ["response_id", "change", "confidence_before", "confidence_after"],
        ["day"],
        spans,
    )
    rows = []
    for span in spans:
        mine = long[long["period"] == span.label]
        change = mine["change"].astype(float)
        rows.append(
            {
                "period": span.label,
                "responses": len(mine),
                "before_mean": mine["confidence_before"].mean(),
                "after_mean": mine["confidence_after"].mean(),
                "change_mean": change.mean(),
                "change_median": change.median(),
                "change_q1": change.quantile(0.25),
                "change_q3": change.quantile(0.75),
                "improved": int((change > 0).sum()),
            }
        )
    return pd.DataFrame(rows)
