"""The ledger's operations on SQLite and PostgreSQL: init, intake, the daily batch
against what is open, recorded events."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from builders import fac, part, req, workspace
from ledger_builders import day, facilitators_of, new_ledger, record, when

from allocator import PastSession, Policy
from jags.ledger import RecordError

MON = date(2026, 11, 16)
TUE, WED, THU, FRI = (MON + timedelta(days=n) for n in range(1, 5))


def test_init_imports_history_and_open_jags_once(db_url: str) -> None:
    files = workspace(
        [fac("F1", "Org A", max_open=4, open_jags=3), fac("F2", "Org B", max_open=4),
         fac("F3", "Org C", max_open=4, open_jags=1)], [],
        history=[PastSession(request_id="H1", facilitator_id="F1", role="lead",
                             allocated_on=date(2026, 10, 1)),
                 PastSession(request_id="H1", facilitator_id="F2", role="co",
                             allocated_on=date(2026, 10, 1)),
                 PastSession(request_id="H2", facilitator_id="F1", allocated_on=date(2026, 9, 1),
                             held_on=date(2026, 9, 20), closed_on=date(2026, 9, 20))])
    ledger = new_ledger(db_url, files, on=MON)
    loads = {f.facilitator_id: f.open_load for f in ledger.facilitator_status()}
    # F1: open_jags 3 against 1 open history row: the larger, never the sum.
    assert loads == {"F1": 3, "F2": 1, "F3": 1}
    again, created = type(ledger).init(Path("."), files, ledger.policy, on=TUE, by="tester",
                                       db=ledger.store.url, partnership=ledger.key)
    assert not created
    assert {f.facilitator_id: f.open_load for f in again.facilitator_status()} == loads
    assert ledger.request_ids() == {"H1", "H2"}


def test_intake_imports_new_rows_once_and_reports_changed_ones(db_url: str) -> None:
    facs = [fac("F1", "Org A", max_open=5)]
    r1 = req("R1", received_at=when(MON))
    files = workspace(facs, [r1, req("R2", received_at=when(WED))],
                      participants=[part("R1", "p@x.org", "Org X")])
    ledger = new_ledger(db_url, files, on=MON)
    first = day(ledger, files, MON)
    assert first.intake.new == ["R1"]
    assert first.intake.later == ["R2"]  # received after the batch date
    assert first.committed
    again = day(ledger, files, MON)
    assert again.intake.new == [] and not again.committed
    assert again.unchanged_since == first.batch_id
    assert again.files == first.files  # the batch's own files, written again
    edited = workspace(facs, [r1.replace(locality="Norwich", case_ref="CASE-NEW"),
                              req("R2", received_at=when(WED))],
                       participants=[part("R1", "q@x.org", "Org X")])
    later = day(ledger, edited, TUE)
    assert {(c.request_id, c.column) for c in later.intake.changed} == {
        ("R1", "locality"), ("R1", "case_ref"), ("R1", "participants")}
    assert later.intake.new == []
    rows = ledger.request_status(TUE)
    assert [r.request_id for r in rows] == ["R1"]


def test_a_fortnight_of_batches_never_passes_capacity_or_moves_a_request(db_url: str) -> None:
    facs = [fac("F1", "Org A", max_open=2), fac("F2", "Org B", max_open=1)]
    requests = [req(f"R{i}", received_at=when(MON + timedelta(days=i % 12), 9 + i % 5))
                for i in range(1, 13)]
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
                    assert given.setdefault(row.request_id, row.facilitator_ids) == \
                        row.facilitator_ids
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


def test_held_releases_the_load(db_url: str) -> None:
    files = workspace([fac("F1", "Org A", max_open=1)],
                      [req("R1", received_at=when(MON)), req("R2", received_at=when(MON, 11))])
    ledger = new_ledger(db_url, files, on=MON)
    assert len(day(ledger, files, MON).result.chosen) == 1
    assert day(ledger, files, TUE).result.chosen == {}
    record(ledger, "R1", "confirmed", TUE)
    record(ledger, "R1", "held", WED)
    assert ledger.facilitator_status()[0].open_load == 0
    assert len(day(ledger, files, WED).result.chosen) == 1
    assert facilitators_of(ledger, "R2") == "F1"


def test_events_that_do_not_fit_change_nothing(db_url: str) -> None:
    files = workspace([fac("F1", "Org A")], [req("R1", received_at=when(MON)),
                                              req("R2", received_at=when(MON))])
    ledger = new_ledger(db_url, files, on=MON)
    day(ledger, files, MON)
    before = ledger.export()
    from jags.ledger import EventKind, RecordItem

    items = [RecordItem("R1", EventKind.CONTACTED, TUE, where="events.csv, row 2"),
             RecordItem("R2", EventKind.HELD, TUE, where="events.csv, row 3"),
             RecordItem("R9", EventKind.HELD, TUE, where="events.csv, row 4"),
             RecordItem("R1", EventKind.CONFIRMED, MON - timedelta(days=3),
                        where="events.csv, row 5")]
    with pytest.raises(RecordError) as info:
        ledger.record(items, "tester")
    assert info.value.problems == (
        "events.csv, row 3: R2 is allocated: 'held' cannot be recorded now (allowed: "
        "contacted, confirmed, declined, stepped_down, cancelled)",
        "events.csv, row 4: request R9 is not in the ledger",
        "events.csv, row 5: R1: confirmed on 2026-11-13 is before its last recorded change "
        "(2026-11-17)")
    assert ledger.export() == before  # not even row 2 was recorded


def test_two_partnerships_share_a_database_and_never_see_each_other(db_url: str) -> None:
    north = workspace([fac("F1", "Org A")], [req("R1", received_at=when(MON))])
    south = workspace([fac("F1", "Org B"), fac("F7", "Org C")],
                      [req("R1", received_at=when(TUE)), req("R2", received_at=when(TUE))])
    a = new_ledger(db_url, north, on=MON, key="north")
    b = new_ledger(db_url, south, on=MON, policy=Policy.preset("cheshire-west"), key="south")
    day(a, north, MON)
    day(b, south, TUE)
    record(a, "R1", "confirmed", TUE)
    assert [(r.request_id, r.state) for r in a.request_status(WED)] == [("R1", "confirmed")]
    assert [(r.request_id, r.state) for r in b.request_status(WED)] == [
        ("R1", "allocated"), ("R2", "allocated")]
    assert [f.facilitator_id for f in b.facilitator_status()] == ["F1", "F7"]
    assert b.policy.name == "cheshire-west" and a.policy.name == "norfolk"
    exported = a.export()
    assert b"south" not in b"".join(exported.values())
    assert a.request_ids() == {"R1"}


def test_without_commit_the_proposal_changes_nothing(db_url: str) -> None:
    files = workspace([fac("F1", "Org A")], [req("R1", received_at=when(MON))])
    ledger = new_ledger(db_url, files, on=MON)
    before = ledger.export()
    preview = day(ledger, files, MON, commit=False)
    assert preview.result.facilitators_of("R1") == ("F1",)
    assert not preview.committed and preview.intake.new == ["R1"]
    assert ledger.export() == before


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
