"""unit workstations: the one-time code and the device carry the unit whose cases it holds

Revision ID: s0005_unit_scope
Revises: s0004_user_keys
"""
import sqlalchemy as sa
from alembic import op

revision = "s0005_unit_scope"
down_revision = "s0004_user_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enroll_codes") as t:
        t.add_column(sa.Column("unit", sa.String(32), nullable=True))
    with op.batch_alter_table("devices") as t:
        t.add_column(sa.Column("unit", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("devices") as t:
        t.drop_column("unit")
    with op.batch_alter_table("enroll_codes") as t:
        t.drop_column("unit")
