"""indicator facts index: one covering index holding every column the indicator pass reads

Revision ID: 0004_indicator_facts_index
Revises: 0003_filter_indexes
"""
from alembic import op

revision = "0004_indicator_facts_index"
down_revision = "0003_filter_indexes"
branch_labels = None
depends_on = None

# The columns the month pass of that time read. Superseded by 0005 (per-case facts and their
# rollup), which drops this index again.
FACTS_COLUMNS = ["received_at", "unit", "category", "channel", "village", "state", "persons",
                 "auto_dispatched", "return_count", "transfer_count", "satisfaction", "dispatched_at",
                 "signed_at", "sign_due_at", "due_at", "review_at", "clock_due_at", "clock_warn_at", "id"]


def upgrade() -> None:
    # Plain CREATE INDEX (no batch rebuild: the cases table and its FTS stay untouched). SQLite
    # answers the month pass from this narrow index instead of the wide cases rows.
    op.create_index("ix_cases_facts", "cases", FACTS_COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_cases_facts", table_name="cases")
