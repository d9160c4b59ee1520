"""分析研判 and 综合查一次: the risk register, 稳评 and joint inspections (synced town records)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.store.models.base import Base, RefMixin
from app.store.types import JSONText, UTCDateTime


class Risk(RefMixin, Base):
    """A risk of the register (风险): ``code`` is the risk number, ``name`` its title. The loop
    监测 → 预警 → 处置 → 反馈 → 销号 moves ``state``; each move is a :class:`RiskStep`."""

    __entity__ = "risk"
    __tablename__ = "risks"
    source: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(50))
    description: Mapped[str] = mapped_column(Text, default="")
    village: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    grid: Mapped[str | None] = mapped_column(String(32), nullable=True)
    persons: Mapped[int] = mapped_column(Integer, default=1)
    level: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16), index=True)
    unit: Mapped[str | None] = mapped_column(String(32), nullable=True)
    route_reason: Mapped[str] = mapped_column(Text, default="")
    reported: Mapped[bool] = mapped_column(Boolean, default=False)   # 高: reported to the district
    case_nos: Mapped[list] = mapped_column(JSONText, default=list)    # linked cases (case trends)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    urge_count: Mapped[int] = mapped_column(Integer, default=0)
    urge_level: Mapped[str | None] = mapped_column(String(10), nullable=True)


class RiskStep(RefMixin, Base):
    """One step of a risk's loop (append-only): who, when, what. ``code`` is the id without dashes."""

    __entity__ = "risk_step"
    __tablename__ = "risk_steps"
    risk_no: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(32))
    actor_name: Mapped[str] = mapped_column(String(50), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    from_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    detail: Mapped[dict] = mapped_column(JSONText, default=dict)


class RiskDecision(RefMixin, Base):
    """The director's answer to a case-trend proposal (accepted -> ``risk_no``; dismissed ->
    remembered so the same cases are not proposed again). ``name`` is the proposal's key."""

    __entity__ = "risk_decision"
    __tablename__ = "risk_decisions"
    rule: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(String(10))
    case_nos: Mapped[list] = mapped_column(JSONText, default=list)
    risk_no: Mapped[str | None] = mapped_column(String(32), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")


class Assessment(RefMixin, Base):
    """重大决策社会风险评估 (稳评): ``code`` the assessment number, ``name`` the matter."""

    __entity__ = "assessment"
    __tablename__ = "assessments"
    body: Mapped[str] = mapped_column(String(100))                   # 责任主体
    plan: Mapped[dict] = mapped_column(JSONText, default=dict)         # area, households, factors, leaders
    template: Mapped[dict] = mapped_column(JSONText, default=dict)     # indicator template and weights
    state: Mapped[str] = mapped_column(String(16), index=True)
    scores: Mapped[dict] = mapped_column(JSONText, default=dict)
    total: Mapped[float | None] = mapped_column(Float, nullable=True)
    level: Mapped[str | None] = mapped_column(String(8), nullable=True)
    conclusion: Mapped[str | None] = mapped_column(String(16), nullable=True)
    conclusion_note: Mapped[str] = mapped_column(Text, default="")
    follow_up_of: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(32))
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AssessmentOpinion(RefMixin, Base):
    """One opinion-gathering record of an assessment (append-only): visit, forum, questionnaire,
    public notice or hearing, with its counts."""

    __entity__ = "assessment_opinion"
    __tablename__ = "assessment_opinions"
    assessment_no: Mapped[str] = mapped_column(String(32), index=True)
    method: Mapped[str] = mapped_column(String(16))
    held_on: Mapped[str] = mapped_column(String(10))
    participants: Mapped[int] = mapped_column(Integer, default=0)
    support: Mapped[int] = mapped_column(Integer, default=0)
    oppose: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(32))


class Inspection(RefMixin, Base):
    """综合查一次: one joint inspection. ``code`` the inspection number, ``name`` the target's name."""

    __entity__ = "inspection"
    __tablename__ = "inspections"
    day: Mapped[str] = mapped_column(String(10), index=True)
    departments: Mapped[list] = mapped_column(JSONText, default=list)  # unit codes, lead first
    uscc: Mapped[str] = mapped_column(String(18))
    matters: Mapped[list] = mapped_column(JSONText, default=list)      # checklist codes planned
    checked: Mapped[list] = mapped_column(JSONText, default=list)      # checklist codes checked
    state: Mapped[str] = mapped_column(String(10))                     # planned | done
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(32))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class InspectionProblem(RefMixin, Base):
    """A problem found by a joint inspection and its follow-up (rectification order with a
    deadline, clue passed to a department, case filed). ``name`` is the description's start."""

    __entity__ = "inspection_problem"
    __tablename__ = "inspection_problems"
    inspection_no: Mapped[str] = mapped_column(String(32), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    fixed: Mapped[bool] = mapped_column(Boolean, default=False)
    fixed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    rectify_due: Mapped[str | None] = mapped_column(String(10), nullable=True)  # 整改期限 (date)
    clue_to: Mapped[str | None] = mapped_column(String(32), nullable=True)
    case_filed: Mapped[bool] = mapped_column(Boolean, default=False)
