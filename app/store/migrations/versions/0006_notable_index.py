"""notable cases index: the bulletins' 重点关注 (major, group visits, red-card 督办) by receipt time

Revision ID: 0006_notable_index
Revises: 0005_indicator_facts
"""
from alembic import op

revision = "0006_notable_index"
down_revision = "0005_indicator_facts"
branch_labels = None
depends_on = None

# Partial index: only the few notable cases are in it. SQLite uses it when a query repeats this
# exact condition (app/supervision/bulletins.py NOTABLE), instead of scanning the month's cases.
NOTABLE = "major = 1 OR persons >= 5 OR urge_level = 'red'"


def upgrade() -> None:
    op.execute(f"CREATE INDEX ix_cases_notable ON cases (received_at, urge_level, persons, major) WHERE {NOTABLE}")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_cases_notable")
