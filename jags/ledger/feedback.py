"""Session feedback in the ledger: themes and before/after confidence, added once each."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from jags.ledger.models import Batch, Feedback, LedgerRequest
from jags.ledger.store import LedgerError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

    from jags.ledger.operations import Ledger


@dataclass(frozen=True)
class Response:
    """One answer to the feedback form, as stored (no free text: theme words only).

    ``where`` names the file and row for messages.
    """

    response_id: str
    request_id: str
    role: str | None
    themes: tuple[str, ...]
    confidence_before: int | None
    confidence_after: int | None
    submitted_on: date | None
    where: str = ""


@dataclass(frozen=True)
class FeedbackImport:
    """What an import did: responses added, and those already in the ledger."""

    added: int
    already: int


def import_feedback(
    ledger: Ledger, responses: Sequence[Response], on: date, by: str
) -> FeedbackImport:
    """Add the responses not yet in the ledger, all in one transaction.

    Raises
    ------
    LedgerError
        Naming the file, row and column of every response whose request is not in
        the ledger; nothing is added.
    """
    with ledger.store.write(ledger.key) as session:
        known = set(
            session.scalars(
                select(LedgerRequest.request_id).where(LedgerRequest.partnership == ledger.key)
            )
        )
        problems = [
            f"{r.where}, column request_id: not a request in the ledger"
            for r in responses
            if r.request_id not in known
        ]
        if problems:
            raise LedgerError("\n".join(problems))
        stored = set(
            session.scalars(select(Feedback.response_id).where(Feedback.partnership == ledger.key))
        )
        new = [r for r in responses if r.response_id not in stored]
        if not new:
            return FeedbackImport(0, len(responses))
        digest = hashlib.sha256(
            json.dumps(
                [
                    (
                        r.response_id,
                        r.request_id,
                        r.role,
                        r.themes,
                        r.confidence_before,
                        r.confidence_after,
                        str(r.submitted_on),
                    )
                    for r in new
                ]
            ).encode()
        ).hexdigest()
        batch = Batch(
            partnership=ledger.key,
            kind="feedback",
            on=on,
            by=by,
            digest=digest,
            summary=json.dumps({"responses": len(new)}),
        )
        session.add(batch)
        session.flush()
        session.add_all(
            Feedback(
                partnership=ledger.key,
                response_id=r.response_id,
                request_id=r.request_id,
                role=r.role,
                themes=";".join(r.themes),
                confidence_before=r.confidence_before,
                confidence_after=r.confidence_after,
                submitted_on=r.submitted_on,
                batch_id=batch.id,
            )
            for r in new
        )
        return FeedbackImport(len(new), len(responses) - len(new))
