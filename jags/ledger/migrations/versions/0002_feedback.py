"""Session feedback: themes and before/after confidence from the feedback form.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("partnership", sa.String(64), sa.ForeignKey("partnerships.key"), nullable=False),
        sa.Column("response_id", sa.String(64), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("role", sa.String(40), nullable=True),
        sa.Column("themes", sa.Text, nullable=False),
        sa.Column("confidence_before", sa.Integer, nullable=True),
        sa.Column("confidence_after", sa.Integer, nullable=True),
        sa.Column("submitted_on", sa.Date, nullable=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
        sa.UniqueConstraint("partnership", "response_id", name="uq_feedback_response"),
    )
    op.create_index("ix_feedback_request", "feedback", ["partnership", "request_id"])


def downgrade() -> None:
    op.drop_table("feedback")
