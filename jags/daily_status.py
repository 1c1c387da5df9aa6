"""The ``jags status`` job: where every request stands, as a table, in words and as status.xlsx."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from allocator import InputError, WorkingCalendar
from jags import workbook
from jags.ledger.views import FACILITATOR_COLUMNS, REQUEST_COLUMNS

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date
    from zoneinfo import ZoneInfo

    from jags.ledger import Ledger
    from jags.ledger.views import FacilitatorStatus, RequestStatus

__all__ = [
    "STATE_WORDS",
    "STATUS_WORKBOOK",
    "TIME_COLUMNS",
    "status_files",
    "status_summary",
    "status_workbook",
]


def status_files(
    ledger: Ledger, on: date, *, request_id: str | None, facilitators: bool
) -> tuple[tuple[str, ...], list[tuple[object, ...]]]:
    """The header and rows of ``jags status``."""
    if facilitators:
        return FACILITATOR_COLUMNS, [f.row() for f in ledger.facilitator_status()]
    rows = ledger.request_status(on, request_id)
    if request_id is not None and not rows:
        raise InputError(f"request {request_id} is not in the ledger")
    return REQUEST_COLUMNS, [r.row() for r in rows]


STATUS_WORKBOOK = "status.xlsx"
"""The workbook's file name."""
STATE_WORDS = {
    "received": "waiting for a facilitator",
    "allocated": "allocated (not yet contacted)",
    "contacted": "contacted (not yet confirmed)",
    "confirmed": "confirmed (no session booked)",
    "scheduled": "with a session booked",
    "held": "held",
    "closed": "closed",
    "stepped_down": "stepped down",
    "cancelled": "cancelled",
}
"""Each state in words, in journey order."""


def status_summary(
    requests: Sequence[RequestStatus], facilitators: Sequence[FacilitatorStatus], on: date
) -> list[str]:
    """Where the requests stand on ``on``, in plain English (no codes)."""
    from collections import Counter

    states = Counter(r.state for r in requests)
    parts = [f"{states[state]} {words}" for state, words in STATE_WORDS.items() if states[state]]
    lines = [
        f"{len(requests)} request(s) on the ledger on {on:%a %d %b %Y}"
        + (": " + "; ".join(parts) + "." if parts else ".")
    ]
    overdue = [r.request_id for r in requests if r.overdue]
    lines.append(
        f"{len(overdue)} overdue (see the overdue column): {', '.join(overdue)}."
        if overdue
        else "Nothing is overdue."
    )
    full = [
        f.facilitator_id
        for f in facilitators
        if f.max_open is not None and f.open_load >= f.max_open
    ]
    load = sum(f.open_load for f in facilitators)
    places = sum(f.max_open or 0 for f in facilitators)
    lines.append(
        f"{len(facilitators)} facilitator(s) hold {load} open JAGS of {places} places; "
        f"{len(full)} at their maximum."
    )
    return lines


def status_workbook(ledger: Ledger, on: date) -> tuple[bytes, list[str]]:
    """``status.xlsx`` (Summary, Requests, Facilitators) and its summary lines.

    Dates are date cells; received and session times are date-time cells in
    the policy's time zone.
    """
    import openpyxl

    requests = ledger.request_status(on)
    facilitators = ledger.facilitator_status()
    lines = status_summary(requests, facilitators, on)
    zone = WorkingCalendar.for_policy(ledger.policy).zone
    book = openpyxl.Workbook(write_only=True)
    workbook.summary_sheet(
        book,
        f"{ledger.name}: where every request stands",
        [
            ("Date", on),
            ("Requests", lines[0]),
            ("Overdue", lines[1]),
            ("Facilitators", lines[2]),
            (
                "Sheets",
                "Requests: every request from the form, oldest first, with its dates and "
                "what is overdue. Facilitators: every facilitator's open JAGS.",
            ),
        ],
    )
    workbook.table_sheet(
        book, "Requests", REQUEST_COLUMNS, [_local_times(r.row(), zone) for r in requests]
    )
    workbook.table_sheet(book, "Facilitators", FACILITATOR_COLUMNS, [f.row() for f in facilitators])
    return workbook.workbook_bytes(book, on), lines


TIME_COLUMNS = ("received_at", "session_start")
"""Status columns holding ISO date-times (written as date-time cells)."""


def _local_times(row: tuple[object, ...], zone: ZoneInfo) -> tuple[object, ...]:
    """ISO date-time text as naive local date-times (spreadsheets have no time zones)."""
    out = list(row)
    for column in TIME_COLUMNS:
        i = REQUEST_COLUMNS.index(column)
        if isinstance(out[i], str) and out[i]:
            out[i] = datetime.fromisoformat(str(out[i])).astimezone(zone).replace(tzinfo=None)
    return tuple(out)
