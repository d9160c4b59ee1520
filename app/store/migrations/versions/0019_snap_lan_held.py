"""A partial index over the actions taken from a centre relay (status ``lan``): every district
round asks for them (app/lan/settle.py), and without it that is a scan of the whole action log
(1.2 s on a freshly enrolled 20k-case store, issue 15).

Revision ID: 0019_snap_lan_held
Revises: 0018_user_keys
"""
from alembic import op

revision = "0019_snap_lan_held"
down_revision = "0018_user_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX IF NOT EXISTS ix_actions_lan_held ON case_actions (id, case_id) WHERE status = 'lan'")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_actions_lan_held")
