"""Tests for :mod:`jags.ledger.feedback`: responses added once, all or none."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from builders import fac

from allocator import PastSession, Policy, Workspace
from jags.ledger import Ledger, LedgerError
from jags.ledger.feedback import Response, import_feedback
from jags.ledger.models import Batch, Feedback


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    files = Workspace(
        facilitators=(fac("F1"),),
        history=(
            PastSession(
                request_id="H-1",
                facilitator_id="F1",
                allocated_on=date(2026, 10, 1),
                held_on=date(2026, 10, 20),
                closed_on=date(2026, 10, 20),
            ),
        ),
    )
    made, _ = Ledger.init(
        tmp_path, files, Policy.preset("norfolk"), on=date(2026, 11, 2), by="test"
    )
    return made


def response(rid: str, request: str = "H-1") -> Response:
    return Response(
        response_id=rid,
        request_id=request,
        role="Participant",
        themes=("Drift", "Complexity"),
        confidence_before=2,
        confidence_after=4,
        submitted_on=date(2026, 10, 20),
        where=f"f.csv, row {rid[-1]}",
    )


def rows(ledger: Ledger) -> list[tuple[str, str, int]]:
    from sqlalchemy import select

    with ledger.store.read() as session:
        return [
            (f.response_id, f.themes, f.batch_id)
            for f in session.scalars(select(Feedback).order_by(Feedback.response_id))
        ]


def test_responses_are_added_once(ledger: Ledger) -> None:
    done = import_feedback(ledger, [response("f:1"), response("f:2")], date(2026, 11, 2), "t")
    assert (done.added, done.already) == (2, 0)
    again = import_feedback(ledger, [response("f:2"), response("f:3")], date(2026, 11, 3), "t")
    assert (again.added, again.already) == (1, 1)
    stored = rows(ledger)
    assert [r[:2] for r in stored] == [
        ("f:1", "Drift;Complexity"),
        ("f:2", "Drift;Complexity"),
        ("f:3", "Drift;Complexity"),
    ]
    from sqlalchemy import select

    with ledger.store.read() as session:
        kinds = list(session.scalars(select(Batch.kind).order_by(Batch.id)))
    assert kinds == ["init", "feedback", "feedback"]
    nothing = import_feedback(ledger, [response("f:1")], date(2026, 11, 4), "t")
    assert (nothing.added, nothing.already) == (0, 1)
    ledger.close()


def test_an_unknown_request_adds_nothing(ledger: Ledger) -> None:
    with pytest.raises(
        LedgerError,
        match=r"f.csv, row 2, column request_id: not a request "
        r"in the ledger",
    ):
        import_feedback(ledger, [response("f:1"), response("f:2", "R-404")], date(2026, 11, 2), "t")
    assert rows(ledger) == []
    ledger.close()
