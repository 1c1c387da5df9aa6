"""``jags status``: where each request is and what the Business Unit should chase."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from builders import fac, req, workspace
from ledger_builders import day, new_ledger, record, when

from jags.cells import LONDON
from jags.ledger.booking import Candidate

MON = date(2026, 11, 16)


def test_overdue_follows_the_policy_targets(db_url: str) -> None:
    facs = [fac("F1", "Org A", max_open=1)]
    files = workspace(
        facs, [req("R1", received_at=when(MON)), req("R2", received_at=when(MON, 11))]
    )
    ledger = new_ledger(db_url, files, on=MON)
    day(ledger, files, MON)
    # R2 waits: allocate-by is Wed 18 Nov (day 0 + 2 working days).
    assert ledger.request_status(date(2026, 11, 18), "R2")[0].overdue == ""
    assert (
        ledger.request_status(date(2026, 11, 19), "R2")[0].overdue == "not allocated by 2026-11-18"
    )
    # R1 allocated on Mon 16: contact is due within 5 working days (Mon 23 Nov).
    assert ledger.request_status(date(2026, 11, 23), "R1")[0].overdue == ""
    assert (
        ledger.request_status(date(2026, 11, 24), "R1")[0].overdue
        == "no contact recorded by 2026-11-23"
    )
    record(ledger, "R1", "confirmed", date(2026, 11, 17))
    # Window: 10–15 working days after Tue 17 Nov → last day Tue 8 Dec.
    assert ledger.request_status(date(2026, 12, 8), "R1")[0].overdue == ""
    assert (
        ledger.request_status(date(2026, 12, 9), "R1")[0].overdue
        == "no session held or booked by 2026-12-08"
    )

    start = datetime(2026, 12, 2, 10, tzinfo=LONDON)

    def choose(found: list[Candidate], _booked: object) -> dict[str, object]:
        return {c.request_id: (start, start + timedelta(minutes=90)) for c in found}

    ledger.schedule(date(2026, 11, 20), "tester", commit=True, propose=choose)
    row = ledger.request_status(date(2026, 12, 2), "R1")[0]
    assert (row.state, row.session_start, row.overdue) == (
        "scheduled",
        "2026-12-02T10:00+00:00",
        "",
    )
    assert (
        ledger.request_status(date(2026, 12, 3), "R1")[0].overdue
        == "session date passed: record held, stepped down or cancelled"
    )


def test_facilitators_show_their_open_requests(db_url: str) -> None:
    files = workspace(
        [fac("F1", "Org A", max_open=2, open_jags=0), fac("F2", "Org B")],
        [req("R1", received_at=when(MON)), req("R2", received_at=when(MON, 11))],
    )
    ledger = new_ledger(db_url, files, on=MON)
    day(ledger, files, MON)
    rows = {f.facilitator_id: f for f in ledger.facilitator_status()}
    assert sum(r.open_load for r in rows.values()) == 2
    assert sorted(";".join(r.requests for r in rows.values() if r.requests).split(";")) == [
        "R1",
        "R2",
    ]
    assert rows["F1"].row()[0] == "F1" and rows["F1"].name == "Facilitator F1"
