"""The ledger: every request's journey from the form to the closed session.

SQLAlchemy 2 models (:mod:`jags.ledger.models`), Alembic migrations, and the
operations (:class:`Ledger`): init, intake, the daily allocation step,
recorded events, sessions and the outbox, status, export and purge. SQLite
in the workspace by default, PostgreSQL by URL. Nothing else in the product
writes SQL.
"""

from jags.ledger.events import RecordItem
from jags.ledger.intake import Change, Intake
from jags.ledger.lifecycle import RECORDABLE, EventKind, State, allowed
from jags.ledger.operations import DayOutcome, Ledger, RecordError
from jags.ledger.store import HEAD, LedgerBusy, LedgerError, ledger_url, open_store

__all__ = [
    "HEAD",
    "RECORDABLE",
    "Change",
    "DayOutcome",
    "EventKind",
    "Intake",
    "Ledger",
    "LedgerBusy",
    "LedgerError",
    "RecordError",
    "RecordItem",
    "State",
    "allowed",
    "ledger_url",
    "open_store",
]
