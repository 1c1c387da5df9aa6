"""The ledger: partnerships, batches, requests, participants, facilitators,
allocations, sessions, the outbox and the append-only event table.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.String(64)


def upgrade() -> None:
    op.create_table(
        "partnerships",
        sa.Column("key", ID, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("policy", sa.Text, nullable=False),
        sa.Column("created_on", sa.Date, nullable=False),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("partnership", ID, sa.ForeignKey("partnerships.key"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("on", sa.Date, nullable=False),
        sa.Column("by", sa.String(100), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("files", sa.LargeBinary, nullable=True),
    )
    op.create_index("ix_batches_partnership", "batches", ["partnership"])
    op.create_table(
        "requests",
        sa.Column("partnership", ID, sa.ForeignKey("partnerships.key"), primary_key=True),
        sa.Column("request_id", ID, primary_key=True),
        sa.Column("origin", sa.String(10), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("received_at", sa.DateTime, nullable=True),
        sa.Column("day_zero", sa.Date, nullable=True),
        sa.Column("allocate_by", sa.Date, nullable=True),
        *(
            sa.Column(name, sa.Text, nullable=True)
            for name in (
                "requester_name",
                "requester_email",
                "requester_organisation",
                "case_ref",
                "family_ref",
                "locality",
            )
        ),
        sa.Column("mode", sa.String(20), nullable=True),
        sa.Column("topic", sa.Text, nullable=True),
        sa.Column("preferred_facilitator_id", ID, nullable=True),
        sa.Column("preference_rationale", sa.Text, nullable=True),
        sa.Column("follow_up_of", ID, nullable=True),
        sa.Column("row_digest", sa.String(64), nullable=True),
        sa.Column("imported_on", sa.Date, nullable=False),
        *(
            sa.Column(name, sa.Date, nullable=True)
            for name in (
                "allocated_on",
                "contacted_on",
                "confirmed_on",
                "held_on",
                "closed_on",
                "ended_on",
            )
        ),
        sa.Column("declines", sa.Integer, nullable=False),
        sa.Column("purged_on", sa.Date, nullable=True),
    )
    op.create_index("ix_requests_state", "requests", ["state"])
    op.create_table(
        "participants",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("partnership", ID, nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.Text, nullable=True),
        sa.Column("email", sa.Text, nullable=True),
        sa.Column("organisation", sa.Text, nullable=True),
        sa.Column("attendance", sa.String(10), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership", "request_id"], ["requests.partnership", "requests.request_id"]
        ),
    )
    op.create_index("ix_participants_request", "participants", ["partnership", "request_id"])
    op.create_table(
        "facilitators",
        sa.Column("partnership", ID, sa.ForeignKey("partnerships.key"), primary_key=True),
        sa.Column("facilitator_id", ID, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("organisation", sa.Text, nullable=True),
        sa.Column("sector", sa.Text, nullable=True),
        sa.Column("max_open", sa.Integer, nullable=True),
        sa.Column("untracked_open", sa.Integer, nullable=False),
        sa.Column("first_seen", sa.Date, nullable=False),
        sa.Column("last_seen", sa.Date, nullable=False),
        sa.Column("in_workspace", sa.Boolean, nullable=False),
    )
    op.create_table(
        "allocations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("partnership", ID, nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("facilitator_id", ID, nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("pinned", sa.Boolean, nullable=False),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("allocated_on", sa.Date, nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("ended_on", sa.Date, nullable=True),
        sa.ForeignKeyConstraint(
            ["partnership", "request_id"], ["requests.partnership", "requests.request_id"]
        ),
    )
    op.create_index("ix_allocations_request", "allocations", ["partnership", "request_id"])
    op.create_index(
        "ix_allocations_open", "allocations", ["partnership", "status", "facilitator_id"]
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("partnership", ID, nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("start", sa.DateTime, nullable=False),
        sa.Column("end", sa.DateTime, nullable=False),
        sa.Column("uid", sa.String(200), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("organizer", sa.Text, nullable=False),
        sa.Column("attendees", sa.Text, nullable=False),
        sa.Column("location", sa.Text, nullable=True),
        sa.Column("confirmed_on", sa.Date, nullable=False),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership", "request_id"], ["requests.partnership", "requests.request_id"]
        ),
        sa.UniqueConstraint("partnership", "request_id", name="uq_sessions_request"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("partnership", ID, sa.ForeignKey("partnerships.key"), nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("uid", sa.String(200), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("recipients", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("ics", sa.LargeBinary, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("provider_id", sa.Text, nullable=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("sent_on", sa.Date, nullable=True),
    )
    op.create_index("ix_outbox_status", "outbox", ["partnership", "status"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("partnership", ID, sa.ForeignKey("partnerships.key"), nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("event", sa.String(20), nullable=False),
        sa.Column("on", sa.Date, nullable=False),
        sa.Column("by", sa.String(100), nullable=False),
        sa.Column("old_state", sa.String(20), nullable=True),
        sa.Column("new_state", sa.String(20), nullable=False),
        sa.Column("facilitator_id", ID, nullable=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
    )
    op.create_index("ix_events_request", "events", ["partnership", "request_id"])
    op.create_table(
        "event_notes",
        sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), primary_key=True),
        sa.Column("partnership", ID, nullable=False),
        sa.Column("text", sa.Text, nullable=True),
    )
    _append_only("events")


def _append_only(table: str) -> None:
    """A trigger that refuses UPDATE and DELETE on ``table``."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{table} are append-only'; END $$""")
        op.execute(f"""
            CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {table}_append_only()""")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table}
                BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS events_append_only ON events")
        op.execute("DROP FUNCTION IF EXISTS events_append_only()")
    for table in (
        "event_notes",
        "events",
        "outbox",
        "sessions",
        "allocations",
        "facilitators",
        "participants",
        "requests",
        "batches",
        "partnerships",
    ):
        op.drop_table(table)
