"""Cases (a materialized view of ``case_actions``), their actions, co-handling tasks, attachments and numbering."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.store.models.base import Base
from app.store.types import JSONText, UTCDateTime


class Case(Base):
    """Materialized case row: fold(case_actions). Columns mirror app.domain.casefold.CaseState."""

    __tablename__ = "cases"
    rid: Mapped[int] = mapped_column(Integer, primary_key=True)  # rowid: stable FTS key
    id: Mapped[str] = mapped_column(String(36), unique=True)
    case_no: Mapped[str] = mapped_column(String(40), unique=True)
    town: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(20))
    type: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    reporter_name: Mapped[str | None] = mapped_column(String(50), nullable=True)
    reporter_phone: Mapped[str | None] = mapped_column(String(30), nullable=True, index=True)
    reporter_id_no: Mapped[str | None] = mapped_column(String(18), nullable=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    persons: Mapped[int] = mapped_column(Integer, default=1)
    category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    village: Mapped[str | None] = mapped_column(String(32), nullable=True)
    grid: Mapped[str | None] = mapped_column(String(32), nullable=True)
    address: Mapped[str | None] = mapped_column(String(200), nullable=True)
    urgency: Mapped[str] = mapped_column(String(10), default="normal")
    major: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # the channel's own id of a case imported from a feed (越平安, 12345, …)
    external_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    state: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(String(32), nullable=True)
    co_units: Mapped[list] = mapped_column(JSONText, default=list)
    auto_dispatched: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sign_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sign_warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    callback_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    callback_warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    clock_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    clock_warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    review_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    close_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    result: Mapped[str | None] = mapped_column(Text, nullable=True)
    satisfaction: Mapped[str | None] = mapped_column(String(16), nullable=True)
    return_count: Mapped[int] = mapped_column(Integer, default=0)
    transfer_count: Mapped[int] = mapped_column(Integer, default=0)
    urge_count: Mapped[int] = mapped_column(Integer, default=0)
    urge_level: Mapped[str | None] = mapped_column(String(10), nullable=True)
    urge_reply_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    extension_days: Mapped[float] = mapped_column(Float, default=0)
    extension_pending: Mapped[float] = mapped_column(Float, default=0)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    merged_into: Mapped[str | None] = mapped_column(String(40), nullable=True)
    reopened_from: Mapped[str | None] = mapped_column(String(40), nullable=True)
    reopened_as: Mapped[str | None] = mapped_column(String(40), nullable=True)
    repeat_of: Mapped[list] = mapped_column(JSONText, default=list)
    last_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    action_count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index("ix_cases_received", "received_at", "rid"),
        Index("ix_cases_state_received", "state", "received_at", "rid"),
        Index("ix_cases_unit_received", "unit", "received_at", "rid"),
        Index("ix_cases_category_received", "category", "received_at", "rid"),
        Index("ix_cases_channel_received", "channel", "received_at", "rid"),
        Index("ix_cases_clock", "clock_due_at", "clock_warn_at"),
        Index("ix_cases_village", "village", "received_at"),
        # repeat check (same grid and category, newest first) and counts of filtered lists
        Index("ix_cases_place_category", "grid", "category", "received_at"),
        Index("ix_cases_filters", "state", "village", "unit", "category", "channel"),
        # feed dedupe (channel, external_id). Partial: only fed cases carry a channel id, so an ordinary
        # intake maintains no entry. Not UNIQUE: two workstations may import the same file offline,
        # and a replica cannot refuse the other's case when it is pulled (docs/SYNC.md).
        Index("ix_cases_channel_external", "channel", "external_id", sqlite_where=text("external_id IS NOT NULL")),
    )


class CaseAction(Base):
    """Append-only log. ``seq`` is the local order; ``server_seq`` the district's order."""

    __tablename__ = "case_actions"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"))  # indexed with seq below
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(32))  # username
    actor_name: Mapped[str] = mapped_column(String(50))
    actor_role: Mapped[str] = mapped_column(String(16))
    actor_unit: Mapped[str | None] = mapped_column(String(32), nullable=True)
    payload: Mapped[dict] = mapped_column(JSONText)
    device_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(10), default="local")  # local | accepted | rejected | void
    server_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    verdict: Mapped[str | None] = mapped_column(Text, nullable=True)  # reason when rejected
    chain: Mapped[str | None] = mapped_column(String(64), nullable=True)  # app.store.chain

    __table_args__ = (Index("ix_actions_case_seq", "case_id", "seq"),)


class CohandleTask(Base):
    __tablename__ = "cohandle_tasks"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"), index=True)
    action_id: Mapped[str] = mapped_column(String(36))
    unit_code: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    state: Mapped[str] = mapped_column(String(10), default="open")


class Attachment(Base):
    """Content-addressed file metadata; the bytes live in attachments/<sha256[:2]>/<sha256>."""

    __tablename__ = "attachments"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"), index=True)
    action_id: Mapped[str] = mapped_column(String(36))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded: Mapped[bool] = mapped_column(Boolean, default=False)


class CaseCounter(Base):
    """Per-day sequence for human case numbers on this workstation."""

    __tablename__ = "case_counters"
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)
