"""chain anchors per workstation (each sync anchors its log heads); the town digest covers each
accepted action's content, not its id: recomputed here for the data already held

Revision ID: s0005_anchors
Revises: s0005_unit_scope
"""
import sqlalchemy as sa
from alembic import op

from app.sync import protocol as P

revision = "s0005_anchors"
down_revision = "s0005_unit_scope"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chain_anchors",
        sa.Column("device_id", sa.String(36), primary_key=True),
        sa.Column("log", sa.String(20), primary_key=True),
        sa.Column("town", sa.String(8), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("chain", sa.String(64), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
    )
    recompute_digests(op.get_bind())


def recompute_digests(conn) -> dict:
    """Every town's digest (count + XOR of content hashes) from its accepted actions."""
    towns = {code: [0, 0] for (code,) in conn.execute(sa.text("SELECT code FROM towns"))}
    rows = conn.execute(sa.text("SELECT town, id, data FROM actions").execution_options(yield_per=5000))
    for town, aid, data in rows:
        acc = towns.setdefault(town, [0, 0])
        acc[0] += 1
        acc[1] ^= P.stored_text_hash(aid, data)
    for code, (count, xor) in towns.items():
        conn.execute(sa.text("UPDATE towns SET digest_count = :c, digest_xor = :x WHERE code = :t"),
                     {"c": count, "x": P.to_signed64(xor), "t": code})
    return towns


def downgrade() -> None:
    op.drop_table("chain_anchors")
    towns = {code: [0, 0] for (code,) in op.get_bind().execute(sa.text("SELECT code FROM towns"))}
    for town, aid in op.get_bind().execute(sa.text("SELECT town, id FROM actions")):
        acc = towns.setdefault(town, [0, 0])
        acc[0] += 1
        acc[1] ^= P.id_hash(aid)
    for code, (count, xor) in towns.items():
        op.get_bind().execute(sa.text("UPDATE towns SET digest_count = :c, digest_xor = :x WHERE code = :t"),
                              {"c": count, "x": P.to_signed64(xor), "t": code})
