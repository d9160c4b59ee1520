"""The centre on its own LAN: the town's enrolled workstations as the district lists them
(``town_devices``, entity ``device``) and the relay's own log, verdicts and case folds
(``lan_entries``, ``lan_verdicts``, ``lan_cases``) for ``towndesk lan serve``.

Revision ID: 0016_lan_relay
Revises: 0011_centre_phrases
"""
import sqlalchemy as sa
from alembic import op

from app.store.types import UTCDateTime

revision = "0016_lan_relay"
down_revision = "0015_risk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "town_devices",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner_level", sa.String(length=10), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.Column("public_key", sa.String(length=60), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "lan_entries",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("entry", sa.Text(), nullable=False),
        sa.Column("received_at", sa.String(length=40), nullable=False),
        sa.Column("upstream", sa.String(length=10), nullable=True),
        sa.Column("upstream_seq", sa.Integer(), nullable=True),
        sa.Column("upstream_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("entry_id"),
    )
    op.create_index("ix_lan_entries_entity_id", "lan_entries", ["entity_id"])
    op.create_index("ix_lan_entries_upstream", "lan_entries", ["upstream"])
    op.create_table(
        "lan_verdicts",
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("http", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("entry_id"),
    )
    op.create_table(
        "lan_cases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_no", sa.String(length=40), nullable=False),
        sa.Column("fold", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_lan_cases_case_no", "lan_cases", ["case_no"])


def downgrade() -> None:
    op.drop_index("ix_lan_cases_case_no", "lan_cases")
    op.drop_table("lan_cases")
    op.drop_table("lan_verdicts")
    op.drop_index("ix_lan_entries_upstream", "lan_entries")
    op.drop_index("ix_lan_entries_entity_id", "lan_entries")
    op.drop_table("lan_entries")
    op.drop_table("town_devices")
