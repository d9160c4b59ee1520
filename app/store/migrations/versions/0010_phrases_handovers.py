"""常用语 (phrases: centre-wide and personal) and 交班记录 (handovers), both local to the workstation

Revision ID: 0010_phrases_handovers
Revises: 0009_golive
"""
import sqlalchemy as sa
from alembic import op

from app.store.types import JSONText, UTCDateTime

revision = "0010_phrases_handovers"
down_revision = "0009_golive"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "phrases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("field", sa.String(20), nullable=False),
        sa.Column("owner", sa.String(32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("keys", sa.Text(), nullable=False, server_default=""),
        sa.Column("uses", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_phrases_field", "phrases", ["field"])
    op.create_index("ix_phrases_owner", "phrases", ["owner"])
    op.create_table(
        "handovers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("from_user", sa.String(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("summary", JSONText(), nullable=False),
        sa.Column("read_by", sa.String(32), nullable=True),
        sa.Column("read_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_handovers_at", "handovers", ["at"])


def downgrade() -> None:
    op.drop_index("ix_handovers_at", "handovers")
    op.drop_table("handovers")
    op.drop_index("ix_phrases_owner", "phrases")
    op.drop_index("ix_phrases_field", "phrases")
    op.drop_table("phrases")
