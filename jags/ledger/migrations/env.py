"""Alembic environment: run migrations on the connection the ledger hands over.

Batch mode (``render_as_batch``) lets SQLite alter tables by copying them.
"""

from __future__ import annotations

from alembic import context

from jags.ledger.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection, target_metadata=Base.metadata, render_as_batch=True, compare_type=True
)
with context.begin_transaction():
    context.run_migrations()
