"""server trust: receipt times, device keys, the action-time high mark, the district audit, the
town user directory's history

Revision ID: s0002
Revises: s0001
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "s0002"
down_revision = "s0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("changes") as b:
        b.add_column(sa.Column("received_at", sa.String(40), nullable=True))
    with op.batch_alter_table("devices") as b:
        b.add_column(sa.Column("public_key", sa.String(64), nullable=True))
        b.add_column(sa.Column("high_at", sa.String(40), nullable=True))
    op.create_table(
        "audit",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("town", sa.String(8), nullable=True),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("device", sa.String(36), nullable=True),
        sa.Column("actor", sa.String(32), nullable=True),
        sa.Column("subject", sa.String(80), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
    )
    op.create_index("ix_audit_town_at", "audit", ["town", "at"])
    op.create_table(
        "directory",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("town", sa.String(8), nullable=False),
        sa.Column("username", sa.String(32), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("unit", sa.String(32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("valid_from", sa.String(40), nullable=False),
        sa.Column("changed_by", sa.String(40), nullable=True),
    )
    op.create_index("ix_directory_town_user", "directory", ["town", "username", "valid_from"])
    with op.batch_alter_table("towns") as b:
        b.add_column(sa.Column("directory_device", sa.String(36), nullable=True))
    # the users a server already holds found each town's directory (in force for all earlier work)
    conn = op.get_bind()
    rows = []
    for scope, data in conn.execute(sa.text("SELECT scope, data FROM records WHERE entity = 'user' AND scope <> '*'")):
        d = json.loads(data)
        if d.get("code") and d.get("role"):
            rows.append({"town": scope, "username": str(d["code"])[:32], "role": str(d["role"])[:16],
                         "unit": d.get("unit_code") or None, "active": bool(d.get("active", True)),
                         "valid_from": "2000-01-01T00:00:00+00:00", "changed_by": "migration s0002"})
    if rows:
        conn.execute(sa.text("INSERT INTO directory (town, username, role, unit, active, valid_from, changed_by) "
                             "VALUES (:town, :username, :role, :unit, :active, :valid_from, :changed_by)"), rows)


def downgrade() -> None:
    with op.batch_alter_table("towns") as b:
        b.drop_column("directory_device")
    op.drop_index("ix_directory_town_user", "directory")
    op.drop_table("directory")
    op.drop_index("ix_audit_town_at", "audit")
    op.drop_table("audit")
    with op.batch_alter_table("devices") as b:
        b.drop_column("high_at")
        b.drop_column("public_key")
    with op.batch_alter_table("changes") as b:
        b.drop_column("received_at")
