"""The ledger's facade on SQLite and PostgreSQL: partnerships kept apart, proposals that
change nothing."""

from __future__ import annotations

from datetime import date, timedelta

from builders import fac, req, workspace
from ledger_builders import day, new_ledger, record, when

from allocator import Policy

MON = date(2026, 11, 16)
TUE, WED, THU, FRI = (MON + timedelta(days=n) for n in range(1, 5))


def test_two_partnerships_share_a_database_and_never_see_each_other(db_url: str) -> None:
    north = workspace([fac("F1", "Org A")], [req("R1", received_at=when(MON))])
    south = workspace(
        [fac("F1", "Org B"), fac("F7", "Org C")],
        [req("R1", received_at=when(TUE)), req("R2", received_at=when(TUE))],
    )
    a = new_ledger(db_url, north, on=MON, key="north")
    b = new_ledger(db_url, south, on=MON, policy=Policy.preset("cheshire-west"), key="south")
    day(a, north, MON)
    day(b, south, TUE)
    record(a, "R1", "confirmed", TUE)
    assert [(r.request_id, r.state) for r in a.request_status(WED)] == [("R1", "confirmed")]
    assert [(r.request_id, r.state) for r in b.request_status(WED)] == [
        ("R1", "allocated"),
        ("R2", "allocated"),
    ]
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
