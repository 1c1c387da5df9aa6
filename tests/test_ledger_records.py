"""Ledger rows turn into the engine's own domain objects, unchanged."""

from __future__ import annotations

from datetime import UTC, datetime

from builders import part, req

from allocator import Request
from jags.cells import LONDON
from jags.ledger.models import LedgerParticipant, LedgerRequest
from jags.ledger.records import (
    aware,
    changes,
    participant_values,
    request_values,
    row_digest,
    to_participant,
    to_request,
    utc_naive,
)


def test_a_request_survives_the_round_trip_through_a_row() -> None:
    original = req(
        "R-1",
        mode="in_person",
        topic="neglect",
        family_ref="FAM-1",
        preferred_facilitator_id="F1",
        preference_rationale="knows the school",
        received_at=datetime(2026, 11, 18, 10, 0, tzinfo=LONDON),
    )
    row = LedgerRequest(request_id="R-1", **request_values(original))
    back = to_request(row)
    assert back == original
    assert Request.model_validate(back.model_dump()) == original


def test_participants_survive_the_round_trip() -> None:
    people = [
        part("R-1", "a@x.org", "Org A"),
        part("R-1", "b@x.org", "Org B", attendance="optional"),
    ]
    rows = [LedgerParticipant(request_id="R-1", **v) for v in participant_values(people)]
    assert [to_participant(r) for r in rows] == people


def test_times_are_stored_in_utc_and_read_back_in_london() -> None:
    moment = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
    stored = utc_naive(moment)
    assert stored.tzinfo is None and stored.hour == 9
    assert aware(stored).hour == 10  # British Summer Time
    assert utc_naive(datetime(2026, 7, 1, 10, 30)).hour == 9  # naive means London


def test_a_changed_participant_changes_the_digest_and_is_reported() -> None:
    request = req("R-1")
    values = request_values(request)
    before = participant_values([part("R-1", "a@x.org", "Org A")])
    after = participant_values([part("R-1", "a@x.org", "Org B")])
    assert row_digest(values, before) != row_digest(values, after)
    assert row_digest(values, before) == row_digest(dict(values), list(before))
    row = LedgerRequest(request_id="R-1", **values)
    moved = {**values, "locality": "Norwich"}
    found = changes(row, moved, before, after)
    assert [c[0] for c in found] == ["locality", "participants"]
    assert found[0][1:] == (None, "Norwich")
