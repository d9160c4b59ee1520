"""users' per-device signing keys (registered at an online login); user password hashes leave the
change log (workstations never receive other users' hashes)

Revision ID: s0004_user_keys
Revises: s0002
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "s0004_user_keys"
down_revision = "s0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_keys",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("town", sa.String(8), nullable=False),
        sa.Column("username", sa.String(32), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.UniqueConstraint("town", "username", "public_key", name="uq_user_keys_town_user_key"),
    )
    conn = op.get_bind()
    for town, seq, data in conn.execute(sa.text("SELECT town, seq, data FROM changes WHERE entity = 'user'")).all():
        d = json.loads(data)
        if "password_hash" in (d.get("fields") or {}):
            d["fields"].pop("password_hash")
            text = json.dumps(d, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)
            conn.execute(sa.text("UPDATE changes SET data = :d WHERE town = :t AND seq = :s"),
                         {"d": text, "t": town, "s": seq})


def downgrade() -> None:
    op.drop_table("user_keys")
