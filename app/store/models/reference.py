"""Reference records: the town, its units, grids, staff, categories, rules, users, calendar, devices."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.store.models.base import Base, RefMixin
from app.store.types import UTCDateTime


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


class TownDevice(RefMixin, Base):
    """An enrolled workstation of the town as the district lists it (entity ``device``, the
    district's): ``id`` the device id, ``code`` its workstation code, ``name`` its host name, and
    its Ed25519 public key. A centre relay (``towndesk lan serve``) admits only these peers."""

    __entity__ = "device"
    __tablename__ = "town_devices"
    public_key: Mapped[str | None] = mapped_column(String(60), nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
