"""The daily step on the ledger (SQLite and PostgreSQL): computed against what is open,
recorded whole."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from builders import fac, req, workspace
from ledger_builders import day, facilitators_of, new_ledger, record, when

from jags.ledger import RecordError

MON = date(2026, 11, 16)
TUE, WED, THU, FRI = (MON + timedelta(days=n) for n in range(1, 5))


def test_a_fortnight_of_batches_never_passes_capacity_or_moves_a_request(db_url: str) -> None:
    facs = [fac("F1", "Org A", max_open=2), fac("F2", "Org B", max_open=1)]
    requests = [
        req(f"R{i}", received_at=when(MON + timedelta(days=i % 12), 9 + i % 5))
        for i in range(1, 13)
    ]
    files = workspace(facs, requests)
    ledger = new_ledger(db_url, files, on=MON)
    given: dict[str, str] = {}
    d = MON
    while d <= MON + timedelta(days=13):
        if d.weekday() < 5:
            day(ledger, files, d)
            snapshot = ledger.export()
            day(ledger, files, d)
            assert ledger.export() == snapshot  # the same day again changes nothing
            for f in ledger.facilitator_status():
                assert f.open_load <= (f.max_open or 0)
            for row in ledger.request_status(d):
                if row.facilitator_ids and row.state == "allocated":
                    assert (
                        given.setdefault(row.request_id, row.facilitator_ids) == row.facilitator_ids
                    )
            held = [r.request_id for r in ledger.request_status(d) if r.state == "allocated"]
            if held and d.weekday() in (1, 3):  # Tue and Thu: one session held
                record(ledger, held[0], "confirmed", d)
                record(ledger, held[0], "held", d)
        d += timedelta(days=1)
    assert sum(1 for r in ledger.request_status(d) if r.state == "held") >= 3


def test_a_declined_request_returns_with_its_allocate_by_and_goes_first(db_url: str) -> None:
    facs = [fac("F1", "Org A", max_open=1), fac("F2", "Org B", max_open=1)]
    old, new = req("R1", received_at=when(MON)), req("R2", received_at=when(WED))
    files = workspace(facs, [old, new])
    ledger = new_ledger(db_url, files, on=MON)
    day(ledger, files, MON)
    first = facilitators_of(ledger, "R1")
    other = "F2" if first == "F1" else "F1"
    record(ledger, "R1", "declined", TUE, reason="no capacity this month")
    row = ledger.request_status(TUE, "R1")[0]
    assert row.state == "received"
    assert row.allocate_by == date(2026, 11, 18)  # day 0 + 2 working days, unchanged
    outcome = day(ledger, files, WED)
    # One place is left (the decliner is excluded from R1): the older request takes it.
    assert facilitators_of(ledger, "R1") == other
    assert facilitators_of(ledger, "R2") == first
    explained = outcome.result
    assert explained.chosen  # both allocated: R2 goes to the facilitator who declined R1
    with pytest.raises(RecordError, match="facilitator F9 is not on this request"):
        record(ledger, "R1", "contacted", THU, facilitator_id="F9")


def test_a_follow_up_keeps_its_facilitator_from_the_ledger(db_url: str) -> None:
    facs = [fac("F1", "Org A", max_open=3), fac("F2", "Org B", max_open=3)]
    first = req("R1", received_at=when(MON))
    files = workspace(facs, [first])
    ledger = new_ledger(db_url, files, on=MON)
    day(ledger, files, MON)
    who = facilitators_of(ledger, "R1")
    record(ledger, "R1", "confirmed", TUE)
    record(ledger, "R1", "held", TUE)
    follow = req("R5", received_at=when(WED), follow_up_of="R1")
    later = workspace(facs, [first, follow], known_requests=frozenset({"R1"}))
    outcome = day(ledger, later, WED)
    assert outcome.result.facilitators_of("R5") == (who,)
    assert "Pinned: follow-up keeps its facilitator" in outcome.result.reasons["R5"]
