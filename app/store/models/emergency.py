"""平战转换: emergencies, their tasks and receipts, prepared people and teams (synced town records)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.store.models.base import Base, RefMixin
from app.store.types import UTCDateTime


class Emergency(RefMixin, Base):
    """平战转换: one emergency (应急响应), started and stopped at the desk and synced (entity
    ``emergency``): who, when and why it started and stopped travel with the record. ``code`` is
    its human number (YJ + start minute + id tail), ``name`` its title (防汛Ⅱ级应急响应); ``area``
    is ``all`` or comma-separated 村社 codes."""

    __entity__ = "emergency"
    __tablename__ = "emergencies"
    type: Mapped[str] = mapped_column(String(20))
    level: Mapped[int] = mapped_column(Integer)
    area: Mapped[str] = mapped_column(Text, default="all")
    reason: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    started_by: Mapped[str] = mapped_column(String(50))
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    stopped_by: Mapped[str | None] = mapped_column(String(50), nullable=True)
    stop_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class EmergencyTask(RefMixin, Base):
    """一呼百应: a task broadcast to 村社/网格 during an emergency (entity ``emergency_task``);
    ``name`` is its title, ``targets`` comma-separated codes. Never changed after creation."""

    __entity__ = "emergency_task"
    __tablename__ = "emergency_tasks"
    emergency_id: Mapped[str] = mapped_column(String(36), index=True)
    instructions: Mapped[str] = mapped_column(Text, default="")
    targets: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(50))


class EmergencyReceipt(RefMixin, Base):
    """A target's receipt for a task (entity ``emergency_receipt``): append-only, the latest per
    target counts."""

    __entity__ = "emergency_receipt"
    __tablename__ = "emergency_receipts"
    task_id: Mapped[str] = mapped_column(String(36))
    target: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    entered_by: Mapped[str] = mapped_column(String(50))

    # each target's latest receipt (app.emergency.queries._receipts)
    __table_args__ = (Index("ix_emergency_receipts_latest", "task_id", "target", "at"),)


class Evacuee(RefMixin, Base):
    """Prepared list: a person to move in an emergency (entity ``evacuee``); ``name`` is the
    person's name; ``status`` pending (待转移) | moved (已转移) | returned (已返回)."""

    __entity__ = "evacuee"
    __tablename__ = "evacuees"
    village_code: Mapped[str] = mapped_column(String(32), index=True)
    grid_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    kind: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    address: Mapped[str | None] = mapped_column(String(200), nullable=True)
    note: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class EmergencyTeamMember(RefMixin, Base):
    """Prepared list: a member of a 村社's emergency team (entity ``emergency_team``): duty
    监测预警/转移/抢险/后勤, taken from the staff roster (``staff_code``) or named directly."""

    __entity__ = "emergency_team"
    __tablename__ = "emergency_teams"
    village_code: Mapped[str] = mapped_column(String(32), index=True)
    duty: Mapped[str] = mapped_column(String(16))
    staff_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
