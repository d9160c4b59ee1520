"""常用语 (centre-wide and personal phrases) and 交班记录 (handovers)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.store.models.base import Base, RefMixin
from app.store.types import JSONText, UTCDateTime


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
