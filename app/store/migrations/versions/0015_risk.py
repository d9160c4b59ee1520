"""分析研判 and 综合查一次 (issue 18): the risk register (risks, risk_steps, risk_decisions), the
major-decision social risk assessment (assessments, assessment_opinions) and joint inspections
(inspections, inspection_problems). All are synced town records (the RefMixin columns).

Revision ID: 0015_risk
Revises: 0011_centre_phrases
"""
import sqlalchemy as sa
from alembic import op

from app.store.types import JSONText, UTCDateTime

revision = "0015_risk"
down_revision = "0014_grids"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risks",
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("village", sa.String(length=32), nullable=True),
        sa.Column("grid", sa.String(length=32), nullable=True),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("route_reason", sa.Text(), nullable=False),
        sa.Column("reported", sa.Boolean(), nullable=False),
        sa.Column("case_nos", JSONText(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("warn_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("urge_count", sa.Integer(), nullable=False),
        sa.Column("urge_level", sa.String(length=10), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner_level", sa.String(length=10), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_risks_village", "risks", ['village'])
    op.create_index("ix_risks_state", "risks", ['state'])
    op.create_table(
        "risk_steps",
        sa.Column("risk_no", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("actor_name", sa.String(length=50), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=True),
        sa.Column("detail", JSONText(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner_level", sa.String(length=10), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_risk_steps_risk_no", "risk_steps", ['risk_no'])
    op.create_table(
        "risk_decisions",
        sa.Column("rule", sa.String(length=16), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("case_nos", JSONText(), nullable=False),
        sa.Column("risk_no", sa.String(length=32), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner_level", sa.String(length=10), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "assessments",
        sa.Column("body", sa.String(length=100), nullable=False),
        sa.Column("plan", JSONText(), nullable=False),
        sa.Column("template", JSONText(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("scores", JSONText(), nullable=False),
        sa.Column("total", sa.Float(), nullable=True),
        sa.Column("level", sa.String(length=8), nullable=True),
        sa.Column("conclusion", sa.String(length=16), nullable=True),
        sa.Column("conclusion_note", sa.Text(), nullable=False),
        sa.Column("follow_up_of", sa.String(length=32), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("scored_at", UTCDateTime(), nullable=True),
        sa.Column("concluded_at", UTCDateTime(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner_level", sa.String(length=10), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_assessments_state", "assessments", ['state'])
    op.create_table(
        "assessment_opinions",
        sa.Column("assessment_no", sa.String(length=32), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("held_on", sa.String(length=10), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("support", sa.Integer(), nullable=False),
        sa.Column("oppose", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner_level", sa.String(length=10), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_assessment_opinions_assessment_no", "assessment_opinions", ['assessment_no'])
    op.create_table(
        "inspections",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("departments", JSONText(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("matters", JSONText(), nullable=False),
        sa.Column("checked", JSONText(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner_level", sa.String(length=10), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_inspections_day", "inspections", ['day'])
    op.create_table(
        "inspection_problems",
        sa.Column("inspection_no", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("fixed", sa.Boolean(), nullable=False),
        sa.Column("fixed_at", UTCDateTime(), nullable=True),
        sa.Column("rectify_due", sa.String(length=10), nullable=True),
        sa.Column("clue_to", sa.String(length=32), nullable=True),
        sa.Column("case_filed", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner_level", sa.String(length=10), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_inspection_problems_inspection_no", "inspection_problems", ['inspection_no'])


def downgrade() -> None:
    op.drop_index("ix_inspection_problems_inspection_no", "inspection_problems")
    op.drop_table("inspection_problems")
    op.drop_index("ix_inspections_day", "inspections")
    op.drop_table("inspections")
    op.drop_index("ix_assessment_opinions_assessment_no", "assessment_opinions")
    op.drop_table("assessment_opinions")
    op.drop_index("ix_assessments_state", "assessments")
    op.drop_table("assessments")
    op.drop_table("risk_decisions")
    op.drop_index("ix_risk_steps_risk_no", "risk_steps")
    op.drop_table("risk_steps")
    op.drop_index("ix_risks_village", "risks")
    op.drop_index("ix_risks_state", "risks")
    op.drop_table("risks")
