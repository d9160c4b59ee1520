"""filter indexes: repeat check by place and category; counts of filtered case lists

Revision ID: 0003_filter_indexes
Revises: 0002_supervision
"""
from alembic import op

revision = "0003_filter_indexes"
down_revision = "0002_supervision"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain CREATE INDEX (no batch rebuild: the cases table and its FTS stay untouched).
    op.create_index("ix_cases_place_category", "cases", ["grid", "category", "received_at"])
    op.create_index("ix_cases_filters", "cases", ["state", "village", "unit", "category", "channel"])


def downgrade() -> None:
    op.drop_index("ix_cases_filters", "cases")
    op.drop_index("ix_cases_place_category", "cases")
