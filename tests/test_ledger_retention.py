"""No lock-in (every table as CSV) and no keeping personal data longer than the policy says."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from builders import fac, part, req, workspace
from ledger_builders import day, new_ledger, record, when

from jags.ledger.operations import months_before
from jags.ledger.retention import EXPORTED

MON = date(2026, 11, 16)


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_export_writes_every_table_of_the_partnership(db_url: str) -> None:
    files = workspace([fac("F1", "Org A")], [req("R1", received_at=when(MON))])
    ledger = new_ledger(db_url, files, on=MON)
    day(ledger, files, MON)
    exported = ledger.export()
    assert sorted(exported) == sorted(f"{m.__tablename__}.csv" for m in EXPORTED)
    assert [r["request_id"] for r in rows(exported["requests.csv"])] == ["R1"]
    assert [r["event"] for r in rows(exported["events.csv"])] == ["received", "allocated"]
    assert ledger.export() == exported  # deterministic


def test_purge_removes_personal_data_of_requests_ended_before_the_day(db_url: str) -> None:
    files = workspace(
        [fac("F1", "Org A", max_open=5)],
        [
            req("R1", received_at=when(MON), family_ref="FAM-1", topic="neglect"),
            req("R2", received_at=when(MON, 11)),
        ],
        participants=[part("R1", "khan@x.org", "Org X")],
    )
    ledger = new_ledger(db_url, files, on=MON)
    day(ledger, files, MON)
    record(ledger, "R1", "confirmed", MON + timedelta(days=1))
    record(ledger, "R1", "held", MON + timedelta(days=2))
    record(ledger, "R1", "closed", MON + timedelta(days=2), reason="thanks from Mrs Smith")
    assert ledger.purge(MON + timedelta(days=2), MON + timedelta(days=30), "dpo") == []
    assert ledger.purge(MON + timedelta(days=3), MON + timedelta(days=30), "dpo") == ["R1"]
    text = b"".join(ledger.export().values()).decode()
    for private in ("CASE-R1", "FAM-1", "neglect", "r1@req.example", "khan@x.org", "Mrs Smith"):
        assert private not in text
    requests = {r["request_id"]: r for r in rows(ledger.export()["requests.csv"])}
    assert requests["R1"]["held_on"] == "2026-11-18" and requests["R1"]["purged_on"]
    assert requests["R1"]["requester_organisation"] == "Org X"  # the reports keep it
    assert requests["R2"]["case_ref"] == "CASE-R2"  # still open: untouched
    assert ledger.purge(MON + timedelta(days=3), MON + timedelta(days=31), "dpo") == []


def test_retention_counts_whole_months_back() -> None:
    assert months_before(date(2027, 3, 31), 1) == date(2027, 2, 28)
    assert months_before(date(2032, 11, 25), 72) == date(2026, 11, 25)
