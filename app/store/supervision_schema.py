"""Tables and indexes of the supervision area (migration 0002): the last colour notified per case
(三色预警 reminders, local to this workstation, never synced) and the indexes behind the
indicators, the deadline board and the 督办 list."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.store.models import Base, Case, CaseAction
from app.store.types import UTCDateTime


class DeadlineNotice(Base):
    """One row per case that has been announced yellow or red: a new notice only on a change."""

    __tablename__ = "deadline_notices"
    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    colour: Mapped[str] = mapped_column(String(8))            # yellow | red (green rows are deleted)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # the clock announced
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime)


Index("ix_cases_dispatched", Case.dispatched_at)
Index("ix_cases_closed", Case.closed_at, Case.state)
Index("ix_cases_unit_clock", Case.unit, Case.clock_due_at, Case.clock_warn_at)
Index("ix_cases_urge", Case.urge_level, Case.state)
Index("ix_actions_kind_at", CaseAction.kind, CaseAction.at)

# Migration 0005 replaced 0004's wide covering index ix_cases_facts with the derived tables
# case_facts / fact_rollup / facts_dirty / facts_state and the triggers that keep them in step
# (raw SQL in the migration; read and written only by app/store/facts.py).
