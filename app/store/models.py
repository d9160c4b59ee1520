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

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
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
