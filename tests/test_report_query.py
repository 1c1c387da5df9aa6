"""Tests for :mod:`jags.report.query`: tidy tables of one partnership, no private columns."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from builders import fac

from allocator import PastSession, Policy, Workspace
from jags.ledger import Ledger
from jags.report.query import (
    ALLOCATION_COLUMNS,
    EVENT_COLUMNS,
    FACILITATOR_COLUMNS,
    FEEDBACK_COLUMNS,
    REQUEST_COLUMNS,
    read_ledger,
)


def test_one_partnership_as_tidy_tables(tmp_path: Path) -> None:
    def files(rid: str) -> Workspace:
        return Workspace(
            facilitators=(fac("F1", "Alpha Trust"),),
            history=(
                PastSession(
                    request_id=rid,
                    facilitator_id="F1",
                    allocated_on=date(2026, 10, 1),
                    held_on=None,
                    closed_on=None,
                ),
            ),
        )

    norfolk, _ = Ledger.init(
        tmp_path,
        files("H-1"),
        Policy.preset("norfolk"),
        on=date(2026, 11, 2),
        by="t",
        partnership="north",
    )
    other, _ = Ledger.init(
        tmp_path,
        files("H-2"),
        Policy.preset("bedfordshire"),
        on=date(2026, 11, 2),
        by="t",
        partnership="south",
    )
    other.close()
    try:
        data = read_ledger(norfolk)
    finally:
        norfolk.close()
    assert data.policy.name == "norfolk"
    assert list(data.requests.columns) == list(REQUEST_COLUMNS)
    assert list(data.events.columns) == list(EVENT_COLUMNS)
    assert list(data.allocations.columns) == list(ALLOCATION_COLUMNS)
    assert list(data.facilitators.columns) == list(FACILITATOR_COLUMNS)
    assert list(data.feedback.columns) == list(FEEDBACK_COLUMNS)
    assert data.requests["request_id"].tolist() == ["H-1"]
    assert data.requests["origin"].tolist() == ["history"]
    assert data.allocations[["request_id", "facilitator_id", "status"]].values.tolist() == [
        ["H-1", "F1", "open"]
    ]
    assert str(data.allocations["allocated_on"].dtype).startswith("datetime64")
    assert data.events["event"].tolist() == ["imported"]
    assert data.facilitators["sector"].tolist() == ["Health"]
    assert data.feedback.empty
    private = {
        "requester_name",
        "requester_email",
        "case_ref",
        "family_ref",
        "topic",
        "preference_rationale",
        "name",
        "email",
    }
    for frame in (data.requests, data.events, data.allocations, data.facilitators, data.feedback):
        assert not private & set(frame.columns)
