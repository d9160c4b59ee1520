"""Users' signing keys on this workstation (sealed under their passwords) and the actors'
signatures of the actions written here (issue 12: actions are signed by their actors).

Revision ID: 0018_user_keys
Revises: 0011_centre_phrases
"""
import sqlalchemy as sa
from alembic import op

from app.store.types import UTCDateTime

revision = "0018_user_keys"
down_revision = "0017_perf"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_keys",
        sa.Column("username", sa.String(length=32), primary_key=True),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "action_signatures",
        sa.Column("action_id", sa.String(length=36), primary_key=True),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("action_signatures")
    op.drop_table("user_keys")
