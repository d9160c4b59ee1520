"""supervision: deadline notices, indexes for indicators, deadline board and 督办

Revision ID: 0002_supervision
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

import app.store.types

revision = "0002_supervision"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deadline_notices",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("colour", sa.String(length=8), nullable=False),
        sa.Column("due_at", app.store.types.UTCDateTime(), nullable=True),
        sa.Column("notified_at", app.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("case_id"),
    )
    # Plain CREATE INDEX (no batch rebuild: the cases table and its FTS stay untouched).
    op.create_index("ix_cases_dispatched", "cases", ["dispatched_at"])
    op.create_index("ix_cases_closed", "cases", ["closed_at", "state"])
    op.create_index("ix_cases_unit_clock", "cases", ["unit", "clock_due_at", "clock_warn_at"])
    op.create_index("ix_cases_urge", "cases", ["urge_level", "state"])
    op.create_index("ix_actions_kind_at", "case_actions", ["kind", "at"])


def downgrade() -> None:
    op.drop_index("ix_actions_kind_at", table_name="case_actions")
    op.drop_index("ix_cases_urge", table_name="cases")
    op.drop_index("ix_cases_unit_clock", table_name="cases")
    op.drop_index("ix_cases_closed", table_name="cases")
    op.drop_index("ix_cases_dispatched", table_name="cases")
    op.drop_table("deadline_notices")
