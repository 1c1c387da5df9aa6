"""Sessions and the outbox on the ledger: booking, moving a facilitator, cancelling,
and sending each message once."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from builders import fac, part, req, workspace
from ledger_builders import day, new_ledger, record, when

from jags.cells import LONDON
from jags.ledger import Ledger
from jags.ledger.booking import Candidate
from scheduling.proposals import Booked

MON = date(2026, 11, 16)
TUE, WED, THU = (MON + timedelta(days=n) for n in (1, 2, 3))
SLOT = (datetime(2026, 12, 3, 10, tzinfo=LONDON), datetime(2026, 12, 3, 11, 30, tzinfo=LONDON))


def confirmed_ledger(db_url: str, n: int = 1) -> Ledger:
    files = workspace(
        [fac("F1", "Org A", max_open=3), fac("F2", "Org B", max_open=3)],
        [req(f"R{i}", received_at=when(MON, 9 + i)) for i in range(1, n + 1)],
        participants=[
            part("R1", "khan@x.org", "Org X"),
            part("R1", "opt@x.org", "Org Y", attendance="optional"),
        ],
    )
    ledger = new_ledger(db_url, files, on=MON)
    day(ledger, files, MON)
    for i in range(1, n + 1):
        record(ledger, f"R{i}", "confirmed", TUE)
    return ledger


def book_all(ledger: Ledger, on: date = WED) -> list[str]:
    seen: dict[str, Any] = {}

    def choose(found: list[Candidate], booked: list[Booked]) -> dict[str, Any]:
        seen["booked"] = booked
        return {c.request_id: SLOT for c in found}

    _, booked = ledger.schedule(on, "tester", commit=True, propose=choose)
    return booked


def test_a_confirmed_request_is_booked_once_and_its_invitation_queued(db_url: str) -> None:
    ledger = confirmed_ledger(db_url)
    candidates = ledger.schedule_candidates()
    assert [c.request_id for c in candidates] == ["R1"]
    roles = {a["email"]: a["role"] for a in candidates[0].attendees}
    assert roles == {
        "f1@fac.example": "CHAIR",
        "r1@req.example": "REQ-PARTICIPANT",
        "khan@x.org": "REQ-PARTICIPANT",
        "opt@x.org": "OPT-PARTICIPANT",
    } or roles == {
        "f2@fac.example": "CHAIR",
        "r1@req.example": "REQ-PARTICIPANT",
        "khan@x.org": "REQ-PARTICIPANT",
        "opt@x.org": "OPT-PARTICIPANT",
    }
    assert book_all(ledger) == ["R1"]
    assert ledger.request_status(WED, "R1")[0].state == "scheduled"
    assert ledger.schedule_candidates() == []
    assert book_all(ledger, THU) == []  # nothing left to book
    [message] = ledger.outbox()
    assert (message.method, message.sequence, message.status) == ("REQUEST", 0, "queued")
    assert b"METHOD:REQUEST" in message.ics and b"UID:" in message.ics
    assert b"CASE-R1" not in message.ics  # no case reference ever in an invitation


def test_earlier_bookings_are_handed_to_the_engine(db_url: str) -> None:
    ledger = confirmed_ledger(db_url, n=2)
    seen: list[list[Booked]] = []

    def first_only(found: list[Candidate], booked: list[Booked]) -> dict[str, Any]:
        seen.append(booked)
        return {"R1": SLOT} if any(c.request_id == "R1" for c in found) else {}

    ledger.schedule(WED, "tester", commit=True, propose=first_only)
    ledger.schedule(THU, "tester", commit=True, propose=first_only)
    assert seen[0] == []
    [booked] = seen[1]
    assert (booked.request_id, booked.start, booked.end) == ("R1", *SLOT)
    assert "khan@x.org" in booked.attendees and len(booked.facilitators) == 1


def test_a_reallocation_after_booking_cancels_for_the_old_facilitator(db_url: str) -> None:
    ledger = confirmed_ledger(db_url)
    book_all(ledger)
    old = ledger.request_status(WED, "R1")[0].facilitator_ids
    record(ledger, "R1", "declined", THU)
    files = workspace(
        [fac("F1", "Org A", max_open=3), fac("F2", "Org B", max_open=3)],
        [req("R1", received_at=when(MON, 10))],
        participants=[
            part("R1", "khan@x.org", "Org X"),
            part("R1", "opt@x.org", "Org Y", attendance="optional"),
        ],
    )
    outcome = day(ledger, files, THU)
    assert outcome.reallocated == ["R1"]
    new = ledger.request_status(THU, "R1")[0].facilitator_ids
    assert new != old
    messages = ledger.outbox()
    assert [(m.method, m.sequence) for m in messages] == [
        ("REQUEST", 0),
        ("CANCEL", 1),
        ("REQUEST", 1),
    ]
    cancel, update = messages[1], messages[2]
    assert [p["email"] for p in json.loads(cancel.recipients)] == [f"{old.lower()}@fac.example"]
    assert f"{new.lower()}@fac.example" in update.ics.decode()
    assert f"{old.lower()}@fac.example" not in update.ics.decode()
    assert cancel.uid == update.uid == messages[0].uid
    # The new facilitator confirms: the session is already booked.
    lines = record(ledger, "R1", "confirmed", THU)
    assert "already booked" in lines[0]
    assert ledger.request_status(THU, "R1")[0].state == "scheduled"


def test_stepping_down_a_booked_session_queues_a_cancellation_to_everyone(db_url: str) -> None:
    ledger = confirmed_ledger(db_url)
    book_all(ledger)
    record(ledger, "R1", "stepped_down", THU, reason="escalated under the disagreement policy")
    cancel = ledger.outbox()[-1]
    assert (cancel.method, cancel.sequence) == ("CANCEL", 1)
    assert len(json.loads(cancel.recipients)) == 4
    assert b"STATUS:CANCELLED" in cancel.ics
    assert b"escalated" not in cancel.ics
    assert ledger.facilitator_status()[0].open_load + ledger.facilitator_status()[1].open_load == 0


def test_sending_marks_each_message_once_and_keeps_a_failure_queued(db_url: str) -> None:
    ledger = confirmed_ledger(db_url, n=3)
    book_all(ledger)
    calls: list[int] = []

    def flaky(message: Any) -> str | None:
        calls.append(message.id)
        if len(calls) == 2:
            raise RuntimeError("Graph refused REQUEST for R2: HTTP 503")
        return f"provider-{message.id}"

    sent, failed, error = ledger.send_queued(flaky, on=THU, by="tester")
    assert [m.request_id for m in sent] == ["R1"]
    assert failed is not None and failed.request_id == "R2"
    assert "HTTP 503" in error
    waiting = ledger.outbox()
    assert [(m.request_id, m.status, m.attempts) for m in waiting] == [
        ("R2", "failed", 1),
        ("R3", "queued", 0),
    ]
    assert waiting[0].error == "Graph refused REQUEST for R2: HTTP 503"
    sent, failed, _ = ledger.send_queued(flaky, on=THU, by="tester")
    assert [m.request_id for m in sent] == ["R2", "R3"] and failed is None
    assert calls.count(calls[0]) == 1  # R1 never went out twice
    everything = ledger.outbox(pending_only=False)
    assert {m.status for m in everything} == {"sent"}
    assert [m.attempts for m in everything] == [1, 2, 1]
    assert everything[1].provider_id == f"provider-{everything[1].id}"
    assert ledger.send_queued(flaky, on=THU, by="tester") == ([], None, "")


@pytest.mark.parametrize("event", ["cancelled", "stepped_down"])
def test_an_unbooked_request_leaving_queues_nothing(db_url: str, event: str) -> None:
    ledger = confirmed_ledger(db_url)
    record(ledger, "R1", event, WED)
    assert ledger.outbox() == []
