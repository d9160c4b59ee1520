"""go live: town workbook columns (households, scope, village type, liaison unit, co-units, rule
time limits) and the synced holiday calendar (``holidays``: district- and town-owned days)

Revision ID: 0009_golive
Revises: 0008_log_chain
"""
import sqlalchemy as sa
from alembic import op

import app.store.types

revision = "0009_golive"
down_revision = "0008_log_chain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN (nullable): no table rebuild, so no trigger is lost
    op.add_column("grids", sa.Column("households", sa.Integer(), nullable=True))
    op.add_column("grids", sa.Column("scope", sa.String(length=100), nullable=True))
    op.add_column("grids", sa.Column("kind", sa.String(length=10), nullable=True))
    op.add_column("staff", sa.Column("unit_code", sa.String(length=32), nullable=True))
    op.add_column("rules", sa.Column("co_units", sa.String(length=200), nullable=True))
    op.add_column("rules", sa.Column("handle_days", sa.Float(), nullable=True))
    op.create_table(
        "holidays",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner_level", sa.String(length=10), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", app.store.types.UTCDateTime(), nullable=True),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("workday", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_holidays_day", "holidays", ["day"])


def downgrade() -> None:
    op.drop_index("ix_holidays_day", table_name="holidays")
    op.drop_table("holidays")
    with op.batch_alter_table("rules") as b:
        b.drop_column("handle_days")
        b.drop_column("co_units")
    with op.batch_alter_table("staff") as b:
        b.drop_column("unit_code")
    with op.batch_alter_table("grids") as b:
        b.drop_column("kind")
        b.drop_column("scope")
        b.drop_column("households")
