"""矛盾调处: mediators (reference records), disputes, mediation sessions, 积案 (backlog) records and
their progress entries — all synced records of the generic record path (app.domain.entities).

Revision ID: 0013_mediation
Revises: 0011_centre_phrases
"""
import sqlalchemy as sa
from alembic import op

from app.store.types import JSONText, UTCDateTime

revision = "0013_mediation"
down_revision = "0012_emergency"
branch_labels = None
depends_on = None

TABLES = ("mediators", "disputes", "mediation_sessions", "backlogs", "backlog_steps")


def upgrade() -> None:
    op.create_table(
        "mediators",
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("org", sa.String(length=100), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner_level", sa.String(length=10), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "disputes",
        sa.Column("case_no", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("parties", JSONText(), nullable=False),
        sa.Column("facts", sa.Text(), nullable=True),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("difficulty", sa.String(length=10), nullable=False),
        sa.Column("difficulty_reason", sa.Text(), nullable=True),
        sa.Column("criminal_risk", sa.Boolean(), nullable=False),
        sa.Column("police_calls", sa.Integer(), nullable=False),
        sa.Column("village", sa.String(length=32), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("warn_at", UTCDateTime(), nullable=True),
        sa.Column("extension_days", sa.Float(), nullable=False),
        sa.Column("mediator", sa.String(length=32), nullable=True),
        sa.Column("co_mediators", JSONText(), nullable=False),
        sa.Column("documents", JSONText(), nullable=False),
        sa.Column("means", sa.String(length=16), nullable=True),
        sa.Column("success", sa.Boolean(), nullable=True),
        sa.Column("agreement", JSONText(), nullable=True),
        sa.Column("fail_reason", sa.Text(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("judicial_due_at", UTCDateTime(), nullable=True),
        sa.Column("judicial_applied_at", UTCDateTime(), nullable=True),
        sa.Column("visited_at", UTCDateTime(), nullable=True),
        sa.Column("visit_note", sa.Text(), nullable=True),
        sa.Column("performed", sa.Boolean(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner_level", sa.String(length=10), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_disputes_case_no", "disputes", ["case_no"])
    op.create_index("ix_disputes_mediator", "disputes", ["mediator"])
    op.create_index("ix_disputes_state", "disputes", ["state"])
    op.create_table(
        "mediation_sessions",
        sa.Column("dispute_id", sa.String(length=36), nullable=False),
        sa.Column("dispute_no", sa.String(length=32), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("village", sa.String(length=32), nullable=True),
        sa.Column("attendees", JSONText(), nullable=False),
        sa.Column("record", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("mediator", sa.String(length=32), nullable=True),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner_level", sa.String(length=10), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_mediation_sessions_dispute_id", "mediation_sessions", ["dispute_id"])
    op.create_table(
        "backlogs",
        sa.Column("case_no", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("lead", sa.String(length=50), nullable=False),
        sa.Column("members", JSONText(), nullable=False),
        sa.Column("units", JSONText(), nullable=False),
        sa.Column("village", sa.String(length=32), nullable=True),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("due", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("registered_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("checklist", JSONText(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner_level", sa.String(length=10), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_backlogs_state", "backlogs", ["state"])
    op.create_index("ix_backlogs_case_no", "backlogs", ["case_no"])
    op.create_table(
        "backlog_steps",
        sa.Column("backlog_id", sa.String(length=36), nullable=False),
        sa.Column("backlog_no", sa.String(length=32), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner_level", sa.String(length=10), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_backlog_steps_backlog_id", "backlog_steps", ["backlog_id"])


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
