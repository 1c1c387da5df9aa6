"""A small hand-made ledger with known dates, built through the real operations
(not a test module).

Norfolk policy with one closure day (Thursday 31 December 2026), so December
has bank holidays on Friday 25 and Monday 28 (Boxing Day moved) and January
on Friday 1. Two facilitators (F1 Health, F2 Police, two places each); every
request pins its facilitator so the allocation dates and owners are known.

======  ======================  ==========  ===========  ===========================
request received (London)       day 0       allocate-by  journey
======  ======================  ==========  ===========  ===========================
R1      Wed 23 Dec 17:30 (late)  Thu 24 Dec  Wed 30 Dec   F1 30 Dec; contacted and
                                                          confirmed 7 Jan; held 29 Jan
R2      Wed 23 Dec 10:00         Wed 23 Dec  Tue 29 Dec   F2 30 Dec; contacted 11 Jan
R3      Mon 7 Dec 09:00          Mon 7 Dec   Wed 9 Dec    F1 8 Dec; contacted 14 Dec;
                                                          confirmed 15 Dec; held 6 Jan
R4      Thu 10 Dec 16:59         Thu 10 Dec  Mon 14 Dec   F1 14 Dec; declined 15 Dec;
                                                          F2 16 Dec; contacted 4 Jan;
                                                          stepped down 5 Jan
R5      Fri 11 Dec 17:00 (late)  Mon 14 Dec  Wed 16 Dec   no facilitator eligible;
                                                          cancelled 15 Dec
R6      Fri 29 Jan 18:00 (late)  Mon 1 Feb   Wed 3 Feb    no facilitator eligible
======  ======================  ==========  ===========  ===========================

Batches on 8, 14, 16 and 30 December and 29 January. Feedback: three
responses for R3 and two for R1 (:data:`FEEDBACK_CSV`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from builders import fac

from allocator import Organisation, Participant, Policy, Request, Workspace, allocate
from jags import allocation
from jags.feedback import import_file
from jags.generate import write_workspace
from jags.ledger import EventKind, Ledger, RecordItem
from jags.report import LedgerData, read_ledger

if TYPE_CHECKING:
    from pathlib import Path

START, END = date(2026, 12, 1), date(2027, 1, 31)
POLICY = Policy.preset("norfolk").replace(closure_days=(date(2026, 12, 31),))
BY = "test"


def _req(rid: str, at: datetime, org: str = "Gamma School", pin: str | None = None) -> Request:
    return Request(
        request_id=rid,
        received_at=at,
        requester_name="Robin Quill",
        requester_email=f"{rid.lower()}@gamma.example",
        requester_organisation=org,
        case_ref=f"CASE-{rid}",
        preferred_facilitator_id=pin,
        preference_rationale="known to the network" if pin else None,
    )


def scenario_workspace() -> Workspace:
    """The facilitators, requests and organisations of the scenario."""
    facilitators = [
        fac("F1", "Alpha Trust", sector="Health", max_open=2),
        fac("F2", "Beta Constabulary", sector="Police", max_open=2),
    ]
    requests = [
        _req("R1", datetime(2026, 12, 23, 17, 30), pin="F1"),
        _req("R2", datetime(2026, 12, 23, 10, 0), org="Delta Council", pin="F2"),
        _req("R3", datetime(2026, 12, 7, 9, 0), pin="F1"),
        _req("R4", datetime(2026, 12, 10, 16, 59), pin="F1"),
        _req("R5", datetime(2026, 12, 11, 17, 0)),
        _req("R6", datetime(2027, 1, 29, 18, 0)),
    ]
    blocked = [
        Participant(
            request_id=rid, name="Participant", email=f"{org}@{rid}.example", organisation=name
        )
        for rid in ("R5", "R6")
        for org, name in (("a", "Alpha Trust"), ("b", "Beta Constabulary"))
    ]
    organisations = [
        Organisation(organisation="Gamma School", sector="Education"),
        Organisation(organisation="Alpha Trust", sector="Health"),
        Organisation(organisation="Beta Constabulary", sector="Police"),
    ]
    return Workspace(
        facilitators=tuple(facilitators),
        requests=tuple(requests),
        participants=tuple(blocked),
        organisations=tuple(organisations),
    )


FEEDBACK_CSV = (
    "ID,Completion time,Name,JAGS request number,Your role in the session,"
    "Themes agreed by the group,"
    '"Before the session, how confident did you feel about working with this family?",'
    '"After the session, how confident do you feel about working with this family?",'
    "Anything else you would like to tell us?\n"
    "1,2027-01-06 11:20,,R3,Facilitator,Drift;Professional disagreement;Family voice;,2,4,"
    "Good session\n"
    "2,06/01/2027 11:22,,R3,Requester,Drift;Professional disagreement;Family voice;,3,3,\n"
    "3,2027-01-06T11:30,,R3,Participant,Drift;Professional disagreement;Family voice;,1,4,\n"
    "4,2027-01-29 15:00,,R1,Facilitator,drift;Working together;Lack of direction;,2,3,\n"
    "5,2027-01-29 15:05,,R1,Participant,drift;Working together;Lack of direction;,3,5,\n"
)


def build(folder: Path, db: str | None = None) -> Path:
    """Write the scenario's workspace into ``folder`` and build its ledger there (or in the
    database ``db``).

    Returns the workspace folder (its ``jags.db`` is the ledger, unless ``db``).
    """
    files = scenario_workspace()
    write_workspace(files, folder)
    ledger, _ = Ledger.init(folder, files, POLICY, on=date(2026, 12, 1), by=BY, db=db)
    try:

        def batch(day: date) -> None:
            def run(ws: Workspace, state: object) -> object:
                return allocate(ws, POLICY, on=day, state=state)  # type: ignore[arg-type]

            ledger.allocate_day(
                files,
                day,
                BY,
                commit=True,
                run=run,  # type: ignore[arg-type]
                render=allocation.allocation_files,
            )

        def record(*items: tuple[str, EventKind, date]) -> None:
            ledger.record([RecordItem(rid, kind, on) for rid, kind, on in items], BY)

        batch(date(2026, 12, 8))
        record(("R3", EventKind.CONTACTED, date(2026, 12, 14)))
        batch(date(2026, 12, 14))
        record(
            ("R3", EventKind.CONFIRMED, date(2026, 12, 15)),
            ("R4", EventKind.DECLINED, date(2026, 12, 15)),
            ("R5", EventKind.CANCELLED, date(2026, 12, 15)),
        )
        batch(date(2026, 12, 16))
        batch(date(2026, 12, 30))
        record(
            ("R4", EventKind.CONTACTED, date(2027, 1, 4)),
            ("R4", EventKind.STEPPED_DOWN, date(2027, 1, 5)),
            ("R3", EventKind.HELD, date(2027, 1, 6)),
            ("R1", EventKind.CONTACTED, date(2027, 1, 7)),
            ("R1", EventKind.CONFIRMED, date(2027, 1, 7)),
            ("R2", EventKind.CONTACTED, date(2027, 1, 11)),
            ("R1", EventKind.HELD, date(2027, 1, 29)),
        )
        batch(date(2027, 1, 29))
    finally:
        ledger.close()
    export = folder / "feedback.csv"
    export.write_text(FEEDBACK_CSV, encoding="utf-8")
    import_file(folder, export, None, on=date(2027, 1, 29), by=BY, db=db)
    return folder


def scenario_data(folder: Path) -> LedgerData:
    """Build the scenario in ``folder`` and read its ledger's tables."""
    ledger = Ledger.open(build(folder))
    assert ledger is not None
    try:
        return read_ledger(ledger)
    finally:
        ledger.close()
