"""Intake on SQLite and PostgreSQL: history.csv and open_jags once at init, new export
rows once, changed rows reported."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from builders import fac, part, req, workspace
from ledger_builders import day, new_ledger, when

from allocator import PastSession

MON = date(2026, 11, 16)
TUE, WED, THU, FRI = (MON + timedelta(days=n) for n in range(1, 5))


def test_init_imports_history_and_open_jags_once(db_url: str) -> None:
    files = workspace(
        [
            fac("F1", "Org A", max_open=4, open_jags=3),
            fac("F2", "Org B", max_open=4),
            fac("F3", "Org C", max_open=4, open_jags=1),
        ],
        [],
        history=[
            PastSession(
                request_id="H1", facilitator_id="F1", role="lead", allocated_on=date(2026, 10, 1)
            ),
            PastSession(
                request_id="H1", facilitator_id="F2", role="co", allocated_on=date(2026, 10, 1)
            ),
            PastSession(
                request_id="H2",
                facilitator_id="F1",
                allocated_on=date(2026, 9, 1),
                held_on=date(2026, 9, 20),
                closed_on=date(2026, 9, 20),
            ),
        ],
    )
    ledger = new_ledger(db_url, files, on=MON)
    loads = {f.facilitator_id: f.open_load for f in ledger.facilitator_status()}
    # F1: open_jags 3 against 1 open history row: the larger, never the sum.
    assert loads == {"F1": 3, "F2": 1, "F3": 1}
    again, created = type(ledger).init(
        Path("."),
        files,
        ledger.policy,
        on=TUE,
        by="tester",
        db=ledger.store.url,
        partnership=ledger.key,
    )
    assert not created
    assert {f.facilitator_id: f.open_load for f in again.facilitator_status()} == loads
    assert ledger.request_ids() == {"H1", "H2"}


def test_hand_kept_open_jags_end_when_open_jags_is_lowered(db_url: str) -> None:
    # F1 has three open JAGS at init, none in history.csv: the ledger cannot close them
    # itself. Lowering open_jags later releases them; raising it adds nothing.
    files = workspace([fac("F1", "Org A", max_open=4, open_jags=3)], [])
    ledger = new_ledger(db_url, files, on=MON)
    day(ledger, files, MON)
    assert [f.open_load for f in ledger.facilitator_status()] == [3]
    day(ledger, workspace([fac("F1", "Org A", max_open=4, open_jags=1)], []), TUE)
    assert [f.open_load for f in ledger.facilitator_status()] == [1]
    day(ledger, workspace([fac("F1", "Org A", max_open=4, open_jags=4)], []), WED)
    assert [f.open_load for f in ledger.facilitator_status()] == [1]


def test_intake_imports_new_rows_once_and_reports_changed_ones(db_url: str) -> None:
    facs = [fac("F1", "Org A", max_open=5)]
    r1 = req("R1", received_at=when(MON))
    files = workspace(
        facs, [r1, req("R2", received_at=when(WED))], participants=[part("R1", "p@x.org", "Org X")]
    )
    ledger = new_ledger(db_url, files, on=MON)
    first = day(ledger, files, MON)
    assert first.intake.new == ["R1"]
    assert first.intake.later == ["R2"]  # received after the batch date
    assert first.committed
    again = day(ledger, files, MON)
    assert again.intake.new == [] and not again.committed
    assert again.unchanged_since == first.batch_id
    assert again.files == first.files  # the batch's own files, written again
    edited = workspace(
        facs,
        [r1.replace(locality="Norwich", case_ref="CASE-NEW"), req("R2", received_at=when(WED))],
        participants=[part("R1", "q@x.org", "Org X")],
    )
    later = day(ledger, edited, TUE)
    assert {(c.request_id, c.column) for c in later.intake.changed} == {
        ("R1", "locality"),
        ("R1", "case_ref"),
        ("R1", "participants"),
    }
    assert later.intake.new == []
    rows = ledger.request_status(TUE)
    assert [r.request_id for r in rows] == ["R1"]
