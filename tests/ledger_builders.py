"""Small ledgers for the ledger tests (not a test module)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from allocator import AllocationResult, DayState, Policy, Workspace, allocate
from jags.cells import LONDON
from jags.ledger import Ledger, RecordItem
from jags.ledger.lifecycle import EventKind

if TYPE_CHECKING:
    from jags.ledger import DayOutcome

NORFOLK = Policy.preset("norfolk")


def when(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def new_ledger(
    db_url: str, files: Workspace, *, on: date, policy: Policy = NORFOLK, key: str | None = None
) -> Ledger:
    if db_url.startswith("sqlite:///"):
        Path(db_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    ledger, _ = Ledger.init(
        Path("."), files, policy, on=on, by="tester", db=db_url, partnership=key
    )
    return ledger


def day(
    ledger: Ledger, files: Workspace, on: date, *, commit: bool = True, policy: Policy | None = None
) -> DayOutcome:
    chosen = policy or ledger.policy

    def run(ws: Workspace, state: DayState) -> AllocationResult:
        return allocate(ws, chosen, on=on, state=state)

    def render(result: AllocationResult) -> dict[str, bytes]:
        text = "\n".join(
            f"{a.request_id},{a.facilitator_id},{a.status}" for a in result.assignments
        )
        return {"allocations.csv": text.encode()}

    return ledger.allocate_day(files, on, "tester", commit=commit, run=run, render=render)


def record(ledger: Ledger, request_id: str, event: str, on: date, **kw: Any) -> list[str]:
    return ledger.record([RecordItem(request_id, EventKind(event), on, **kw)], "tester")


def facilitators_of(ledger: Ledger, request_id: str) -> str:
    rows = ledger.request_status(date(2030, 1, 1), request_id)
    return rows[0].facilitator_ids if rows else ""
