"""SQLAlchemy models of the local store.

Reference records (units, grids, staff, categories, rules, users) carry a stable id derived from
their code, an owning level and a tombstone flag, so that two stores loaded from the same files
agree record for record and sync can merge them. Each synced model names its type in
app.domain.entities with ``__entity__`` (app.sync.records finds it by that name). ``cases`` is a
materialized view of ``case_actions`` (see app.domain.casefold); it has an integer rowid for
full-text search.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.store.types import JSONText, UTCDateTime


class Base(DeclarativeBase):
    pass


class RefMixin:
    """Columns every synced reference record has."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    owner_level: Mapped[str] = mapped_column(String(10), default="town")  # town | district
    sample: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Meta(Base):
    """Store identity and settings: town, workstation code, device id, schema facts."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Town(RefMixin, Base):
    __entity__ = "town"  # its synced type in app.domain.entities
    __tablename__ = "towns"
    district: Mapped[str | None] = mapped_column(String(50), nullable=True)


class Unit(RefMixin, Base):
    __entity__ = "unit"
    __tablename__ = "units"
    kind: Mapped[str] = mapped_column(String(16))  # department | village | station | district
    phone: Mapped[str | None] = mapped_column(String(30), nullable=True)


class Grid(RefMixin, Base):
    """村社 -> 网格 -> 微网格 (-> building/floor). A village grid has the village unit's code."""

    __entity__ = "grid"
    __tablename__ = "grids"
    level: Mapped[str] = mapped_column(String(10))  # village | grid | micro | building | floor
    parent_code: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    village_code: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    households: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 户数
    scope: Mapped[str | None] = mapped_column(String(100), nullable=True)   # 范围 of a micro-grid (3幢…)
    kind: Mapped[str | None] = mapped_column(String(10), nullable=True)     # village: community | village


class Staff(RefMixin, Base):
    __entity__ = "staff"
    __tablename__ = "staff"
    grid_code: Mapped[str] = mapped_column(String(32), index=True)
    role: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    unit_code: Mapped[str | None] = mapped_column(String(32), nullable=True)  # a 联络员's unit


class Category(RefMixin, Base):
    __entity__ = "category"
    __tablename__ = "categories"
    parent_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    platform: Mapped[str] = mapped_column(String(4))
    case_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    sign_days: Mapped[float] = mapped_column(Float, default=1)
    handle_days: Mapped[float] = mapped_column(Float, default=5)
    urgent_sign_hours: Mapped[float] = mapped_column(Float, default=2)
    urgent_handle_days: Mapped[float] = mapped_column(Float, default=1)
    auto_dispatch: Mapped[bool] = mapped_column(Boolean, default=True)
    major: Mapped[bool] = mapped_column(Boolean, default=False)
    initials: Mapped[str] = mapped_column(String(40), default="")  # pinyin initials, e.g. lljf


class Rule(RefMixin, Base):
    """One line of the responsibility list (属地管理事项责任清单). ``name`` holds the note."""

    __entity__ = "rule"
    __tablename__ = "rules"
    category_code: Mapped[str] = mapped_column(String(32), index=True)
    village_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    grid_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    unit_code: Mapped[str] = mapped_column(String(32))
    co_units: Mapped[str | None] = mapped_column(String(200), nullable=True)  # 协办单位 codes, comma-separated
    handle_days: Mapped[float | None] = mapped_column(Float, nullable=True)  # overrides the category's


class User(RefMixin, Base):
    """``code`` is the username, ``name`` the display name."""

    __entity__ = "user"
    __tablename__ = "users"
    role: Mapped[str] = mapped_column(String(16))
    unit_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Holiday(RefMixin, Base):
    """A synced working-day calendar entry: the district's official days (``owner_level``
    district) and a town's own overrides (town). ``code`` is ``<level>-<YYYY-MM-DD>``, ``name`` the
    note (e.g. 春节)."""

    __entity__ = "holiday"
    __tablename__ = "holidays"
    day: Mapped[str] = mapped_column(String(10), index=True)  # YYYY-MM-DD
    workday: Mapped[bool] = mapped_column(Boolean)


class CalendarDay(Base):
    """Administrator-entered working-day overrides of this workstation only (the first way of
    entering them; ``calendar set`` now writes synced ``holidays``)."""

    __tablename__ = "calendar_days"
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD
    workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(100), default="")


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


class AuditEntry(Base):
    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(60), nullable=True)
    detail: Mapped[dict | None] = mapped_column(JSONText, nullable=True)
    chain: Mapped[str | None] = mapped_column(String(64), nullable=True)  # app.store.chain


