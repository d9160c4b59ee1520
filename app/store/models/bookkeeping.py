"""The store's own bookkeeping: audit log, sync outbox and state, quarantine, user keys and action signatures."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.store.models.base import Base
from app.store.types import JSONText, UTCDateTime


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
