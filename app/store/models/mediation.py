"""矛盾调处 and 积案: mediators, disputes, sessions, backlog cases and their steps (synced town records)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.store.models.base import Base, RefMixin
from app.store.types import JSONText, UTCDateTime


class Mediator(RefMixin, Base):
    """调解员: a resident professional mediator, the court's pre-litigation team, a village mediator or
    a lawyer (``kind``); ``code`` is the 编码 of the town workbook's 调解员 sheet."""

    __entity__ = "mediator"
    __tablename__ = "mediators"
    phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))  # professional | court | village | lawyer
    org: Mapped[str | None] = mapped_column(String(100), nullable=True)  # 所属组织


class Dispute(RefMixin, Base):
    """矛盾纠纷: a dispute opened on a case (``code`` the dispute number, ``name`` the case title).
    Synced field by field; its sessions and the follow-up are records of their own."""

    __entity__ = "dispute"
    __tablename__ = "disputes"
    case_no: Mapped[str] = mapped_column(String(40), index=True)
    type: Mapped[str] = mapped_column(String(16))          # the Chinese label (app.domain.mediation)
    source: Mapped[str] = mapped_column(String(16))
    parties: Mapped[list] = mapped_column(JSONText, default=list)
    facts: Mapped[str | None] = mapped_column(Text, nullable=True)
    amount: Mapped[float] = mapped_column(Float, default=0)
    persons: Mapped[int] = mapped_column(Integer, default=1)
    difficulty: Mapped[str] = mapped_column(String(10))    # simple | normal | major
    difficulty_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    criminal_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    police_calls: Mapped[int] = mapped_column(Integer, default=0)
    village: Mapped[str | None] = mapped_column(String(32), nullable=True)
    state: Mapped[str] = mapped_column(String(12), index=True)  # accepted | mediating | closed
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    extension_days: Mapped[float] = mapped_column(Float, default=0)
    mediator: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    co_mediators: Mapped[list] = mapped_column(JSONText, default=list)
    documents: Mapped[list] = mapped_column(JSONText, default=list)  # registered 卷宗 items (notice, survey)
    means: Mapped[str | None] = mapped_column(String(16), nullable=True)
    success: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    agreement: Mapped[dict | None] = mapped_column(JSONText, nullable=True)
    fail_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    judicial_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    judicial_applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    visited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    visit_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    performed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class MediationSession(RefMixin, Base):
    """One 调解 session (append-only: never changed after it is written). ``code`` is its id without
    dashes, ``name`` the dispute number and the session's place."""

    __entity__ = "med_session"
    __tablename__ = "mediation_sessions"
    dispute_id: Mapped[str] = mapped_column(String(36), index=True)
    dispute_no: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(100))
    village: Mapped[str | None] = mapped_column(String(32), nullable=True)
    attendees: Mapped[list] = mapped_column(JSONText, default=list)
    record: Mapped[str | None] = mapped_column(Text, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(10), nullable=True)  # continue | agreed | failed | None: planned
    mediator: Mapped[str | None] = mapped_column(String(32), nullable=True)
    actor: Mapped[str] = mapped_column(String(32))


class Backlog(RefMixin, Base):
    """积案: a hard backlog case with its 专班 (``code`` the backlog number, ``name`` the case title)."""

    __entity__ = "backlog"
    __tablename__ = "backlogs"
    case_no: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    lead: Mapped[str] = mapped_column(String(50))
    members: Mapped[list] = mapped_column(JSONText, default=list)
    units: Mapped[list] = mapped_column(JSONText, default=list)
    village: Mapped[str | None] = mapped_column(String(32), nullable=True)
    plan: Mapped[str] = mapped_column(Text)
    due: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD
    state: Mapped[str] = mapped_column(String(10), index=True)  # open | resolved
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    checklist: Mapped[list] = mapped_column(JSONText, default=list)


class BacklogStep(RefMixin, Base):
    """A progress entry of a 积案 (append-only). ``code`` its id without dashes, ``name`` the note's start."""

    __entity__ = "backlog_step"
    __tablename__ = "backlog_steps"
    backlog_id: Mapped[str] = mapped_column(String(36), index=True)
    backlog_no: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(32))
