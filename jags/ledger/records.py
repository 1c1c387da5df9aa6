"""Conversions between ledger rows and the engines' frozen domain objects.

The engines never see a session: the ledger turns rows into the same
:class:`~allocator.models.Request`, :class:`~allocator.models.Participant` and
:class:`~allocator.models.PastSession` objects the file workspace gives them.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from allocator import Attendance, Mode, Participant, Request
from allocator.workdays import DEFAULT_ZONE, to_local
from jags.workspace_tables import REQUEST_COLUMNS

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from jags.ledger.models import LedgerParticipant, LedgerRequest

REQUEST_FIELDS = REQUEST_COLUMNS[1:]
"""Columns of requests.csv kept as received (besides the id)."""
PRIVATE_FIELDS = frozenset(
    {"requester_name", "case_ref", "family_ref", "topic", "preference_rationale", "participants"}
)
"""Fields whose values are never shown in a message (only in files for the Business Unit)."""


def utc_naive(moment: datetime) -> datetime:
    """A date-time as naive UTC, the way the ledger stores it (naive means local time in
    the policy's default zone)."""
    return to_local(moment).astimezone(UTC).replace(tzinfo=None)


def aware(moment: datetime, zone: str = DEFAULT_ZONE) -> datetime:
    """A stored (naive UTC) date-time as an aware one in ``zone`` (default the policy
    default, Europe/London)."""
    return to_local(moment.replace(tzinfo=UTC), zone)


def request_values(req: Request) -> dict[str, Any]:
    """The stored columns of a request."""
    return {
        "received_at": utc_naive(req.received_at),
        "requester_name": req.requester_name,
        "requester_email": req.requester_email,
        "requester_organisation": req.requester_organisation,
        "case_ref": req.case_ref,
        "family_ref": req.family_ref,
        "locality": req.locality,
        "mode": req.mode.value,
        "topic": req.topic,
        "preferred_facilitator_id": req.preferred_facilitator_id,
        "preference_rationale": req.preference_rationale,
        "follow_up_of": req.follow_up_of,
    }


def participant_values(participants: Iterable[Participant]) -> list[dict[str, Any]]:
    """The stored columns of a request's participants, in order."""
    return [
        {
            "position": i,
            "name": p.name,
            "email": p.email,
            "organisation": p.organisation,
            "attendance": p.attendance.value,
        }
        for i, p in enumerate(participants)
    ]


def row_digest(values: dict[str, Any], participants: Sequence[dict[str, Any]]) -> str:
    """SHA-256 of a request and its participants, to notice a changed export row."""
    payload = json.dumps(
        {"request": values, "participants": list(participants)},
        sort_keys=True,
        default=_plain,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _plain(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(type(value).__name__)  # pragma: no cover - only dates are stored


def to_request(row: LedgerRequest) -> Request:
    """A stored request as the engine's :class:`Request`."""
    assert row.received_at is not None
    return Request.model_construct(
        request_id=row.request_id,
        received_at=aware(row.received_at),
        requester_name=row.requester_name or "",
        requester_email=row.requester_email or "",
        requester_organisation=row.requester_organisation or "",
        case_ref=row.case_ref or "",
        family_ref=row.family_ref,
        locality=row.locality,
        mode=Mode(row.mode or "either"),
        topic=row.topic,
        preferred_facilitator_id=row.preferred_facilitator_id,
        preference_rationale=row.preference_rationale,
        follow_up_of=row.follow_up_of,
    )


def to_participant(row: LedgerParticipant) -> Participant:
    """A stored participant as the engine's :class:`Participant`."""
    return Participant.model_construct(
        request_id=row.request_id,
        name=row.name or "",
        email=row.email or "",
        organisation=row.organisation or "",
        attendance=Attendance(row.attendance),
    )


def changes(
    old: LedgerRequest,
    new: dict[str, Any],
    old_people: Sequence[dict[str, Any]],
    new_people: Sequence[dict[str, Any]],
) -> list[tuple[str, object, object]]:
    """``(column, old, new)`` for every column of a request that differs from the ledger."""
    found = [
        (name, getattr(old, name), new[name])
        for name in REQUEST_FIELDS
        if getattr(old, name) != new[name]
    ]
    if list(old_people) != list(new_people):
        found.append(("participants", _people(old_people), _people(new_people)))
    return found


def _people(people: Sequence[dict[str, Any]]) -> str:
    return "; ".join(
        f"{p['name']} <{p['email']}> ({p['organisation']}, {p['attendance']})" for p in people
    )
