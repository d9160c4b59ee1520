"""平战转换: emergencies, their broadcast tasks and receipts, and the prepared lists (people to
move, emergency teams) — synced reference records (entities emergency, emergency_task,
emergency_receipt, evacuee, emergency_team).

Revision ID: 0012_emergency
Revises: 0011_centre_phrases
"""
import sqlalchemy as sa
from alembic import op

from app.store.types import UTCDateTime

revision = "0012_emergency"
down_revision = "0011_centre_phrases"
branch_labels = None
depends_on = None


def _ref() -> list:
    return [sa.Column("id", sa.String(length=36), nullable=False),
            sa.Column("code", sa.String(length=32), nullable=False),
            sa.Column("name", sa.String(length=100), nullable=False),
            sa.Column("owner_level", sa.String(length=10), nullable=False),
            sa.Column("sample", sa.Boolean(), nullable=False),
            sa.Column("deleted", sa.Boolean(), nullable=False),
            sa.Column("updated_at", UTCDateTime(), nullable=True)]


def _keys() -> list:
    return [sa.PrimaryKeyConstraint("id"), sa.UniqueConstraint("code")]


def upgrade() -> None:
    op.create_table(
        "emergencies", *_ref(),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("area", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("started_by", sa.String(length=50), nullable=False),
        sa.Column("stopped_at", UTCDateTime(), nullable=True),
        sa.Column("stopped_by", sa.String(length=50), nullable=True),
        sa.Column("stop_reason", sa.Text(), nullable=True),
        *_keys())
    op.create_index("ix_emergencies_started_at", "emergencies", ["started_at"])
    op.create_table(
        "emergency_tasks", *_ref(),
        sa.Column("emergency_id", sa.String(length=36), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("targets", sa.Text(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=50), nullable=False),
        *_keys())
    op.create_index("ix_emergency_tasks_emergency_id", "emergency_tasks", ["emergency_id"])
    op.create_table(
        "emergency_receipts", *_ref(),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("target", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("entered_by", sa.String(length=50), nullable=False),
        *_keys())
    op.create_index("ix_emergency_receipts_latest", "emergency_receipts", ["task_id", "target", "at"])
    op.create_table(
        "evacuees", *_ref(),
        sa.Column("village_code", sa.String(length=32), nullable=False),
        sa.Column("grid_code", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_at", UTCDateTime(), nullable=True),
        *_keys())
    op.create_index("ix_evacuees_village_code", "evacuees", ["village_code"])
    op.create_table(
        "emergency_teams", *_ref(),
        sa.Column("village_code", sa.String(length=32), nullable=False),
        sa.Column("duty", sa.String(length=16), nullable=False),
        sa.Column("staff_code", sa.String(length=32), nullable=True),
        sa.Column("phone", sa.String(length=30), nullable=True),
        *_keys())
    op.create_index("ix_emergency_teams_village_code", "emergency_teams", ["village_code"])


def downgrade() -> None:
    for table, index in (("emergency_teams", "village_code"), ("evacuees", "village_code"),
                         ("emergency_receipts", "latest"), ("emergency_tasks", "emergency_id"),
                         ("emergencies", "started_at")):
        op.drop_index(f"ix_{table}_{index}", table)
        op.drop_table(table)
