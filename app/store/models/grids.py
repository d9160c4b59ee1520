"""网格 and the four platforms: grid reports, points and admissions (synced town records)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.store.models.base import Base, RefMixin
from app.store.types import UTCDateTime


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
