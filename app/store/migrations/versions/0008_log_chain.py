"""hash chains over the action log and the audit log (tamper evidence, app/store/chain.py)

Revision ID: 0008_log_chain
Revises: 0007_sync_quarantine
"""
import sqlalchemy as sa
from alembic import op

from app.store import chain

revision = "0008_log_chain"
down_revision = "0007_sync_quarantine"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ALTER TABLE ADD COLUMN (no batch rebuild: the tables keep their triggers and stay large)
    op.add_column("case_actions", sa.Column("chain", sa.String(64), nullable=True))
    op.add_column("audit_log", sa.Column("chain", sa.String(64), nullable=True))
    chain.extend(op.get_bind())  # the entries written so far, in their local order


def downgrade() -> None:
    op.execute("DELETE FROM meta WHERE key LIKE 'chain.%'")
    with op.batch_alter_table("audit_log") as b:
        b.drop_column("chain")
    with op.batch_alter_table("case_actions") as b:
        b.drop_column("chain")