class OutboxEntry(Base):
    """A change waiting to go up. Never modified once written; deleted when acknowledged."""

    __tablename__ = "outbox"
    device_seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    entity: Mapped[str] = mapped_column(String(20))  # action | unit | grid | user | ...
    entity_id: Mapped[str] = mapped_column(String(36))
    payload: Mapped[dict] = mapped_column(JSONText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SyncState(Base):
    __tablename__ = "sync_state"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Quarantined(Base):
    """A pulled change this workstation could not apply (app/sync/pull.py): kept as it came, with
    the reason, listed on the 冲突 page; the cursor moved past it. A void from the district
    (``towndesk-server change void``) removes it."""

    __tablename__ = "sync_quarantine"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[str] = mapped_column(String(40))


class CaseCounter(Base):
    """Per-day sequence for human case numbers on this workstation."""

    __tablename__ = "case_counters"
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Phrase(Base):
    """常用语: a saved text for one kind of field (办理结果, 退回理由, 督办要求, 回访记录, 派单/转办
    说明) in one user's own list (``owner``). Local to this workstation (not synced); the centre's
    list is :class:`CentrePhrase`. (``owner`` NULL rows were the centre's before migration 0011.)"""

    __tablename__ = "phrases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    field: Mapped[str] = mapped_column(String(20), index=True)
    owner: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    text: Mapped[str] = mapped_column(Text)
    keys: Mapped[str] = mapped_column(Text, default="")  # pinyin initials for the picker's search
    uses: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CentrePhrase(RefMixin, Base):
    """中心常用语: a phrase of the centre's list, kept by the admin and synced to every workstation
    of the town (entity ``phrase``). ``code`` is the id without dashes, ``name`` the text's start;
    ``uses`` (how often it was picked here) is local to the workstation."""

    __entity__ = "phrase"
    __tablename__ = "centre_phrases"
    field: Mapped[str] = mapped_column(String(20), index=True)
    text: Mapped[str] = mapped_column(Text)
    keys: Mapped[str] = mapped_column(Text, default="")  # pinyin initials for the picker's search
    uses: Mapped[int] = mapped_column(Integer, default=0)


class Handover(Base):
    """交班记录: written when a user hands over (注销/切换用户), shown to the next user who logs in
    on this workstation. ``summary`` holds the open red cases and pending 督办 at that moment."""

    __tablename__ = "handovers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    from_user: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[dict] = mapped_column(JSONText)
    read_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


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
class GridReport(RefMixin, Base):
    """网格上报 (报办分离): the report facts of a case taken in from a grid — who reported it
    (staff code), from which grid / micro-grid, and the outcome at report time (solved on the spot
    or passed to the centre). ``code`` is the case number, ``name`` its title. Append-only."""

    __entity__ = "grid_report"
    __tablename__ = "grid_reports"
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    reporter_staff: Mapped[str] = mapped_column(String(32), index=True)
    village_code: Mapped[str] = mapped_column(String(32), index=True)
    grid_code: Mapped[str] = mapped_column(String(32), index=True)       # 基础网格
    micro_code: Mapped[str | None] = mapped_column(String(32), nullable=True)  # 微网格 when reported from one
    outcome: Mapped[str] = mapped_column(String(10))                      # solved | passed
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class PointsEntry(RefMixin, Base):
    """有奖上报 ledger entry: points given to a staff member or a citizen by a rule, for a case.
    Append-only: a reversal is a new entry with the negative points and ``reverses`` = the
    original's code. ``code`` is the entry number, ``name`` the reason."""

    __entity__ = "points_entry"
    __tablename__ = "points_entries"
    person: Mapped[str] = mapped_column(String(32), index=True)   # staff code or citizen phone
    person_kind: Mapped[str] = mapped_column(String(10))           # staff | citizen
    person_name: Mapped[str | None] = mapped_column(String(50), nullable=True)
    rule: Mapped[str] = mapped_column(String(32))
    points: Mapped[int] = mapped_column(Integer)
    case_no: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    reverses: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)     # YYYY-MM (local) the points count in
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class GridAdmission(RefMixin, Base):
    """网格事项准入清单: a task kind that may be sent down to grid staff (``code`` the kind,
    ``name`` its Chinese name). A kind that is not listed (or deleted) is refused."""

    __entity__ = "grid_admission"
    __tablename__ = "grid_admissions"
    note: Mapped[str | None] = mapped_column(String(200), nullable=True)
# -- 分析研判 and 综合查一次 (risk register, 稳评, joint inspections): synced town records ----------------
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
class UserKey(Base):
    """A user's signing key on this workstation (issue 12): made at the user's first online login
    here and registered with the district for this user and device; the private half is sealed
    under the user's password (scrypt + AES-GCM, app/store/userkeys.py). Offline login works only
    for users with a row here, and only with the password that unseals it."""

    __tablename__ = "user_keys"
    username: Mapped[str] = mapped_column(String(32), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36))
    public_key: Mapped[str] = mapped_column(String(64))   # Ed25519, base64
    sealed: Mapped[str] = mapped_column(Text)             # base64 of salt | nonce | AES-GCM(private key)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ActionSignature(Base):
    """The actor's signature over one action this workstation wrote (made when it was written,
    sent with it in every push, also after a repair queues it again)."""

    __tablename__ = "action_signatures"
    action_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(100))
class TownDevice(RefMixin, Base):
    """An enrolled workstation of the town as the district lists it (entity ``device``, the
    district's): ``id`` the device id, ``code`` its workstation code, ``name`` its host name, and
    its Ed25519 public key. A centre relay (``towndesk lan serve``) admits only these peers."""

    __entity__ = "device"
    __tablename__ = "town_devices"
    public_key: Mapped[str | None] = mapped_column(String(60), nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class LanEntry(Base):
    """The centre relay's log (``towndesk lan serve``): an entry a peer pushed and the relay
    accepted, under the relay's own sequence number. ``entry`` is the entry exactly as pushed
    (every field kept, so it goes on to the district unchanged); ``upstream`` the district's
    verdict once handed on."""

    __tablename__ = "lan_entries"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(36), unique=True)
    device_id: Mapped[str] = mapped_column(String(36))
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    entry: Mapped[str] = mapped_column(Text)
    received_at: Mapped[str] = mapped_column(String(40))
    upstream: Mapped[str | None] = mapped_column(String(10), nullable=True, index=True)
    upstream_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    upstream_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class LanVerdict(Base):
    """The relay's verdict on every entry id it was pushed (a resent entry gets it back)."""

    __tablename__ = "lan_verdicts"
    entry_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10))
    http: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class LanCase(Base):
    """The relay's fold of a case (district-accepted log, then the relay's accepted entries)."""

    __tablename__ = "lan_cases"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_no: Mapped[str] = mapped_column(String(40), index=True)
    fold: Mapped[str] = mapped_column(Text)


__all__ = [n for n in dir() if n[0].isupper()]
