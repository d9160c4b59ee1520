"""一网格 and the four platforms (issue 17): grid reports (报办分离), the points ledger (有奖上报),
the admission list (网格事项准入清单) as synced records, and the channel's own id of a case
imported from a feed (``cases.external_id``, indexed with the channel: importing a file twice
creates nothing new). The index is not UNIQUE on purpose: two workstations may import the same
file while offline, and a replica cannot refuse the other's case when it is pulled (the pull would
fail for good). ``add_column`` is a plain ALTER TABLE on SQLite (no table rebuild), so the facts
triggers on ``cases`` stay.

Revision ID: 0014_grids
Revises: 0011_centre_phrases
"""
import sqlalchemy as sa
from alembic import op

from app.store.types import UTCDateTime

revision = "0014_grids"
down_revision = "0013_mediation"
branch_labels = None
depends_on = None


def _ref_columns() -> list:
    return [sa.Column("id", sa.String(length=36), nullable=False),
            sa.Column("code", sa.String(length=32), nullable=False),
            sa.Column("name", sa.String(length=100), nullable=False),
            sa.Column("owner_level", sa.String(length=10), nullable=False),
            sa.Column("sample", sa.Boolean(), nullable=False),
            sa.Column("deleted", sa.Boolean(), nullable=False),
            sa.Column("updated_at", UTCDateTime(), nullable=True)]


def upgrade() -> None:
    op.add_column("cases", sa.Column("external_id", sa.String(length=64), nullable=True))
    op.create_index("ix_cases_channel_external", "cases", ["channel", "external_id"],
                    sqlite_where=sa.text("external_id IS NOT NULL"))
    op.create_table(
        "grid_reports", *_ref_columns(),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("reporter_staff", sa.String(length=32), nullable=False),
        sa.Column("village_code", sa.String(length=32), nullable=False),
        sa.Column("grid_code", sa.String(length=32), nullable=False),
        sa.Column("micro_code", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("reported_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"), sa.UniqueConstraint("code"))
    for col in ("case_id", "reporter_staff", "village_code", "grid_code", "reported_at"):
        op.create_index(f"ix_grid_reports_{col}", "grid_reports", [col])
    op.create_table(
        "points_entries", *_ref_columns(),
        sa.Column("person", sa.String(length=32), nullable=False),
        sa.Column("person_kind", sa.String(length=10), nullable=False),
        sa.Column("person_name", sa.String(length=50), nullable=True),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("case_no", sa.String(length=40), nullable=True),
        sa.Column("reverses", sa.String(length=32), nullable=True),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"), sa.UniqueConstraint("code"))
    for col in ("person", "case_no", "reverses", "month"):
        op.create_index(f"ix_points_entries_{col}", "points_entries", [col])
    op.create_table(
        "grid_admissions", *_ref_columns(),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"), sa.UniqueConstraint("code"))


def downgrade() -> None:
    op.drop_table("grid_admissions")
    op.drop_table("points_entries")
    op.drop_table("grid_reports")
    op.drop_index("ix_cases_channel_external", "cases")
    op.drop_column("cases", "external_id")
