"""Centre-wide 常用语 become a synced reference record type (``centre_phrases``, entity
``phrase``): kept by the admin, they reach every workstation of the town. Personal phrases stay in
``phrases`` (local). Existing centre phrases (``phrases.owner`` NULL) move to the new table.

Revision ID: 0011_centre_phrases
Revises: 0010_phrases_handovers
"""
import sqlalchemy as sa
from alembic import op

from app.store.types import UTCDateTime

revision = "0011_centre_phrases"
down_revision = "0010_phrases_handovers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "centre_phrases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner_level", sa.String(length=10), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("keys", sa.Text(), nullable=False, server_default=""),
        sa.Column("uses", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_centre_phrases_field", "centre_phrases", ["field"])
    from app.domain.ids import new_id

    conn = op.get_bind()
    old = conn.execute(sa.text("SELECT id, field, text, keys, uses, created_at FROM phrases WHERE owner IS NULL"))
    for pid, field, text, keys, uses, created in old.fetchall():
        rid = new_id()
        conn.execute(sa.text(
            "INSERT INTO centre_phrases (id, code, name, owner_level, sample, deleted, updated_at, field, text, keys, "
            "uses) VALUES (:id, :code, :name, 'town', 0, 0, :at, :field, :text, :keys, :uses)"),
            {"id": rid, "code": rid.replace("-", ""), "name": " ".join(text.split())[:40], "at": created,
             "field": field, "text": text, "keys": keys or "", "uses": uses or 0})
        conn.execute(sa.text("DELETE FROM phrases WHERE id = :id"), {"id": pid})


def downgrade() -> None:
    op.drop_index("ix_centre_phrases_field", "centre_phrases")
    op.drop_table("centre_phrases")
