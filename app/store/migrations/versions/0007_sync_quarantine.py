"""sync quarantine: pulled changes this workstation cannot apply, kept with the reason

Revision ID: 0007_sync_quarantine
Revises: 0006_notable_index
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_sync_quarantine"
down_revision = "0006_notable_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_quarantine",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("entity", sa.String(20), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sync_quarantine")
