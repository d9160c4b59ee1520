"""The centre's own LAN relay: its entries, verdicts and case index."""
from __future__ import annotations

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.store.models.base import Base


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
