"""Request journeys: the form requests as of a day, their milestones and contact spells.

Every KPI over requests starts from these: the rates and shares
(:mod:`jags.report.rates`), the working-day distributions (:mod:`jags.report.measures`) and
the feedback, dated by the session it is about.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from jags.report.periods import ENDINGS

if TYPE_CHECKING:
    from datetime import date

    from jags.report.query import LedgerData

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
