"""Recorded events on SQLite and PostgreSQL: all of them or none, each fitting its
request's state."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from builders import fac, req, workspace
from ledger_builders import day, facilitators_of, new_ledger, record, when

from jags.ledger import RecordError

MON = date(2026, 11, 16)
TUE, WED, THU, FRI = (MON + timedelta(days=n) for n in range(1, 5))


def test_events_that_do_not_fit_change_nothing(db_url: str) -> None:
    files = workspace(
        [fac("F1", "Org A")], [req("R1", received_at=when(MON)), req("R2", received_at=when(MON))]
    )
    ledger = new_ledger(db_url, files, on=MON)
    day(ledger, files, MON)
    before = ledger.export()
    from jags.ledger import EventKind, RecordItem

    items = [
        RecordItem("R1", EventKind.CONTACTED, TUE, where="events.csv, row 2"),
        RecordItem("R2", EventKind.HELD, TUE, where="events.csv, row 3"),
        RecordItem("R9", EventKind.HELD, TUE, where="events.csv, row 4"),
        RecordItem("R1", EventKind.CONFIRMED, MON - timedelta(days=3), where="events.csv, row 5"),
    ]
    with pytest.raises(RecordError) as info:
        ledger.record(items, "tester")
    assert info.value.problems == (
        "events.csv, row 3: R2 is allocated: 'held' cannot be recorded now (allowed: "
        "contacted, confirmed, declined, stepped_down, cancelled)",
        "events.csv, row 4: request R9 is not in the ledger",
        "events.csv, row 5: R1: confirmed on 2026-11-13 is before its last recorded change "
        "(2026-11-17)",
    )
    assert ledger.export() == before  # not even row 2 was recorded


def test_held_releases_the_load(db_url: str) -> None:
    files = workspace(
        [fac("F1", "Org A", max_open=1)],
        [req("R1", received_at=when(MON)), req("R2", received_at=when(MON, 11))],
    )
    ledger = new_ledger(db_url, files, on=MON)
    assert len(day(ledger, files, MON).result.chosen) == 1
    assert day(ledger, files, TUE).result.chosen == {}
    record(ledger, "R1", "confirmed", TUE)
    record(ledger, "R1", "held", WED)
    assert ledger.facilitator_status()[0].open_load == 0
    assert len(day(ledger, files, WED).result.chosen) == 1
    assert facilitators_of(ledger, "R2") == "F1"
