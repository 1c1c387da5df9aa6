"""The report's one query module: the ledger's rows as tidy pandas tables.

This is the only module of :mod:`jags.report` that touches the database. It
reads only what the KPIs need: ids, dates, states, organisations, sectors,
loads and the feedback scores and theme words — never a name, an e-mail, a
case or family reference, or free text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import select

from jags.ledger.models import Allocation, Event, Feedback, LedgerFacilitator, LedgerRequest
from jags.ledger.records import aware

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from allocator import Policy
    from jags.ledger import Ledger

REQUEST_COLUMNS = (
    "request_id",
    "origin",
    "received_on",
    "day_zero",
    "allocate_by",
    "requester_organisation",
)
EVENT_COLUMNS = ("seq", "request_id", "event", "on")
ALLOCATION_COLUMNS = ("request_id", "facilitator_id", "allocated_on", "ended_on", "status")
FACILITATOR_COLUMNS = (
    "facilitator_id",
    "organisation",
    "sector",
    "max_open",
    "untracked_open",
    "first_seen",
    "last_seen",
    "in_workspace",
)
FEEDBACK_COLUMNS = (
    "response_id",
    "request_id",
    "role",
    "themes",
    "confidence_before",
    "confidence_after",
    "submitted_on",
)


@dataclass(frozen=True)
class LedgerData:
    """One partnership's ledger as tidy tables (one row per observation).

    Attributes
    ----------
    partnership
        The partnership's name.
    policy
        The policy stored in the ledger (working days, targets in days).
    requests
        One row per request: ``request_id``, ``origin`` (form or history),
        ``received_on`` (the London date it was received), ``day_zero``,
        ``allocate_by``, ``requester_organisation``.
    events
        One row per event, in the order recorded (``seq``): ``request_id``,
        ``event``, ``on``.
    allocations
        One row per facilitator given to a request: ``request_id``,
        ``facilitator_id``, ``allocated_on``, ``ended_on``, ``status``.
    facilitators
        The facilitator snapshot: ``facilitator_id``, ``organisation``,
        ``sector``, ``max_open``, ``untracked_open``, ``first_seen``,
        ``last_seen``, ``in_workspace``.
    feedback
        One row per feedback form response: ``response_id``, ``request_id``,
        ``role``, ``themes`` (``;``-separated), ``confidence_before``,
        ``confidence_after``, ``submitted_on``.
    """

    partnership: str
    policy: Policy
    requests: pd.DataFrame
    events: pd.DataFrame
    allocations: pd.DataFrame
    facilitators: pd.DataFrame
    feedback: pd.DataFrame


def _received_on(moment: datetime | None) -> object:
    return aware(moment).date() if moment is not None else None


def _frame(
    rows: Sequence[tuple[object, ...]], columns: tuple[str, ...], dates: tuple[str, ...] = ()
) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=list(columns))
    for column in dates:
        frame[column] = pd.to_datetime(frame[column])
    return frame


def read_ledger(ledger: Ledger) -> LedgerData:
    """Read one partnership's ledger in one consistent snapshot.

    Parameters
    ----------
    ledger
        An open ledger (its partnership and policy are used).

    Returns
    -------
    LedgerData
        The tables the KPIs are computed from.
    """
    key = ledger.key
    with ledger.store.read() as session:
        requests = [
            (
                r.request_id,
                r.origin,
                _received_on(r.received_at),
                r.day_zero,
                r.allocate_by,
                r.requester_organisation,
            )
            for r in session.execute(
                select(
                    LedgerRequest.request_id,
                    LedgerRequest.origin,
                    LedgerRequest.received_at,
                    LedgerRequest.day_zero,
                    LedgerRequest.allocate_by,
                    LedgerRequest.requester_organisation,
                )
                .where(LedgerRequest.partnership == key)
                .order_by(LedgerRequest.request_id)
            )
        ]
        events = [
            tuple(row)
            for row in session.execute(
                select(Event.id, Event.request_id, Event.event, Event.on)
                .where(Event.partnership == key)
                .order_by(Event.id)
            )
        ]
        allocations = [
            tuple(row)
            for row in session.execute(
                select(
                    Allocation.request_id,
                    Allocation.facilitator_id,
                    Allocation.allocated_on,
                    Allocation.ended_on,
                    Allocation.status,
                )
                .where(Allocation.partnership == key)
                .order_by(Allocation.id)
            )
        ]
        facilitators = [
            tuple(row)
            for row in session.execute(
                select(
                    LedgerFacilitator.facilitator_id,
                    LedgerFacilitator.organisation,
                    LedgerFacilitator.sector,
                    LedgerFacilitator.max_open,
                    LedgerFacilitator.untracked_open,
                    LedgerFacilitator.first_seen,
                    LedgerFacilitator.last_seen,
                    LedgerFacilitator.in_workspace,
                )
                .where(LedgerFacilitator.partnership == key)
                .order_by(LedgerFacilitator.facilitator_id)
            )
        ]
        feedback = [
            tuple(row)
            for row in session.execute(
                select(
                    Feedback.response_id,
                    Feedback.request_id,
                    Feedback.role,
                    Feedback.themes,
                    Feedback.confidence_before,
                    Feedback.confidence_after,
                    Feedback.submitted_on,
                )
                .where(Feedback.partnership == key)
                .order_by(Feedback.response_id)
            )
        ]
    return LedgerData(
        partnership=ledger.name,
        policy=ledger.policy,
        requests=_frame(requests, REQUEST_COLUMNS, ("received_on", "day_zero", "allocate_by")),
        events=_frame(events, EVENT_COLUMNS, ("on",)),
        allocations=_frame(allocations, ALLOCATION_COLUMNS, ("allocated_on", "ended_on")),
        facilitators=_frame(facilitators, FACILITATOR_COLUMNS, ("first_seen", "last_seen")),
        feedback=_frame(feedback, FEEDBACK_COLUMNS, ("submitted_on",)),
    )
